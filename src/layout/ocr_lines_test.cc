#include "layout/ocr_lines.h"

#include <gtest/gtest.h>

#include <string>

namespace pageflow {
namespace {

std::vector<std::string> Texts(const std::vector<TextLine>& lines) {
  std::vector<std::string> out;
  for (const TextLine& l : lines) out.push_back(l.text);
  return out;
}

// A scanned two-column page at 300 dpi as ppocr finds it: one box a line, the boxes of
// both columns side by side on the same rows, a title over both.
std::vector<RecognizedBox> TwoColumnScan() {
  std::vector<RecognizedBox> boxes;
  boxes.push_back({300, 100, 2100, 160, "A Title Over Both Columns", 0.99f});
  for (int i = 0; i < 6; ++i) {
    const float y = 250 + 60 * i;
    boxes.push_back({150, y, 1180, y + 45,
                     "left column line " + std::to_string(i) + " of text", 0.95f});
    boxes.push_back({1300, y, 2330, y + 45,
                     "right column line " + std::to_string(i) + " of text", 0.9f});
  }
  return boxes;
}

TEST(LinesFromBoxesTest, ReadsColumnsOneAfterTheOtherAsBlocks) {
  const std::vector<TextLine> lines = LinesFromBoxes(TwoColumnScan());
  ASSERT_EQ(lines.size(), 13u);
  EXPECT_EQ(lines[0].text, "A Title Over Both Columns");
  EXPECT_EQ(lines[1].text, "left column line 0 of text");
  EXPECT_EQ(lines[6].text, "left column line 5 of text");
  EXPECT_EQ(lines[7].text, "right column line 0 of text");
  EXPECT_EQ(lines[12].text, "right column line 5 of text");
  // One block a column piece, in reading order, each starting a paragraph.
  EXPECT_EQ(lines[0].block_id, 0);
  EXPECT_EQ(lines[1].block_id, 1);
  EXPECT_EQ(lines[7].block_id, 2);
  EXPECT_TRUE(lines[1].block_start);
  EXPECT_FALSE(lines[2].block_start);
  EXPECT_TRUE(lines[7].block_start);
}

// A receipt: item names on the left, prices in a narrow column on the right, on the same
// rows. Prices are no text column: each row stays one line, name then price.
TEST(LinesFromBoxesTest, AReceiptsPriceColumnStaysOnItsRows) {
  std::vector<RecognizedBox> boxes;
  const char* items[] = {"COFFEE LATTE LARGE", "CHEESE SANDWICH", "MINERAL WATER",
                         "TOTAL"};
  const char* prices[] = {"4.50", "6.20", "1.80", "12.50"};
  for (int i = 0; i < 4; ++i) {
    const float y = 300 + 50 * i;
    boxes.push_back({60, y, 420, y + 36, items[i], 0.9f});
    boxes.push_back({640, y + 2, 740, y + 36, prices[i], 0.9f});
  }
  EXPECT_EQ(Texts(LinesFromBoxes(boxes)),
            (std::vector<std::string>{"COFFEE LATTE LARGE 4.50", "CHEESE SANDWICH 6.20",
                                      "MINERAL WATER 1.80", "TOTAL 12.50"}));
}

// A fax header slanting up to the right over a form (funsd_83594639 as ppocr reads
// it): the row's four boxes are one line in reading order, above the form's rows.
TEST(LinesFromBoxesTest, ASkewedHeaderRowStaysOneLine) {
  const std::vector<RecognizedBox> boxes = {
      {637.2f, 72.8f, 670.0f, 85.8f, "001", 0.99f},
      {338.5f, 74.3f, 472.6f, 89.9f, "ROPER STARCH WORLDWID", 0.95f},
      {114.4f, 77.5f, 278.4f, 90.9f, "M0N 15:35 FAX 12124554900", 0.94f},
      {55.7f, 79.9f, 107.7f, 91.4f, "09/22/97", 0.99f},
      {100.8f, 267.0f, 160.0f, 285.0f, "Date:", 0.99f},
      {209.0f, 267.0f, 315.0f, 285.0f, "September 22, 1997", 0.99f},
      {100.8f, 296.7f, 150.0f, 316.0f, "To:", 0.99f},
      {209.3f, 296.7f, 279.9f, 316.0f, "Ron Milstein", 0.96f}};
  EXPECT_EQ(Texts(LinesFromBoxes(boxes)),
            (std::vector<std::string>{
                "09/22/97 M0N 15:35 FAX 12124554900 ROPER STARCH WORLDWID 001",
                "Date: September 22, 1997", "To: Ron Milstein"}));
}

TEST(LinesFromBoxesTest, WordBoxesShareTheBoxByCharacters) {
  const std::vector<TextLine> lines =
      LinesFromBoxes({{100, 50, 190, 80, "ab cdefgh", 0.8f}});
  ASSERT_EQ(lines.size(), 1u);
  ASSERT_EQ(lines[0].words.size(), 2u);
  EXPECT_EQ(lines[0].words[0].text, "ab");
  EXPECT_EQ(lines[0].words[0].box.x0, 100);
  EXPECT_EQ(lines[0].words[0].box.x1, 120);  // 10 px a character, one a gap
  EXPECT_EQ(lines[0].words[1].box.x0, 130);
  EXPECT_EQ(lines[0].words[1].box.x1, 190);
  EXPECT_FLOAT_EQ(lines[0].words[1].confidence, 0.8f);
  EXPECT_FLOAT_EQ(lines[0].confidence, 0.8f);
  EXPECT_TRUE(LinesFromBoxes({}).empty());
}

}  // namespace
}  // namespace pageflow
