// Recognizes a document's format from its first bytes, never from its name: a file
// called x.pdf that is not a PDF is reported as such.
#pragma once

#include <string>

#include "base/status.h"

namespace pageflow {

enum class DocumentFormat { kPdf, kPng, kJpeg, kTiff };

std::string_view FormatName(DocumentFormat format);
// NOT_FOUND / IO_ERROR if unreadable, CORRUPT if empty, UNSUPPORTED otherwise unknown.
StatusOr<DocumentFormat> DetectFormat(const std::string& path);
// True for names a directory walk picks up (.pdf .png .jpg .jpeg .tif .tiff, any case).
bool HasDocumentExtension(const std::string& path);

}  // namespace pageflow
