#include "input/document.h"

#include "input/image_document.h"
#include "input/mupdf_context.h"
#include "input/pdf_document.h"

namespace pageflow {

StatusOr<std::unique_ptr<Document>> OpenDocument(const std::string& path) {
  PF_ASSIGN_OR_RETURN(DocumentFormat format, DetectFormat(path));
  if (format == DocumentFormat::kPdf) return OpenPdfDocument(path);
  return OpenImageDocument(path, format);
}

void SetPdfStoreLimit(int64_t bytes) { SetMupdfStoreBytes(bytes); }
int64_t PdfStoreLimit() { return MupdfStoreBytes(); }
bool UseOwnPdfContext(int64_t store_bytes) { return UseOwnMupdfContext(store_bytes); }

}  // namespace pageflow
