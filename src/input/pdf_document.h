// PdfDocument: a PDF opened with MuPDF in the calling thread's context.
#pragma once

#include <memory>
#include <string>

#include "input/document.h"

namespace pageflow {

StatusOr<std::unique_ptr<Document>> OpenPdfDocument(const std::string& path);

}  // namespace pageflow
