// hOCR and ALTO: a document's pages with their blocks, lines and words at their boxes,
// written page by page from the page records' boxes (PageRecord::boxes), for
// digitization tools. Coordinates are pixels of the page image pageflow worked on; a
// text-layer page (boxes in PDF points) is stated at `points_dpi` (the run's --dpi),
// i.e. as if it had been rendered for OCR.
//
//   sink(HocrHeader("scan.pdf"));
//   for (const PageRecord& p : pages) sink(HocrPage(p, "scan.pdf", /*points_dpi=*/300));
//   sink(HocrFooter());                       // likewise AltoHeader/AltoPage/AltoFooter
//
// Pure functions; thread-safe. A page is written on its own, so memory does not grow
// with the document. A failed page, or one without boxes, is an empty page (hOCR: no
// bbox when the size is unknown; ALTO: a Page without WIDTH/HEIGHT).
#pragma once

#include <string>
#include <string_view>

#include "output/page_record.h"

namespace pageflow {

// Escapes text for XML content and attribute values (& < > " '); drops bytes XML 1.0
// cannot carry (control characters other than tab, newline, carriage return) and
// replaces invalid UTF-8 with U+FFFD.
std::string EscapeXml(std::string_view text);

// XHTML 1.0 with ocr-system and ocr-capabilities metadata; `title` is the source path.
std::string HocrHeader(std::string_view title);
// <div class="ocr_page" title="image ...; bbox 0 0 W H; ppageno N-1; scan_res D D">, then
// per block <div class="ocr_carea"><p class="ocr_par"><span class="ocr_line" title="bbox
// ...; baseline 0 B"><span class="ocrx_word" title="bbox ...; x_wconf C">.
// `image` is the source the page came from (the hOCR "image" property).
std::string HocrPage(const PageRecord& page, std::string_view image, int points_dpi);
std::string HocrFooter();

// ALTO v4 (ns-v4), MeasurementUnit pixel, `source` as the sourceImageInformation.
std::string AltoHeader(std::string_view source);
// <Page ID PHYSICAL_IMG_NR WIDTH HEIGHT>: headers in TopMargin, footers and page numbers
// in BottomMargin, the body in PrintSpace; TextBlock, TextLine (BASELINE "x0,y x1,y"),
// String (CONTENT HPOS VPOS WIDTH HEIGHT WC) with SP between words.
std::string AltoPage(const PageRecord& page, int points_dpi);
std::string AltoFooter();

}  // namespace pageflow
