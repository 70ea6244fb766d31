#include "document_driver.h"

#include <algorithm>

#include "base/memory_budget.h"
#include "fuzz_target.h"
#include "pipeline/page_access.h"

namespace pageflow::fuzz {

void ReadPages(Document* doc) {
  MemoryBudget budget(kFuzzBudgetBytes);
  // Low resolution and a small --max-dim keep an input to milliseconds; min_dim low so
  // tiny pictures are still decoded.
  RenderOptions options;
  options.dpi = 36;
  options.max_dim = 600;
  options.min_dim = 8;
  const int pages = std::min(doc->page_count(), kFuzzPages);
  for (int page = 0; page < pages; ++page) {
    (void)doc->Geometry(page);
    DocumentPageAccess access(doc, page, options, &budget, "page");
    if (doc->format() == DocumentFormat::kPdf) (void)access.TextLayer();
    StatusOr<Raster> raster = access.Render([](int w, int h) {
      return static_cast<int64_t>(w) * h;  // a working set like an OCR engine's
    });
    if (raster.ok()) {
      Check(raster->width() > 0 && raster->height() > 0, "empty raster rendered");
      Check(raster->reservation().bytes() >= static_cast<int64_t>(raster->width()) *
                                                 raster->height() * raster->channels(),
            "raster larger than its reservation");
    }
  }
  Check(budget.Stats().reserved_bytes == 0, "a reservation outlived its page");
}

}  // namespace pageflow::fuzz
