#include "pipeline/page_executor.h"

#include <algorithm>
#include <chrono>
#include <optional>

#include "base/process_stats.h"
#include "layout/furniture.h"
#include "layout/geometry.h"
#include "layout/layout.h"
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

// Moves the lines alone at the top and bottom edges of the page (single-line paragraphs
// or headings first and last in reading order, inside the margin band) out of the body
// into `margins`: whether they are running headers or footers is decided when the
// document is assembled, from its other pages (PageRecord::margins).
// A line's type size: its font size where the source knows it, else its height.
float SizeOf(const TextLine& l) { return l.font_size > 0 ? l.font_size : float(l.box.height()); }

void SetMarginsApart(PageModel& model, std::vector<PageRecord::Margin>* margins) {
  const float band = LayoutOptions{}.margin_band;
  auto candidate = [&](const Block& b, Band want) {
    return (b.kind == BlockKind::kParagraph || b.kind == BlockKind::kHeading) &&
           b.lines.size() == 1 && b.box.x1 > b.box.x0 && b.text.size() <= 200 &&
           BandOf(b.box, model.page_width, model.page_height, band) == want;
  };
  size_t top = 0, bottom = 0;
  const size_t n = model.blocks.size();
  while (top < n && top < PageRecord::kMaxMargins && candidate(model.blocks[top], Band::kTop)) ++top;
  while (bottom < n - top && top + bottom < PageRecord::kMaxMargins &&
         candidate(model.blocks[n - 1 - bottom], Band::kBottom)) {
    ++bottom;
  }
  // A margin line set apart from the body by a wide gap, in the body's size or smaller
  // and not a heading, is a running header or footer by its place alone: on a page
  // read by itself there is no other page to repeat it.
  std::vector<float> sizes;
  for (size_t i = top; i < n - bottom; ++i) {
    for (const TextLine& l : model.blocks[i].lines) sizes.push_back(SizeOf(l));
  }
  const float body_size = sizes.empty() ? 0 : Median(std::move(sizes));
  auto alone = [&](size_t i, bool at_bottom) {
    const Block& b = model.blocks[i];
    if (b.kind != BlockKind::kParagraph || body_size <= 0 ||
        SizeOf(b.lines[0]) > 1.05f * body_size) {
      return false;
    }
    const bool has_body = top < n - bottom;
    if (!has_body) return false;
    const Block& next = model.blocks[at_bottom ? n - bottom - 1 : top];
    const int gap = at_bottom ? b.box.y0 - next.box.y1 : next.box.y0 - b.box.y1;
    return gap >= 1.5f * float(b.box.height());
  };
  auto margin = [&](size_t i, bool at_bottom) {
    const Block& b = model.blocks[i];
    if (alone(i, at_bottom)) {
      Block f = b;
      f.kind = at_bottom ? BlockKind::kFooter : BlockKind::kHeader;
      model.furniture.push_back(std::move(f));
      return;
    }
    PageModel one;
    one.blocks = {b};
    std::string md = RenderMarkdown(one);
    while (!md.empty() && md.back() == '\n') md.pop_back();
    const int y = int(500.0 * (b.box.y0 + b.box.y1) / std::max(1, model.page_height));
    margins->push_back({at_bottom, y, std::move(md)});
  };
  for (size_t i = 0; i < top; ++i) margin(i, false);
  for (size_t i = n - bottom; i < n; ++i) margin(i, true);
  std::stable_sort(model.furniture.begin(), model.furniture.end(),
                   [](const Block& a, const Block& b) { return a.box.y0 < b.box.y0; });
  model.blocks.erase(model.blocks.end() - static_cast<std::ptrdiff_t>(bottom), model.blocks.end());
  model.blocks.erase(model.blocks.begin(), model.blocks.begin() + static_cast<std::ptrdiff_t>(top));
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
    std::optional<PageText> text;  // what the engine read, laid out once the access is gone
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
      if (recognized.ok()) {
        text = std::move(*recognized);
        render_note = access.render_note();
      } else if (recognized.status().code() == StatusCode::kCancelled || access.Cancelled()) {
        out.cancelled = true;
      } else {
        out.record.error = recognized.status().message();
      }
    }
    if (text) {
      const double layout0 = ThreadCpuSeconds();
      out.record = BuildPageRecord(work.page + 1, std::move(*text), render_note, work.layout,
                                   budget_, work.boxes);
      out.layout_cpu_seconds = ThreadCpuSeconds() - layout0;
    }
  }
  out.record.seconds = std::chrono::duration<double>(Clock::now() - t0).count();
  const double engine_cpu =
      std::max(0.0, ThreadCpuSeconds() - cpu0 - source_cpu - out.layout_cpu_seconds);
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
