#include "layout/reading_order.h"

#include <gtest/gtest.h>

#include "layout/geometry.h"
#include "layout/test_lines.h"

namespace pageflow {
namespace {

// Two columns of five lines each, on the same baselines (a born-digital article).
std::vector<OrderItem> TwoColumns(int top = 100) {
  std::vector<OrderItem> items;
  for (int i = 0; i < 5; ++i) {
    items.push_back({{50, top + 14 * i, 290, top + 14 * i + 12}, 6});  // left: 0, 2, ...
    items.push_back(
        {{322, top + 14 * i, 562, top + 14 * i + 12}, 6});  // right: 1, 3, ...
  }
  return items;
}

TEST(ReadingOrderTest, ReadsTheLeftColumnThenTheRight) {
  const auto groups = ReadingOrderGroups(TwoColumns());
  ASSERT_EQ(groups.size(), 2u);
  EXPECT_EQ(groups[0], (std::vector<size_t>{0, 2, 4, 6, 8}));
  EXPECT_EQ(groups[1], (std::vector<size_t>{1, 3, 5, 7, 9}));
}

// A footnote under both columns, a little wider than one column and right under them
// (no gap to cut at): the columns are still read one after the other, then the note.
TEST(ReadingOrderTest, AFootnoteAcrossTheGutterDoesNotMergeTheColumns) {
  std::vector<OrderItem> items = TwoColumns(100);
  const size_t note = items.size();
  items.push_back({{50, 172, 340, 184}, 8});  // 290 of 512 wide: crosses the gutter
  const auto groups = ReadingOrderGroups(items);
  std::vector<size_t> order;
  for (const auto& g : groups) order.insert(order.end(), g.begin(), g.end());
  ASSERT_EQ(order.size(), items.size());
  EXPECT_EQ(order[0], 0u);
  EXPECT_EQ(order[4], 8u);
  EXPECT_EQ(order[5], 1u);  // the right column after the whole left one
  EXPECT_EQ(order[10], note);
}

TEST(ReadingOrderTest, FullWidthItemsSeparateColumnBands) {
  std::vector<OrderItem> items = TwoColumns(100);
  const size_t title = items.size();
  items.push_back({{50, 60, 562, 80}, 5});  // a title over both columns
  const size_t middle = items.size();
  items.push_back({{50, 172, 562, 184}, 9});  // a full-width line right under them
  for (const OrderItem& item : TwoColumns(190)) items.push_back(item);
  const auto groups = ReadingOrderGroups(items);
  std::vector<size_t> order;
  for (const auto& g : groups) order.insert(order.end(), g.begin(), g.end());
  ASSERT_EQ(order.size(), items.size());
  EXPECT_EQ(order[0], title);
  EXPECT_EQ(order[1], 0u);  // left column of the first band
  EXPECT_EQ(order[5], 8u);
  EXPECT_EQ(order[6], 1u);  // then its right column
  EXPECT_EQ(order[11], middle);
  EXPECT_EQ(order[12], middle + 1);  // left column of the second band
  EXPECT_EQ(order[17], middle + 2);
}

TEST(ReadingOrderTest, LabelsAndValuesAreNotColumns) {
  // A form: short labels at x=50, values at x=300, three rows.
  std::vector<OrderItem> items;
  for (int i = 0; i < 3; ++i) {
    items.push_back({{50, 100 + 14 * i, 130, 112 + 14 * i}, 2});
    items.push_back({{300, 100 + 14 * i, 390, 112 + 14 * i}, 3});
  }
  const auto groups = ReadingOrderGroups(items);
  ASSERT_EQ(groups.size(), 1u);
  EXPECT_EQ(groups[0], (std::vector<size_t>{0, 1, 2, 3, 4, 5}));  // row by row
}

// One skewed row of a scanned fax's header, four boxes with wide gaps between them
// (funsd_83594639): side by side, not stacked, so no column of either pair; the row is
// one group, left to right.
TEST(ReadingOrderTest, BoxesOfOneSkewedRowAreNotColumns) {
  const std::vector<OrderItem> items = {{{637, 72, 670, 86}, 1},
                                        {{338, 74, 473, 90}, 3},
                                        {{114, 77, 279, 91}, 4},
                                        {{55, 79, 108, 92}, 1}};
  const auto groups = ReadingOrderGroups(items);
  ASSERT_EQ(groups.size(), 1u);
  EXPECT_EQ(groups[0], (std::vector<size_t>{3, 2, 1, 0}));
}

TEST(ReadingOrderTest, EveryItemOnceAndEmptyInput) {
  EXPECT_TRUE(ReadingOrderGroups({}).empty());
  const auto groups = ReadingOrderGroups({{{10, 10, 20, 20}, 1}});
  ASSERT_EQ(groups.size(), 1u);
  EXPECT_EQ(groups[0], std::vector<size_t>{0});
}

TEST(MergeBaselineLinesTest, JoinsALabelAndItsValue) {
  std::vector<LayoutLine> lines = {TestLine("July 23, 1998", 300, 100, 390, 112),
                                   TestLine("Next line", 50, 130, 120, 142),
                                   TestLine("DATE FILED:", 50, 101, 130, 112)};
  for (LayoutLine& l : lines) NormalizeLine(&l);
  const std::vector<LayoutLine> rows = MergeBaselineLines(lines);
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0].text, "DATE FILED: July 23, 1998");
  EXPECT_EQ(rows[0].words.size(), 5u);
  EXPECT_EQ(rows[0].box.x0, 50);
  EXPECT_EQ(rows[0].box.x1, 390);
  EXPECT_EQ(rows[1].text, "Next line");
}

TEST(MergeBaselineLinesTest, KeepsOverlappingOrOffsetLinesApart) {
  std::vector<LayoutLine> lines = {TestLine("first", 50, 100, 200, 112),
                                   TestLine("overlapping", 150, 101, 300, 113),
                                   TestLine("lower", 320, 108, 400, 120)};
  for (LayoutLine& l : lines) NormalizeLine(&l);
  EXPECT_EQ(MergeBaselineLines(lines).size(), 3u);
}

}  // namespace
}  // namespace pageflow
