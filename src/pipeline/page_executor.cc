#include "pipeline/page_executor.h"

#include <algorithm>
#include <chrono>

#include "base/process_stats.h"
#include "pipeline/page_access.h"

namespace pageflow {

PageRecord BuildPageRecord(int page_number, PageText text,
                           const std::string& render_note) {
  PageRecord r;
  r.page = page_number;
  r.text = std::move(text.text);
  r.engine = std::move(text.engine);
  r.confidence = text.mean_confidence;
  r.lines = static_cast<int>(text.lines.size());
  r.note = std::move(text.note);
  if (!render_note.empty()) r.note += (r.note.empty() ? "" : "; ") + render_note;
  r.prompt_tokens = text.prompt_tokens;
  r.completion_tokens = text.completion_tokens;
  r.fallback = std::move(text.fallback);
  r.attributes = std::move(text.attributes_json);
  return r;
}

PageOutcome PageExecutor::Run(Engine& engine, const PageWork& work) {
  using Clock = std::chrono::steady_clock;
  PageOutcome out;
  out.record.page = work.page + 1;
  const double cpu0 = ThreadCpuSeconds();
  const Clock::time_point t0 = Clock::now();
  StatusOr<Document*> doc = doc_.Get(work.path);
  double source_cpu = ThreadCpuSeconds() - cpu0;  // opening counts as reading the source
  if (!doc.ok()) {
    out.record.error = doc.status().message();
  } else {
    // An engine waiting on a server may close the document meanwhile (ReleaseSource);
    // the next use reopens it.
    DocumentPageAccess access(&doc_, work.path, work.page, work.render, budget_,
                              work.label);
    access.set_cancel(work.cancel);
    StatusOr<PageText> text = engine.Recognize(access);
    source_cpu += access.source_cpu_seconds();
    if (text.ok()) {
      out.record = BuildPageRecord(work.page + 1, std::move(*text), access.render_note());
    } else if (text.status().code() == StatusCode::kCancelled || access.Cancelled()) {
      out.cancelled = true;
    } else {
      out.record.error = text.status().message();
    }
  }
  out.record.seconds = std::chrono::duration<double>(Clock::now() - t0).count();
  const double engine_cpu = std::max(0.0, ThreadCpuSeconds() - cpu0 - source_cpu);
  const double cpu1 = ThreadCpuSeconds();
  doc_.PageDone(out.record.seconds);  // may close the document: reading the source too
  source_cpu += ThreadCpuSeconds() - cpu1;
  out.source_cpu_seconds = source_cpu;
  out.engine_cpu_seconds = engine_cpu;
  return out;
}

StatusOr<int64_t> PageReservationBytes(const std::optional<RenderRequest>& request,
                                       const PageGeometry& geometry,
                                       const RenderOptions& render,
                                       int64_t max_single_reservation) {
  if (!request) return kTextLayerBytes;
  RenderOptions options = render;
  options.target_long_side = request->target_long_side;
  PF_ASSIGN_OR_RETURN(
      RenderPlan plan,
      PlanRender(geometry, options, request->working_bytes, max_single_reservation));
  return plan.total_bytes;
}

}  // namespace pageflow
