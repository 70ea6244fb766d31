// JpegProbe: what a JPEG's header says about the memory its decoding needs, read with
// libjpeg without decoding any pixel data.
//
//   StatusOr<JpegLayout> layout = ProbeJpeg("scan.jpg");
//   if (layout.ok() && layout->progressive) plan for layout->coefficient_bytes as well;
#pragma once

#include <cstdint>
#include <string>

#include "base/status.h"

namespace pageflow {

struct JpegLayout {
  int width = 0;
  int height = 0;
  int components = 0;
  // Progressive (and multi-scan) files: libjpeg keeps every DCT coefficient of the whole
  // image until the last scan, however much the output is reduced while decoding.
  bool progressive = false;
  // Bytes of those whole-image coefficient buffers (64 two-byte coefficients per 8x8
  // block of each component, at its sampling); 0 for single-scan baseline files.
  int64_t coefficient_bytes = 0;
};

// CORRUPT when the header cannot be read; IO_ERROR when the file cannot be opened.
StatusOr<JpegLayout> ProbeJpeg(const std::string& path);

}  // namespace pageflow
