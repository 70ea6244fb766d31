#include "pipeline/page_executor.h"

#include <algorithm>
#include <chrono>
#include <optional>

#include "base/process_stats.h"
#include "layout/layout.h"
#include "layout/margins.h"
#include "layout/markdown_reader.h"
#include "layout/writers.h"
#include "pipeline/page_access.h"

namespace pageflow {

int64_t LayoutReservationBytes(const PageText& text, bool boxes) {
  // Measured on dense pages (R-data.pdf, a two-column paper): the stage's peak is about
  // 3x its input's strings plus ~200 bytes a word and ~400 a line for boxes and vectors.
  // The record's boxes (when asked for) are one more copy of the words and lines
  // (PageBoxes: ~56 bytes a word plus its text, ~40 a line).
  int64_t bytes = 64 << 10;
  for (const TextLine& line : text.lines) {
    bytes += 400 + 3 * static_cast<int64_t>(line.text.size()) + (boxes ? 64 : 0);
    for (const TextWord& w : line.words) {
      bytes += 200 + 3 * static_cast<int64_t>(w.text.size());
      if (boxes) bytes += 64 + static_cast<int64_t>(w.text.size());
    }
  }
  bytes += 4 * static_cast<int64_t>(text.text.size()) +
           static_cast<int64_t>(text.rulings.size() * sizeof(Box)) * 4;
  return bytes;
}

namespace {

// Sets the page's margin lines apart (layout/margins.h): furniture by place and form
// goes to the model's furniture, the others into `margins`, whether they are running
// headers or footers being decided when the document is assembled, from its other pages
// (PageRecord::margins).
void SetMarginsApart(PageModel& model, std::vector<PageRecord::Margin>* margins) {
  for (MarginLine& m : SetMarginsApart(model, PageRecord::kMaxMargins)) {
    PageModel one;
    one.blocks = {std::move(m.block)};
    std::string md = RenderMarkdown(one);
    while (!md.empty() && md.back() == '\n') md.pop_back();
    margins->push_back({m.bottom, m.y_permille, std::move(md)});
  }
}

// Runs the layout stage over `text` and writes the Markdown, the furniture and the
// margins into the record. Returns a note when it could not run (the record keeps the
// lines).
std::string LayOut(PageText& text, MemoryBudget* budget, int page_index, bool boxes,
                   PageRecord& r) {
  // The model (a copy of the page's lines and words) and the Markdown are paid by this.
  StatusOr<Reservation> reservation =
      budget != nullptr
          ? budget->Reserve(LayoutReservationBytes(text, boxes), "page layout")
          : StatusOr<Reservation>(Reservation());
  if (!reservation.ok()) return "layout skipped: " + reservation.status().message();
  PageModel model;
  if (text.markdown) {
    model = ParseMarkdown(text.text);
  } else {
    if (text.page_width <= 0 || text.page_height <= 0) return "";
    LayoutInput input;
    input.page_width = text.page_width;
    input.page_height = text.page_height;
    input.unit = text.unit;
    input.page_index = page_index;
    input.lines = std::move(text.lines);
    input.rulings = std::move(text.rulings);
    model = Analyze(input, LayoutOptions{}, /*tracker=*/nullptr);
    // Boxes of everything on the page, margins included (hOCR and ALTO show the page).
    if (boxes) r.boxes = BoxesFromModel(model, text.dpi);
    SetMarginsApart(model, &r.margins);
  }
  r.text = RenderMarkdown(model);
  while (!r.text.empty() && r.text.back() == '\n') r.text.pop_back();
  r.markdown = true;
  for (const Block& b : model.furniture) {
    if (r.furniture.size() >= PageRecord::kMaxFurniture) break;
    r.furniture.push_back({BlockKindName(b.kind), b.text});
  }
  if (boxes && !r.boxes) r.boxes = BoxesFromModel(model, text.dpi);
  return "";
}

}  // namespace

PageRecord BuildPageRecord(int page_number, PageText text, const std::string& render_note,
                           bool layout, MemoryBudget* budget, bool boxes) {
  PageRecord r;
  r.page = page_number;
  r.engine = std::move(text.engine);
  r.confidence = text.mean_confidence;
  r.lines = static_cast<int>(text.lines.size());
  r.note = std::move(text.note);
  if (!render_note.empty()) r.note += (r.note.empty() ? "" : "; ") + render_note;
  r.prompt_tokens = text.prompt_tokens;
  r.completion_tokens = text.completion_tokens;
  r.fallback = std::move(text.fallback);
  r.attributes = std::move(text.attributes_json);
  if (layout) {
    const std::string why = LayOut(text, budget, page_number - 1, boxes, r);
    if (!why.empty()) r.note += (r.note.empty() ? "" : "; ") + why;
  }
  // Without the layout stage (--layout none, or it could not be paid for) the boxes are
  // the engine's lines; they are already in memory, so nothing more is reserved but
  // their copy, which is smaller than the lines themselves.
  if (boxes && !r.boxes && !text.markdown && text.page_width > 0 &&
      text.page_height > 0) {
    r.boxes = BoxesFromLines(text.lines, text.page_width, text.page_height, text.unit,
                             text.unit == Unit::kPoints ? 72 : text.dpi);
  }
  if (!r.markdown) r.text = std::move(text.text);
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
    std::optional<PageText>
        text;  // what the engine read, laid out once the access is gone
    std::string render_note;
    {
      // An engine waiting on a server may close the document meanwhile (ReleaseSource);
      // the next use reopens it. The access holds the page's raster reservation: it is
      // released before the layout stage reserves, so no worker waits while holding one.
      DocumentPageAccess access(&doc_, work.path, work.page, work.render, budget_,
                                work.label);
      access.set_cancel(work.cancel);
      StatusOr<PageText> recognized = engine.Recognize(access);
      source_cpu += access.source_cpu_seconds();
      out.heap_trimmed = access.rendered();
      if (recognized.ok()) {
        text = std::move(*recognized);
        render_note = access.render_note();
      } else if (recognized.status().code() == StatusCode::kCancelled ||
                 access.Cancelled()) {
        out.cancelled = true;
      } else {
        out.record.error = recognized.status().message();
      }
    }
    if (text) {
      const double layout0 = ThreadCpuSeconds();
      out.record = BuildPageRecord(work.page + 1, std::move(*text), render_note,
                                   work.layout, budget_, work.boxes);
      out.layout_cpu_seconds = ThreadCpuSeconds() - layout0;
    }
  }
  out.record.seconds = std::chrono::duration<double>(Clock::now() - t0).count();
  const double engine_cpu =
      std::max(0.0, ThreadCpuSeconds() - cpu0 - source_cpu - out.layout_cpu_seconds);
  const double cpu1 = ThreadCpuSeconds();
  doc_.PageDone(out.record.seconds);  // may close the document: reading the source too
  source_cpu += ThreadCpuSeconds() - cpu1;
  // An OCR page leaves its engine's freed working set (blobs, outlines, page images,
  // line buffers) in this thread's heap arena, where glibc keeps it: each worker's arena
  // then grows to the heaviest page it has read, and the process to the sum of those.
  // Giving it back after every rendered page keeps RSS at what the pages in flight use.
  // With the fixed mmap threshold (ConfigureHeap), on gnuplot.pdf at 100 DPI, tesseract,
  // 2 workers: 40 pages peak at 92 instead of 109 MiB for 7% more CPU (3 interleaved
  // pairs); all 311 at 97 instead of 116 MiB. Only doing it once RSS had grown 8 MiB
  // since the last trim (60 trims in 311 pages) left 109 MiB. Text-layer pages are light
  // and fast; they skip it.
  if (out.heap_trimmed) TrimHeap();
  out.source_cpu_seconds = source_cpu;
  out.engine_cpu_seconds = engine_cpu;
  return out;
}

StatusOr<int64_t> PageReservationBytes(const std::optional<RenderRequest>& request,
                                       const PageGeometry& geometry,
                                       const RenderOptions& render,
                                       int64_t max_single_reservation) {
  const bool pdf = geometry.native_width == 0;  // a PDF page: MuPDF's allowance too
  if (!request) {
    return kTextLayerBytes +
           PdfLibraryReservationBytes(pdf, kTextLayerBytes, max_single_reservation);
  }
  RenderOptions options = render;
  options.target_long_side = request->target_long_side;
  PF_ASSIGN_OR_RETURN(RenderPlan plan,
                      PlanRender(geometry, options, request->working_bytes,
                                 max_single_reservation - PdfLibraryFloorBytes(pdf)));
  return plan.total_bytes +
         PdfLibraryReservationBytes(pdf, plan.total_bytes, max_single_reservation);
}

}  // namespace pageflow
