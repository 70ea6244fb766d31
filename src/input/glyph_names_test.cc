#include "input/glyph_names.h"

#include <gtest/gtest.h>

namespace pageflow {
namespace {

TEST(GlyphNamesTest, AdobeGlyphListAndUniNames) {
  EXPECT_EQ(UnicodeFromGlyphName("beta"), 0x03B2);
  EXPECT_EQ(UnicodeFromGlyphName("uni2211"), 0x2211);
  EXPECT_EQ(UnicodeFromGlyphName("a.sc"), 'a');
}

// The names MuPDF leaves as U+FFFD in the corpus's PDFs
// (repeating_references_on_pg9_pg10, not_parsing2, failing_pdf_pg9,
// bench_math_2503_04086, ctex-faq).
TEST(GlyphNamesTest, VariantSizeAndSymbolFontNames) {
  EXPECT_EQ(UnicodeFromGlyphName("betatwo"), 0x03B2);
  EXPECT_EQ(UnicodeFromGlyphName("summationdisplay"), 0x2211);
  EXPECT_EQ(UnicodeFromGlyphName("summationtext"), 0x2211);
  EXPECT_EQ(UnicodeFromGlyphName("bracketleftBigg"), '[');
  EXPECT_EQ(UnicodeFromGlyphName("H11001"), '+');
  EXPECT_EQ(UnicodeFromGlyphName("H11003"), 0x00D7);
  EXPECT_EQ(UnicodeFromGlyphName("H11032"), 0x2032);
  EXPECT_EQ(UnicodeFromGlyphName("H9252"), 0x03B2);
  EXPECT_EQ(UnicodeFromGlyphName("H9262"), 0x03BC);
  EXPECT_EQ(UnicodeFromGlyphName("xA9"), 0x00A9);
}

TEST(GlyphNamesTest, UnknownNamesStayUnmapped) {
  EXPECT_EQ(UnicodeFromGlyphName(".notdef"), 0xFFFD);
  EXPECT_EQ(UnicodeFromGlyphName("120"), 0xFFFD);     // a glyph index, no name
  EXPECT_EQ(UnicodeFromGlyphName("char7f"), 0xFFFD);  // manfnt's dangerous bend
  EXPECT_EQ(UnicodeFromGlyphName("x87"), 0xFFFD);     // a C1 control code
  EXPECT_EQ(UnicodeFromGlyphName("H12345"), 0xFFFD);
  EXPECT_EQ(UnicodeFromGlyphName(""), 0xFFFD);
  EXPECT_EQ(UnicodeFromGlyphName(nullptr), 0xFFFD);
}

}  // namespace
}  // namespace pageflow
