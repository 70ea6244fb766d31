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

StatusOr<Document*> DocumentPageAccess::Doc() {
  if (doc_ == nullptr) {
    PF_ASSIGN_OR_RETURN(doc_, owner_->Get(path_));
  }
  return doc_;
}

void DocumentPageAccess::ReleaseSource() {
  if (owner_ == nullptr) return;
  owner_->Close();
  doc_ = nullptr;
}

StatusOr<TextLayerPage> DocumentPageAccess::TextLayer() {
  CpuTimer timer(&source_cpu_seconds_);
  PF_ASSIGN_OR_RETURN(Document * doc, Doc());
  if (doc->format() != DocumentFormat::kPdf) return Unsupported("images have no text layer");
  PF_ASSIGN_OR_RETURN(Reservation r, budget_->Reserve(kTextLayerBytes, "text layer of " + label_));
  return doc->TextLayer(page_);
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
  PF_ASSIGN_OR_RETURN(RenderPlan plan, PlanRender(geometry, options, request.working_bytes,
                                                  budget_->MaxSingleReservation()));
  render_note_ = plan.note;
  PF_ASSIGN_OR_RETURN(Reservation reservation, budget_->Reserve(plan.total_bytes, label_));
  return doc->Render(page_, plan, std::move(reservation));
}

}  // namespace pageflow
