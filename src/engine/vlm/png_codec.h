// PNG and base64 encoding of a raster for a VLM request, into caller-sized buffers so the
// bytes are known (and reserved) before they exist.
//
//   std::string png;  png.reserve(PngBoundBytes(w, h, ch));   // paid by the page's reservation
//   Status st = EncodePng(raster, /*rotation_ccw=*/0, &png);
//   AppendBase64(png, &body);
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "base/status.h"
#include "raster/raster.h"

namespace pageflow {

// Upper bound of EncodePng's output for a w x h raster with `channels` (1 or 3).
int64_t PngBoundBytes(int width, int height, int channels);
// Bytes of the base64 text of n bytes.
inline int64_t Base64Bytes(int64_t n) { return (n + 2) / 3 * 4; }

// Encodes `raster` as PNG (8-bit gray or RGB, fast deflate), rotated counter-clockwise by
// rotation_ccw degrees (0, 90, 180, 270), appending to *out. *out should have capacity
// PngBoundBytes() so that it never reallocates. INTERNAL if libpng fails.
Status EncodePng(const Raster& raster, int rotation_ccw, std::string* out);

// Appends the standard base64 (with padding) of `data` to *out.
void AppendBase64(std::string_view data, std::string* out);
// Decodes standard base64; false on malformed input. (Test server and tests.)
bool DecodeBase64(std::string_view text, std::string* out);

}  // namespace pageflow
