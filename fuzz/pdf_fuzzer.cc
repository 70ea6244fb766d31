// A PDF as a worker reads it, under a small budget: open (page tree, repair), page
// count, and for the first pages the geometry, the text layer and a render, with
// MuPDF's allocations held to the page's allowance.
#include "document_driver.h"
#include "fuzz_target.h"
#include "input/pdf_document.h"

PAGEFLOW_FUZZ_TARGET(pdf, data) {
  using namespace pageflow;
  const std::string& path = fuzz::WriteInputFile(data);
  StatusOr<std::unique_ptr<Document>> doc = OpenPdfDocument(path);
  if (!doc.ok()) return;
  fuzz::Check((*doc)->page_count() > 0, "a PDF opened with no pages");
  fuzz::ReadPages(doc->get());
}
