#include "output/pdf_text_layer.h"

#include <gtest/gtest.h>

namespace pageflow {
namespace {

TEST(Utf16HexTest, EncodesBmpAndSurrogatesAndSkipsControls) {
  int units = 0;
  EXPECT_EQ(Utf16Hex("Hi", &units), "<00480069>");
  EXPECT_EQ(units, 2);
  EXPECT_EQ(Utf16Hex("中文", &units), "<4E2D6587>");
  EXPECT_EQ(units, 2);
  EXPECT_EQ(Utf16Hex("\xF0\x9F\x98\x80", &units), "<D83DDE00>");  // U+1F600
  EXPECT_EQ(units, 2);
  EXPECT_EQ(Utf16Hex("a\x01\xff", &units), "<0061FFFD>");
  EXPECT_EQ(units, 2);
}

TEST(TextLayerContentTest, WordsSitOnTheLineBaselineScaledToTheirBoxes) {
  PageBoxes b;
  b.width = 1000;
  b.height = 2000;
  b.blocks.push_back({"paragraph", {100, 100, 400, 140}, 1.0f, {}});
  // "gap" hangs below the baseline (y 130): the baseline is where most words end.
  b.blocks[0].lines.push_back({{100, 100, 400, 140},
                               -1,
                               1.0f,
                               {{"Hello", {100, 100, 200, 130}, 1.0f},
                                {"gap", {220, 108, 280, 140}, 1.0f},
                                {"world", {300, 102, 400, 130}, 1.0f}}});
  const std::string ops = TextLayerContent(b, "/F");
  // Size: baseline 130 - top 100; y: 2000 - 130.
  EXPECT_EQ(ops.rfind("BT\n3 Tr\n/F 30 Tf\n", 0), 0u) << ops;
  // 100 px for 5 characters of 15 units (half of 30): 133.33%.
  EXPECT_NE(ops.find("133.33 Tz 1 0 0 1 100 1870 Tm <00480065006C006C006F> Tj"),
            std::string::npos)
      << ops;
  EXPECT_NE(ops.find("1 0 0 1 220 1870 Tm"), std::string::npos) << ops;
  EXPECT_EQ(ops.substr(ops.size() - 3), "ET\n");
}

TEST(TextLayerContentTest, NoWordsNoContent) {
  PageBoxes b;
  b.width = 10;
  b.height = 10;
  EXPECT_EQ(TextLayerContent(b, "/F"), "");
  b.blocks.push_back({"paragraph", {0, 0, 5, 5}, 1.0f, {}});
  b.blocks[0].lines.push_back({{0, 0, 5, 5}, -1, 1.0f, {{"\x01", {0, 0, 5, 5}, 1.0f}}});
  EXPECT_EQ(TextLayerContent(b, "/F"), "");
}

TEST(GlyphlessFontTest, IsATrueTypeWithAnIdentityToUnicode) {
  const std::string_view font = GlyphlessFontProgram();
  ASSERT_GT(font.size(), 12u);
  EXPECT_EQ(font.substr(0, 4), std::string_view("\0\1\0\0", 4));
  EXPECT_NE(GlyphlessToUnicodeCMap().find("<0000> <FFFF> <0000>"), std::string::npos);
  const std::string map = GlyphlessCidToGidMap();
  ASSERT_EQ(map.size(), 131072u);
  EXPECT_EQ(map[0], 0);
  EXPECT_EQ(map[1], 1);
  EXPECT_EQ(map[131071], 1);
}

}  // namespace
}  // namespace pageflow
