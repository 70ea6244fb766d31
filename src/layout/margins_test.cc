#include "layout/margins.h"

#include <gtest/gtest.h>

#include <string>

namespace pageflow {
namespace {

// A one-line paragraph block (PDF points, type size = its height unless given).
Block Line(std::string text, Box box, float font_size = 0) {
  Block b;
  b.text = text;
  b.box = box;
  TextLine l;
  l.text = std::move(text);
  l.box = box;
  l.font_size = font_size;
  b.lines = {l};
  return b;
}

// A body paragraph of `lines` lines of 10-point text from (x0, y0), 12 points apart.
Block Paragraph(int x0, int y0, int x1, int lines) {
  Block b;
  b.text = "Body text.";
  for (int i = 0; i < lines; ++i) {
    TextLine l;
    l.text = "Body text line " + std::to_string(i);
    l.box = {x0, y0 + 12 * i, x1, y0 + 12 * i + 10};
    b.lines.push_back(l);
  }
  b.box = {x0, y0, x1, y0 + 12 * lines - 2};
  return b;
}

PageModel Page(std::vector<Block> blocks) {
  PageModel m;
  m.page_width = 600;
  m.page_height = 800;
  m.unit = Unit::kPoints;
  m.blocks = std::move(blocks);
  return m;
}

std::vector<std::string> Texts(const std::vector<Block>& blocks) {
  std::vector<std::string> out;
  for (const Block& b : blocks) out.push_back(b.text);
  return out;
}

// Reading order put the running header at the head of the right column; it is still
// the page's head, with the body well below it.
TEST(MarginsTest, ARunningHeaderAnywhereInReadingOrder) {
  PageModel m = Page({Paragraph(50, 60, 290, 30),
                      Line("L. Author et al., 2015, Vol. 113", {360, 27, 480, 36}),
                      Paragraph(310, 60, 550, 30)});
  const std::vector<MarginLine> undecided = SetMarginsApart(m, 6);
  EXPECT_TRUE(undecided.empty());
  ASSERT_EQ(m.furniture.size(), 1u);
  EXPECT_EQ(m.furniture[0].kind, BlockKind::kHeader);
  EXPECT_EQ(m.blocks.size(), 2u);
}

// Close above the body, but set left of every line of it: a running title, not the end
// of a paragraph from the page before; a little larger than the text, as DocBook sets
// them.
TEST(MarginsTest, AnOffsetShortTitleIsAHeaderDespiteASmallGap) {
  PageModel m =
      Page({Line("fonts-conf", {95, 46, 136, 56}), Paragraph(143, 62, 500, 40)});
  EXPECT_TRUE(SetMarginsApart(m, 6).empty());
  ASSERT_EQ(m.furniture.size(), 1u);
  EXPECT_EQ(m.furniture[0].text, "fonts-conf");
}

// The short last line of a paragraph carried over, at the column's left edge, close
// above the next paragraph: kept aside for the document's other pages to decide.
TEST(MarginsTest, AParagraphTailAtTheTopIsNotFurnitureByItself) {
  PageModel m = Page(
      {Line("tion of the method.", {143, 46, 230, 56}), Paragraph(143, 62, 500, 40)});
  const std::vector<MarginLine> undecided = SetMarginsApart(m, 6);
  EXPECT_TRUE(m.furniture.empty());
  ASSERT_EQ(undecided.size(), 1u);
  EXPECT_FALSE(undecided[0].bottom);
  EXPECT_EQ(undecided[0].block.text, "tion of the method.");
  EXPECT_EQ(undecided[0].y_permille, 63);
  EXPECT_EQ(m.blocks.size(), 1u);
}

// LaTeX sets the page number far above the paper's edge, out of the margin band.
TEST(MarginsTest, APageNumberLowOnThePageOutsideTheBand) {
  PageModel m = Page({Paragraph(90, 60, 500, 50), Line("6", {294, 714, 301, 729})});
  EXPECT_TRUE(SetMarginsApart(m, 6).empty());
  ASSERT_EQ(m.furniture.size(), 1u);
  EXPECT_EQ(m.furniture[0].kind, BlockKind::kPageNumber);
  EXPECT_EQ(Texts(m.blocks), std::vector<std::string>{"Body text."});
}

// A number in the middle of the page, or one sharing its row with text, stays.
TEST(MarginsTest, ANumberThatIsNotAPageNumberStays) {
  PageModel mid = Page({Paragraph(90, 60, 500, 20), Line("42", {294, 400, 310, 412})});
  SetMarginsApart(mid, 6);
  EXPECT_TRUE(mid.furniture.empty());
  EXPECT_EQ(mid.blocks.size(), 2u);

  PageModel row = Page({Paragraph(90, 60, 500, 50), Line("6", {90, 714, 97, 729}),
                        Line("Total of the table", {200, 714, 400, 729})});
  SetMarginsApart(row, 6);
  EXPECT_TRUE(row.furniture.empty());
  EXPECT_EQ(row.blocks.size(), 3u);
}

// A title larger than the body at the top of the page is no running header.
TEST(MarginsTest, ALargerLineAtTheTopIsNotFurnitureByItself) {
  Block title = Line("A Study of Things", {200, 30, 400, 50}, 20);
  title.kind = BlockKind::kHeading;
  PageModel m = Page({title, Paragraph(90, 90, 500, 40)});
  const std::vector<MarginLine> undecided = SetMarginsApart(m, 6);
  EXPECT_TRUE(m.furniture.empty());
  EXPECT_EQ(undecided.size(), 1u);
}

}  // namespace
}  // namespace pageflow
