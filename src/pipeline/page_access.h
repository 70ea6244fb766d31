// DocumentPageAccess: PageAccess over a page of an open Document. It plans the render
// size (DPI, --max-dim, and what the budget can ever grant), reserves the raster plus
// the engine's working set, and only then renders.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "base/memory_budget.h"
#include "engine/engine.h"
#include "input/document.h"
#include "pipeline/worker_document.h"
#include "raster/render_plan.h"

namespace pageflow {

// What TextLayer() reserves first for the page's lines: what a page of ordinary text
// needs (8 MiB holds ~100,000 characters). A page with more is sized from its
// characters once MuPDF has found them (TextLayerBytesFor) and reserves that instead.
constexpr int64_t kTextLayerBytes = 8ll << 20;

// MuPDF's allowance for a PDF page (PdfLibraryAllowance in input/document.h), reserved
// with the page: what one reservation of at most `max_single_reservation` leaves after
// the page's own `page_bytes`, clamped to the allowance's bounds. 0 for images.
int64_t PdfLibraryReservationBytes(bool pdf, int64_t page_bytes,
                                   int64_t max_single_reservation);
// What planning a PDF page's render must leave free for that allowance (0 for images).
int64_t PdfLibraryFloorBytes(bool pdf);

class DocumentPageAccess final : public PageAccess {
 public:
  DocumentPageAccess(Document* doc, int page, const RenderOptions& options,
                     MemoryBudget* budget, std::string label)
      : doc_(doc),
        page_(page),
        options_(options),
        budget_(budget),
        label_(std::move(label)) {}
  // Over the worker's own handle `*owner` (non-null) on `path`: ReleaseSource() closes
  // it, and the next use reopens it there.
  DocumentPageAccess(WorkerDocument* owner, std::string path, int page,
                     const RenderOptions& options, MemoryBudget* budget,
                     std::string label)
      : doc_(nullptr),
        owner_(owner),
        path_(std::move(path)),
        page_(page),
        options_(options),
        budget_(budget),
        label_(std::move(label)) {}

  StatusOr<TextLayerPage> TextLayer() override;
  StatusOr<Raster> Render(const WorkingBytesFn& working_bytes) override;
  StatusOr<Raster> Render(const RenderRequest& request) override;
  std::string Label() const override { return label_; }
  void ReleaseSource() override;
  bool Cancelled() const override { return cancel_ != nullptr && cancel_->load(); }
  // The flag that says the page is no longer wanted (null: never).
  void set_cancel(const std::atomic<bool>* cancel) { cancel_ = cancel; }
  // Reservations never wait (MemoryBudget::TryReserve): a page that does not fit the
  // budget now fails at once with RESOURCE_EXHAUSTED. For callers that answer a client
  // and cannot queue (serve's page images); off by default.
  void set_reserve_now(bool now) { reserve_now_ = now; }
  // What planning did to the page (e.g. "downscaled to ..."), empty if nothing.
  const std::string& render_note() const { return render_note_; }
  // CPU seconds this thread spent in TextLayer() and Render(): opening the document,
  // extracting text, rendering. The rest of Engine::Recognize is the engine's own.
  double source_cpu_seconds() const { return source_cpu_seconds_; }
  // Whether Render gave the engine a raster (an OCR page, not a text-layer one).
  bool rendered() const { return rendered_; }

 private:
  StatusOr<Document*> Doc();
  StatusOr<Reservation> ReserveBytes(int64_t bytes, std::string_view what);

  Document* doc_;                    // null once released
  WorkerDocument* owner_ = nullptr;  // the worker's handle, if it may be released
  std::string path_;
  int page_;
  RenderOptions options_;
  MemoryBudget* budget_;
  std::string label_;
  std::string render_note_;
  double source_cpu_seconds_ = 0;
  const std::atomic<bool>* cancel_ = nullptr;
  bool reserve_now_ = false;
  bool rendered_ = false;
};

}  // namespace pageflow
