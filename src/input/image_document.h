// ImageDocument: PNG, JPEG or TIFF (every frame of a multi-page TIFF is a page),
// decoded with Leptonica. Headers are read without decoding, so a picture whose header
// claims 60,000 x 60,000 pixels is refused (or JPEG-reduced) before any pixel exists.
#pragma once

#include <memory>
#include <string>

#include "input/document.h"

namespace pageflow {

StatusOr<std::unique_ptr<Document>> OpenImageDocument(const std::string& path,
                                                      DocumentFormat format);

}  // namespace pageflow
