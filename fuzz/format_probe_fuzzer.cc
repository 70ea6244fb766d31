// Format detection and image header probing: what `run` does with every file it is
// given before any page is read (DetectFormat, the JPEG probe, PNG streaming check,
// opening an image by its header and reading its page geometry).
#include "fuzz_target.h"
#include "input/document.h"
#include "input/format.h"
#include "input/jpeg_probe.h"
#include "input/png_stream.h"

PAGEFLOW_FUZZ_TARGET(format_probe, data) {
  using namespace pageflow;
  const std::string& path = fuzz::WriteInputFile(data);
  StatusOr<DocumentFormat> format = DetectFormat(path);
  if (!format.ok()) return;
  if (*format == DocumentFormat::kPdf) return;  // the pdf target reads those
  if (*format == DocumentFormat::kJpeg) {
    StatusOr<JpegLayout> layout = ProbeJpeg(path);
    if (layout.ok()) {
      fuzz::Check(layout->width > 0 && layout->height > 0, "JPEG probe: empty size");
      fuzz::Check(layout->coefficient_bytes >= 0, "JPEG probe: negative coefficients");
    }
  }
  if (*format == DocumentFormat::kPng) (void)PngCanStream(path);
  StatusOr<std::unique_ptr<Document>> doc = OpenDocument(path);
  if (!doc.ok()) return;
  for (int page = 0; page < std::min((*doc)->page_count(), 4); ++page) {
    StatusOr<PageGeometry> g = (*doc)->Geometry(page);
    if (g.ok()) {
      fuzz::Check(
          g->decode_bytes >= 0 && g->convert_bytes >= 0 && g->unreduced_decode_bytes >= 0,
          "negative decode cost");
    }
  }
}
