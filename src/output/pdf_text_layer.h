// The invisible text layer of a searchable PDF page, and the glyphless font it is set
// in: each word of the page's boxes (PageBoxes) is drawn in text render mode 3
// (invisible) on its box, scaled horizontally (Tz) to the box's width, so that search,
// selection and copy find it where the picture shows it.
//
//   std::string ops = TextLayerContent(boxes, "/PFGlyphless");  // pixel space, y up
//   // placed with "sx 0 0 sy 0 0 cm", where sx = page width / boxes.width
//
// The font is a Type0 font with Identity-H encoding over a CIDFontType2 whose one glyph
// draws nothing (Tesseract's GlyphLessFont approach): a character is its UTF-16 code
// unit as CID, every CID maps to that glyph, and the ToUnicode CMap maps each CID back to
// itself, so text in any script (Chinese included) extracts as it was written. Pure
// functions; thread-safe.
#pragma once

#include <string>
#include <string_view>

#include "output/page_boxes.h"

namespace pageflow {

// Content-stream operators drawing `boxes`' words invisibly, in the boxes' own units
// with the y axis pointing up (y = boxes.height - y_box); the caller maps that space onto
// the page with a `cm`. Each line shares one baseline and font size (what text
// extraction groups lines by): the baseline is the line's own when known, else the
// bottom of most of its words; the size is the height from there to the line's top, so
// an extractor's box for a word is [line top, baseline] across the word's width. Empty
// when there are no words.
std::string TextLayerContent(const PageBoxes& boxes, std::string_view font_name);

// A character's advance in the glyphless font, thousandths of the font size (the
// descendant font's /DW).
inline constexpr int kGlyphlessAdvance = 500;

// The font program (TrueType, one empty glyph; Tesseract's pdf.ttf, Apache-2.0).
std::string_view GlyphlessFontProgram();
// The ToUnicode CMap: every 2-byte code to the same UTF-16 code unit.
std::string_view GlyphlessToUnicodeCMap();
// The CIDToGIDMap stream's data: every CID to glyph 1 (128 KB; compressed when written).
std::string GlyphlessCidToGidMap();

// UTF-8 -> UTF-16BE code units as hex ("<00480069>"); invalid bytes become U+FFFD, and
// the count of code units is returned in `units`.
std::string Utf16Hex(std::string_view utf8, int* units);

}  // namespace pageflow
