// Unicode for glyphs that a PDF's text layer leaves unmapped (MuPDF's U+FFFD): the
// glyph's name in its font, read the way pdftotext does and a little further.
//
//   int c = UnicodeFromGlyphName("betatwo");   // U+03B2; 0xFFFD when unknown
#pragma once

namespace pageflow {

// The code point a glyph name stands for, or 0xFFFD. Tries, in order: the Adobe Glyph
// List and uniXXXX/uXXXX names; a known name with a variant or size suffix ("betatwo",
// "summationdisplay", "bracketleftBigg", "a.sc"); hexadecimal code names ("xA9"); the
// numbered names of the Mathematical Pi fonts ("H11001" is "+"). Names that are only a
// number (fonts without glyph names) and ".notdef" stay unknown.
int UnicodeFromGlyphName(const char* name);

}  // namespace pageflow
