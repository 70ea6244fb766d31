#include "pipeline/page_access.h"

#include "base/process_stats.h"

namespace pageflow {
namespace {

// Adds the calling thread's CPU time from construction to destruction to *total.
class CpuTimer {
 public:
  explicit CpuTimer(double* total) : total_(total), start_(ThreadCpuSeconds()) {}
  ~CpuTimer() { *total_ += ThreadCpuSeconds() - start_; }
  CpuTimer(const CpuTimer&) = delete;
  CpuTimer& operator=(const CpuTimer&) = delete;

 private:
  double* total_;
  double start_;
};

}  // namespace

int64_t PdfLibraryReservationBytes(bool pdf, int64_t page_bytes,
                                   int64_t max_single_reservation) {
  return pdf ? PdfLibraryBytesFor(max_single_reservation - page_bytes) : 0;
}

int64_t PdfLibraryFloorBytes(bool pdf) { return pdf ? kMinPdfLibraryBytes : 0; }

namespace {

// A page refused for MuPDF's allowance (LibraryMemoryRefused in pdf_document.cc).
bool IsPdfLibraryRefusal(const Status& status) {
  return status.code() == StatusCode::kResourceExhausted &&
         status.message().find("of PDF library memory") != std::string::npos;
}

// The next allowance for a page that needed more: four times as much, at most `most`.
int64_t NextPdfLibraryBytes(int64_t library, int64_t most) {
  return std::max(library, std::min(most, 4 * library));
}

}  // namespace

StatusOr<Document*> DocumentPageAccess::Doc() {
  if (doc_ == nullptr) {
    PF_ASSIGN_OR_RETURN(doc_, owner_->Get(path_));
  }
  return doc_;
}

StatusOr<Reservation> DocumentPageAccess::ReserveBytes(int64_t bytes,
                                                       std::string_view what) {
  return reserve_now_ ? budget_->TryReserve(bytes, what) : budget_->Reserve(bytes, what);
}

void DocumentPageAccess::ReleaseSource() {
  if (owner_ == nullptr) return;
  owner_->Close();
  doc_ = nullptr;
}

StatusOr<TextLayerPage> DocumentPageAccess::TextLayer() {
  CpuTimer timer(&source_cpu_seconds_);
  PF_ASSIGN_OR_RETURN(Document * doc, Doc());
  if (doc->format() != DocumentFormat::kPdf)
    return Unsupported("images have no text layer");
  // The page's lines, kTextLayerBytes first and then what its characters need once
  // MuPDF has found them, and MuPDF's own allocations for the page (fonts, images): the
  // usual allowance first, a larger one (up to what one reservation may hold) if the
  // page needs it.
  const int64_t max_bytes = budget_->MaxSingleReservation();
  const std::string what = "text layer of " + label_;
  int64_t text_bytes = kTextLayerBytes;
  int64_t library = PdfLibraryReservationBytes(true, text_bytes, max_bytes);
  for (;;) {
    PF_ASSIGN_OR_RETURN(Reservation r, ReserveBytes(text_bytes + library, what));
    Reservation more;
    int64_t needed = 0;
    bool read_again = false;
    auto reserve = [&](int64_t bytes) -> Status {
      needed = bytes;
      if (bytes <= text_bytes) return Status::Ok();
      if (bytes + library > max_bytes) {
        return ResourceExhausted("its text layer needs " + std::to_string(bytes >> 20) +
                                 " MiB, more than one page may reserve beside MuPDF's " +
                                 std::to_string(library >> 20) +
                                 " MiB; raise --memory-limit");
      }
      // Grown in place when the budget has room now; otherwise the page is read again
      // with all it needs reserved at once (waiting for more while holding part could
      // deadlock workers that all do so).
      StatusOr<Reservation> extra = budget_->TryReserve(bytes - text_bytes, what);
      if (!extra.ok()) {
        read_again = true;
        return extra.status();
      }
      more = std::move(*extra);
      return Status::Ok();
    };
    StatusOr<TextLayerPage> text = [&] {
      PdfLibraryAllowance allowance(library);
      return doc->TextLayer(page_, reserve);
    }();
    if (read_again) {
      text_bytes = needed;
      continue;
    }
    const int64_t most = max_bytes - text_bytes;
    if (text.ok() || !IsPdfLibraryRefusal(text.status()) || library >= most) return text;
    library = NextPdfLibraryBytes(library, most);
  }
}

StatusOr<Raster> DocumentPageAccess::Render(const WorkingBytesFn& working_bytes) {
  return Render(RenderRequest{working_bytes, 0});
}

StatusOr<Raster> DocumentPageAccess::Render(const RenderRequest& request) {
  CpuTimer timer(&source_cpu_seconds_);
  PF_ASSIGN_OR_RETURN(Document * doc, Doc());
  PF_ASSIGN_OR_RETURN(PageGeometry geometry, doc->Geometry(page_));
  RenderOptions options = options_;
  options.target_long_side = request.target_long_side;
  const bool pdf = doc->format() == DocumentFormat::kPdf;
  const int64_t max_bytes = budget_->MaxSingleReservation();
  PF_ASSIGN_OR_RETURN(RenderPlan plan,
                      PlanRender(geometry, options, request.working_bytes,
                                 max_bytes - PdfLibraryFloorBytes(pdf)));
  render_note_ = plan.note;
  // The raster and the engine's working set, plus MuPDF's allowance while it draws: that
  // part is given back once the page is drawn (the rest travels with the raster).
  // As for the text layer, a larger allowance when the page needs it.
  const int64_t most = max_bytes - plan.total_bytes;
  for (int64_t library = PdfLibraryReservationBytes(pdf, plan.total_bytes, max_bytes);;
       library = NextPdfLibraryBytes(library, most)) {
    PF_ASSIGN_OR_RETURN(Reservation reservation,
                        ReserveBytes(plan.total_bytes + library, label_));
    StatusOr<Raster> raster = [&] {
      PdfLibraryAllowance allowance(library);
      return doc->Render(page_, plan, std::move(reservation));
    }();
    if (raster.ok()) {
      raster->reservation().ShrinkTo(plan.total_bytes);
      rendered_ = true;
    }
    if (raster.ok() || !pdf || !IsPdfLibraryRefusal(raster.status()) || library >= most) {
      return raster;
    }
  }
}

}  // namespace pageflow
