#include "engine/text_layer/text_quality.h"

#include <gtest/gtest.h>

namespace pageflow {
namespace {

TextLayerPage PageOf(const std::string& text, int copies) {
  TextLayerPage page;
  for (int i = 0; i < copies; ++i) {
    TextLine line;
    line.text = text;
    page.lines.push_back(line);
  }
  return page;
}

TEST(TextQualityTest, AcceptsOrdinaryProse) {
  TextQuality q = AssessTextLayer(PageOf("An Open Corpus of Three Trillion Tokens for Language Model Research", 10));
  EXPECT_TRUE(q.usable) << q.reason;
}

TEST(TextQualityTest, AcceptsNonLatinScripts) {
  EXPECT_TRUE(AssessTextLayer(PageOf("Съешь же ещё этих мягких французских булок", 10)).usable);
  EXPECT_TRUE(AssessTextLayer(PageOf("中文文档的文字层是可以直接使用的", 10)).usable);
}

TEST(TextQualityTest, RejectsShiftedGlyphs) {
  // The same sentence with every letter shifted back by one, as in a broken ToUnicode map.
  TextQuality q = AssessTextLayer(PageOf("Zm Nodm Bnqotr ne Sgqdd Sqhkkhnm Snjdmr enq KZmftZfd Lncdk Qdrdzqbg", 10));
  EXPECT_FALSE(q.usable);
  EXPECT_NE(q.reason.find("garbled"), std::string::npos);
}

TEST(TextQualityTest, RejectsUnmappedGlyphsAndEmptyLayers) {
  TextQuality q = AssessTextLayer(PageOf("\xEF\xBF\xBD\xEF\xBF\xBD ab \xEF\xBF\xBD", 20));
  EXPECT_FALSE(q.usable);
  EXPECT_NE(q.reason.find("unmapped"), std::string::npos);
  TextQuality empty = AssessTextLayer(PageOf("", 0));
  EXPECT_FALSE(empty.usable);
  EXPECT_NE(empty.reason.find("only 0 characters"), std::string::npos);
}

TEST(TextQualityTest, CountsUnmappedCharactersOfAUsableLayer) {
  TextLayerPage page =
      PageOf("An Open Corpus of Three Trillion Tokens for Language Model", 10);
  page.lines[3].text = "\xEF\xBF\xBD-oxidation of fatty acids";
  const TextQuality q = AssessTextLayer(page);
  EXPECT_TRUE(q.usable) << q.reason;
  EXPECT_EQ(q.unmapped, 1);
  EXPECT_NE(UnmappedNote(q).find("1 of "), std::string::npos) << UnmappedNote(q);
  EXPECT_EQ(UnmappedNote(AssessTextLayer(PageOf("plain words here and more", 10))), "");
}

}  // namespace
}  // namespace pageflow
