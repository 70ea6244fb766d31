#include "pipeline/page_selection.h"

#include <gtest/gtest.h>

namespace pageflow {
namespace {

std::string Ranges(const std::vector<PageRange>& ranges) {
  std::string out;
  for (const PageRange& r : ranges) {
    out += (out.empty() ? "" : " ") + std::to_string(r.first + 1) + "-" +
           std::to_string(r.last + 1);
  }
  return out;
}

TEST(PageSelectionTest, ParsesSortsAndMerges) {
  StatusOr<std::vector<PageRange>> s = ParsePageSelection("30, 16-25,20-26,27");
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_EQ(PageSelectionText(*s), "16-27,30");
  s = ParsePageSelection("40-");
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(PageSelectionText(*s), "40-");
  for (const char* bad : {"0", "5-2", "a", "3-x", "-4", "1-2-3"}) {
    EXPECT_FALSE(ParsePageSelection(bad).ok()) << bad;
  }
}

TEST(PageSelectionTest, WorkRangesCutTheSelectedPagesThatExist) {
  EXPECT_EQ(Ranges(WorkRanges(40, {}, 0, 16)), "1-16 17-32 33-40");
  EXPECT_EQ(Ranges(WorkRanges(40, {}, 20, 16)), "1-16 17-20");
  std::vector<PageRange> sel = *ParsePageSelection("16-25,30,38-");
  EXPECT_EQ(Ranges(WorkRanges(40, sel, 0, 4)), "16-19 20-23 24-25 30-30 38-40");
  EXPECT_EQ(Ranges(WorkRanges(28, sel, 0, 16)), "16-25");
  EXPECT_EQ(Ranges(WorkRanges(40, sel, 11, 16)), "16-25 30-30");
  EXPECT_EQ(Ranges(WorkRanges(10, sel, 0, 16)), "");
}

}  // namespace
}  // namespace pageflow
