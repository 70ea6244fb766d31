#include "layout/headings.h"

#include <gtest/gtest.h>

#include "layout/geometry.h"
#include "layout/test_lines.h"

namespace pageflow {
namespace {

const char kBody[] = "body text that runs across the whole column of the page";

std::vector<LayoutLine> Page(std::vector<LayoutLine> extra, bool fonts) {
  std::vector<LayoutLine> lines;
  for (int i = 0; i < 20; ++i) {
    lines.push_back(TestLine(kBody, 50, 200 + 14 * i, 500,
                             fonts ? 212 + 14 * i : 230 + 40 * i, fonts ? 10 : 0));
    if (!fonts) lines.back().box = {50, 200 + 40 * i, 500, 230 + 40 * i};
  }
  for (LayoutLine& l : extra) lines.push_back(std::move(l));
  for (LayoutLine& l : lines) NormalizeLine(&l);
  return lines;
}

// A page of small type (references) with a few lines of larger text: those that start
// in lowercase or with a formula's brace are the rest of a sentence, not headings.
TEST(HeadingScaleTest, LargerLinesThatContinueASentenceAreNotHeadings) {
  const std::vector<LayoutLine> lines =
      Page({TestLine("lege for their generous support through an Overleaf subscription",
                     50, 40, 500, 54, 12),
            TestLine("{x}g in R where", 50, 60, 300, 74, 12),
            TestLine("Acknowledgements", 50, 80, 300, 94, 12)},
           true);
  const HeadingScale scale = HeadingScale::Of(lines);
  EXPECT_EQ(scale.Level(lines[20]), 0);
  EXPECT_EQ(scale.Level(lines[21]), 0);
  EXPECT_EQ(scale.Level(lines[22]), 1);
}

TEST(HeadingScaleTest, RanksFontSizes) {
  const std::vector<LayoutLine> lines = Page(
      {TestLine("Title", 50, 40, 300, 62, 18), TestLine("Section", 50, 80, 300, 96, 14),
       TestLine("Other section", 50, 120, 300, 136, 14.5f),
       TestLine("Bold run-in", 50, 150, 300, 162, 10, /*bold=*/true)},
      true);
  const HeadingScale scale = HeadingScale::Of(lines);
  EXPECT_TRUE(scale.uses_fonts());
  EXPECT_FLOAT_EQ(scale.body_size(), 10);
  EXPECT_EQ(scale.Level(lines[20]), 1);
  EXPECT_EQ(scale.Level(lines[21]), 2);
  EXPECT_EQ(scale.Level(lines[22]), 2);  // within 8%: the same level
  EXPECT_EQ(scale.Level(lines[23]), 3);  // bold at body size ranks last
  EXPECT_EQ(scale.Level(lines[0]), 0);
}

TEST(HeadingScaleTest, LongLinesAreNotHeadings) {
  std::vector<LayoutLine> lines =
      Page({TestLine("a large line with many many words in it that goes on and on and on",
                     50, 40, 500, 62, 18)},
           true);
  EXPECT_EQ(HeadingScale::Of(lines).Level(lines.back()), 0);
}

TEST(HeadingScaleTest, UsesLineHeightWithoutFonts) {
  const std::vector<LayoutLine> lines =
      Page({TestLine("CHAPTER ONE", 50, 40, 400, 100),
            TestLine("Slightly tall", 50, 110, 400, 144),
            TestLine("Jagged Heading", 50, 150, 300, 202),
            TestLine("Section", 50, 210, 300, 250)},
           false);
  const HeadingScale scale = HeadingScale::Of(lines);
  EXPECT_FALSE(scale.uses_fonts());
  EXPECT_FLOAT_EQ(scale.body_size(), 30);
  EXPECT_EQ(scale.Level(lines[20]), 1);  // 60 >= 1.3 * 30
  EXPECT_EQ(scale.Level(lines[21]), 0);  // 34 < 1.3 * 30
  EXPECT_EQ(scale.Level(lines[22]), 1);  // 52: within 1.2x of 60, the same level
  EXPECT_EQ(scale.Level(lines[23]), 2);  // 40
}

}  // namespace
}  // namespace pageflow
