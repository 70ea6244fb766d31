#include "pipeline/page_access.h"

namespace pageflow {

StatusOr<TextLayerPage> DocumentPageAccess::TextLayer() {
  if (doc_->format() != DocumentFormat::kPdf) return Unsupported("images have no text layer");
  PF_ASSIGN_OR_RETURN(Reservation r, budget_->Reserve(kTextLayerBytes, "text layer of " + label_));
  return doc_->TextLayer(page_);
}

StatusOr<Raster> DocumentPageAccess::Render(const WorkingBytesFn& working_bytes) {
  PF_ASSIGN_OR_RETURN(PageGeometry geometry, doc_->Geometry(page_));
  PF_ASSIGN_OR_RETURN(RenderPlan plan, PlanRender(geometry, options_, working_bytes,
                                                  budget_->MaxSingleReservation()));
  render_note_ = plan.note;
  PF_ASSIGN_OR_RETURN(Reservation reservation, budget_->Reserve(plan.total_bytes, label_));
  return doc_->Render(page_, plan, std::move(reservation));
}

}  // namespace pageflow
