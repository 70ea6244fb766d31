// PageExecutor: the one way any face of pageflow runs a page. `run`'s workers, serve's
// page service and queue workers each hold one per worker thread; given a page of a
// document and the engine to use, it opens the document (the worker's own handle), lets
// the engine plan, reserve and render through DocumentPageAccess, recognizes, releases,
// and returns the page record — so a page gives the same record on every face.
//
//   PageExecutor executor(&budget);                       // one per worker thread
//   PageOutcome o = executor.Run(engine, {path, page, render, label, &cancel});
//   if (!o.cancelled) Store(o.record);
#pragma once

#include <atomic>
#include <cstdint>
#include <optional>
#include <string>

#include "base/memory_budget.h"
#include "engine/engine.h"
#include "output/page_record.h"
#include "pipeline/worker_document.h"
#include "raster/render_plan.h"

namespace pageflow {

struct PageWork {
  std::string path;      // the document
  int page = 0;          // 0-based
  RenderOptions render;  // --dpi, --max-dim
  std::string label;     // for messages: "page 3 of a.pdf"
  // When it becomes true the page is no longer wanted: an engine waiting on a server
  // gives up within a second (PageAccess::Cancelled). Null: never.
  const std::atomic<bool>* cancel = nullptr;
  // The layout stage (layout/layout.h): on (default), the record's text is Markdown in
  // reading order with headings, paragraphs, lists and tables, and running headers,
  // footers and page numbers are listed apart; off (--layout none): the engine's lines.
  // Running headers and footers found by repetition are decided when the document is
  // assembled (PageRecord::margins), so pages may run in any order.
  bool layout = true;
  // Keep the page's blocks, lines and words with boxes in the record (PageRecord::boxes):
  // --boxes, and the hocr/alto formats. Off by default.
  bool boxes = false;
};

struct PageOutcome {
  PageRecord record;              // error set when the page failed
  bool cancelled = false;         // dropped because of `cancel`: the record means nothing
  double source_cpu_seconds = 0;  // opening, text layer, rendering
  double engine_cpu_seconds = 0;  // inside the engine
  double layout_cpu_seconds = 0;  // the layout stage
  bool heap_trimmed = false;      // an OCR page: its freed heap went back to the OS
};

class PageExecutor {
 public:
  explicit PageExecutor(MemoryBudget* budget) : budget_(budget) {}
  PageExecutor(const PageExecutor&) = delete;
  PageExecutor& operator=(const PageExecutor&) = delete;

  // Runs one page. Never fails as a call: a page that cannot be done is a record with
  // its error (the document cannot be opened, the page does not fit, the engine failed).
  // Every byte the page needs is reserved from the budget before it is allocated and
  // released before Run returns (only the text travels on).
  PageOutcome Run(Engine& engine, const PageWork& work);
  // Lets go of the document the last page came from (Run keeps it open for the next
  // page when reopening would cost much): for a worker going idle, so that nothing
  // holds a file its owner may delete (serve: a finished job's upload).
  void CloseDocument() { doc_.Close(); }

 private:
  MemoryBudget* budget_;
  WorkerDocument doc_;  // this worker's own handle (MuPDF is per thread)
};

// The record of a recognized page: one function, whatever the face. With `layout` the
// page's lines (or the engine's Markdown) go through the layout stage first; the model
// it builds is charged to `budget` while it exists (a page whose model cannot be paid
// for keeps its lines, with a note). With `boxes` the record keeps the page's boxes
// (built under the same reservation, which grows by their size; afterwards they ride
// with the record, unbudgeted like its text: at most a range's worth of pages per
// document in flight, about 30 KB a dense page).
PageRecord BuildPageRecord(int page_number, PageText text, const std::string& render_note,
                           bool layout, MemoryBudget* budget, bool boxes = false);

// What the layout stage of a page with these lines may hold at once, in bytes: the
// model's copy of the lines and words, the Markdown, working vectors, and the boxes
// kept for the record when asked for.
int64_t LayoutReservationBytes(const PageText& text, bool boxes = false);

// What a page of `geometry` reserves when an engine whose render request is `request`
// runs it (nullopt: the engine reads the text layer only): the raster plus the
// engine's working set, as DocumentPageAccess would reserve it, capped by what one
// reservation may hold. RESOURCE_EXHAUSTED when even a downscaled render cannot fit.
StatusOr<int64_t> PageReservationBytes(const std::optional<RenderRequest>& request,
                                       const PageGeometry& geometry,
                                       const RenderOptions& render,
                                       int64_t max_single_reservation);

}  // namespace pageflow
