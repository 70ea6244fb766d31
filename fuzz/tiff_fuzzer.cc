// TIFF decoding (every frame a page) through our wrappers (ImageDocument: header checks,
// the decode plan, the decode itself under a reservation), as a pipeline worker reads a
// page.
#include "document_driver.h"
#include "fuzz_target.h"
#include "input/image_document.h"

PAGEFLOW_FUZZ_TARGET(tiff, data) {
  using namespace pageflow;
  const std::string& path = fuzz::WriteInputFile(data);
  StatusOr<std::unique_ptr<Document>> doc =
      OpenImageDocument(path, DocumentFormat::kTiff);
  if (doc.ok()) fuzz::ReadPages(doc->get());
}
