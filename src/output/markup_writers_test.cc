#include "output/markup_writers.h"

#include <gtest/gtest.h>

namespace pageflow {
namespace {

PageRecord Page(int n, Unit unit, int width, int height, int dpi) {
  PageRecord r{n, "text", "tesseract", 0.9f, "", "", 1, 0.1};
  PageBoxes b;
  b.width = width;
  b.height = height;
  b.unit = unit;
  b.dpi = dpi;
  b.blocks.push_back({"header", {10, 5, 60, 15}, 1.0f, {}});
  b.blocks[0].lines.push_back(
      {{10, 5, 60, 15}, 14, 1.0f, {{"Head", {10, 5, 60, 15}, 1.0f}}});
  b.blocks.push_back({"paragraph", {10, 20, 100, 32}, 0.8f, {}});
  b.blocks[1].lines.push_back(
      {{10, 20, 100, 32},
       30,
       0.8f,
       {{"A&B", {10, 20, 40, 32}, 0.934f}, {"<x\">", {50, 20, 100, 32}, 0.5f}}});
  r.boxes = b;
  return r;
}

TEST(EscapeXmlTest, EscapesMarkupAndDropsWhatXmlCannotCarry) {
  EXPECT_EQ(EscapeXml("a<b>&\"c'"), "a&lt;b&gt;&amp;&quot;c&apos;");
  EXPECT_EQ(EscapeXml("x\x01y\tz"), "xy\tz");
  EXPECT_EQ(EscapeXml("Grüße 中文"), "Grüße 中文");
  EXPECT_EQ(EscapeXml("bad\xff byte"), "bad\xEF\xBF\xBD byte");
  EXPECT_EQ(EscapeXml("cut \xE4\xB8"), "cut \xEF\xBF\xBD\xEF\xBF\xBD");
}

TEST(HocrTest, PageHasBboxesConfidencesAndNesting) {
  const std::string h =
      HocrPage(Page(2, Unit::kPixels, 200, 100, 300), "in/scan \"1\".tif", 300);
  EXPECT_NE(
      h.find("<div class=\"ocr_page\" id=\"page_2\" title=\"image &quot;in/scan "
             "&quot;1&quot;.tif&quot;; ppageno 1; bbox 0 0 200 100; scan_res 300 300\">"),
      std::string::npos)
      << h;
  EXPECT_NE(
      h.find("<div class=\"ocr_carea\" id=\"block_2_1\" title=\"bbox 10 5 60 15\">"),
      std::string::npos)
      << h;
  EXPECT_NE(h.find("<p class=\"ocr_par\" id=\"par_2_2\" title=\"bbox 10 20 100 32\">"),
            std::string::npos)
      << h;
  // baseline: slope 0, offset from the line's bottom (30 - 32).
  EXPECT_NE(h.find("<span class=\"ocr_line\" id=\"line_2_2\" title=\"bbox 10 20 100 32; "
                   "baseline 0 -2\">"),
            std::string::npos)
      << h;
  EXPECT_NE(
      h.find("<span class=\"ocrx_word\" id=\"word_2_2\" title=\"bbox 10 20 40 32; "
             "x_wconf 93\">A&amp;B</span> <span class=\"ocrx_word\" id=\"word_2_3\" "
             "title=\"bbox 50 20 100 32; x_wconf 50\">&lt;x&quot;&gt;</span>"),
      std::string::npos)
      << h;
}

TEST(HocrTest, PointsBecomePixelsAtTheStatedDpi) {
  const std::string h = HocrPage(Page(1, Unit::kPoints, 612, 792, 72), "a.pdf", 300);
  EXPECT_NE(h.find("bbox 0 0 2550 3300; scan_res 300 300"), std::string::npos) << h;
  EXPECT_NE(h.find("title=\"bbox 42 83 167 133; x_wconf 93\""), std::string::npos) << h;
}

TEST(HocrTest, FailedPageIsAnEmptyPage) {
  PageRecord failed{3, "", "", 0, "", "cannot render", 0, 0};
  EXPECT_EQ(
      HocrPage(failed, "a.pdf", 300),
      "<div class=\"ocr_page\" id=\"page_3\" title=\"image &quot;a.pdf&quot;; ppageno "
      "2\"></div>\n");
}

TEST(AltoTest, PageHasMarginsPrintSpaceStringsAndSpaces) {
  const std::string a = AltoPage(Page(1, Unit::kPixels, 200, 100, 300), 300);
  EXPECT_EQ(
      a.rfind("<Page ID=\"page_1\" PHYSICAL_IMG_NR=\"1\" WIDTH=\"200\" HEIGHT=\"100\">",
              0),
      0u)
      << a;
  const size_t top =
      a.find("<TopMargin HPOS=\"10\" VPOS=\"5\" WIDTH=\"50\" HEIGHT=\"10\">");
  const size_t print =
      a.find("<PrintSpace HPOS=\"0\" VPOS=\"0\" WIDTH=\"200\" HEIGHT=\"100\">");
  ASSERT_NE(top, std::string::npos) << a;
  ASSERT_NE(print, std::string::npos) << a;
  EXPECT_LT(top, print);
  EXPECT_NE(
      a.find(
          "<TextLine ID=\"line_1_2\" HPOS=\"10\" VPOS=\"20\" WIDTH=\"90\" HEIGHT=\"12\" "
          "BASELINE=\"10,30 100,30\">"
          "<String ID=\"string_1_2\" CONTENT=\"A&amp;B\" HPOS=\"10\" VPOS=\"20\" "
          "WIDTH=\"30\" HEIGHT=\"12\" WC=\"0.93\"/><SP/>"
          "<String ID=\"string_1_3\" CONTENT=\"&lt;x&quot;&gt;\" HPOS=\"50\" "
          "VPOS=\"20\" WIDTH=\"50\" HEIGHT=\"12\" WC=\"0.50\"/></TextLine>"),
      std::string::npos)
      << a;
  EXPECT_NE(a.find("</PrintSpace>\n</Page>\n"), std::string::npos);
}

TEST(AltoTest, PageWithoutBoxesHasNoSize) {
  PageRecord vlm{4, "# Title", "vlm", 1.0f, "", "", 1, 0};
  EXPECT_EQ(AltoPage(vlm, 300), "<Page ID=\"page_4\" PHYSICAL_IMG_NR=\"4\"/>\n");
}

TEST(AltoTest, HeaderDeclaresPixelsAndTheSource) {
  const std::string h = AltoHeader("in/a&b.pdf");
  EXPECT_NE(h.find("xmlns=\"http://www.loc.gov/standards/alto/ns-v4#\""),
            std::string::npos);
  EXPECT_NE(h.find("<MeasurementUnit>pixel</MeasurementUnit>"), std::string::npos);
  EXPECT_NE(h.find("<fileName>in/a&amp;b.pdf</fileName>"), std::string::npos);
  EXPECT_EQ(AltoFooter(), "</Layout>\n</alto>\n");
}

}  // namespace
}  // namespace pageflow
