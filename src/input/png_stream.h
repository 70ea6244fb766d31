// Decodes a non-interlaced PNG row by row straight into a smaller 8-bit gray raster
// (area averaging), so a picture of any size costs one row plus the output: a 12,000 x
// 12,000 scan never exists in memory at full size.
//
//   if (PngCanStream(path)) PF_RETURN_IF_ERROR(DecodePngScaled(path, &raster));
#pragma once

#include <string>

#include "base/status.h"
#include "raster/raster.h"

namespace pageflow {

// True for a readable PNG that is not interlaced (interlaced ones need whole passes).
bool PngCanStream(const std::string& path);
// Fills `out` (already allocated, 1 channel, at most the PNG's size) from the picture.
// CORRUPT if the PNG is damaged or truncated.
Status DecodePngScaled(const std::string& path, Raster* out);

}  // namespace pageflow
