#include "layout/tables.h"

#include <gtest/gtest.h>

#include "layout/geometry.h"
#include "layout/test_lines.h"

namespace pageflow {
namespace {

std::vector<LayoutLine> Rows(const std::vector<std::vector<std::string>>& cells,
                             int top = 100, std::vector<int> xs = {50, 200, 350}) {
  std::vector<LayoutLine> lines;
  for (size_t r = 0; r < cells.size(); ++r) {
    std::vector<std::pair<std::string, int>> words;
    for (size_t c = 0; c < cells[r].size(); ++c) {
      int x = xs[c];
      for (std::string_view w : SplitWords(cells[r][c])) {
        words.push_back({std::string(w), x});
        x += 6 * int(w.size()) + 4;
      }
    }
    lines.push_back(TestWords(words, top + 15 * int(r), top + 15 * int(r) + 12));
    NormalizeLine(&lines.back());
  }
  return lines;
}

TEST(TablesFromAlignmentTest, FindsColumnsOfAlignedWords) {
  const std::vector<LayoutLine> lines = Rows({{"Name", "Age", "City"},
                                              {"Alice", "30", "Paris"},
                                              {"Bob Smith", "4", "New York"},
                                              {"Carol", "27", "Rome"}});
  const std::vector<FoundTable> tables = TablesFromAlignment(lines, 12);
  ASSERT_EQ(tables.size(), 1u);
  const Table& t = tables[0].table;
  EXPECT_EQ(t.rows, 4);
  EXPECT_EQ(t.cols, 3);
  ASSERT_NE(t.At(2, 0), nullptr);
  EXPECT_EQ(t.At(2, 0)->text, "Bob Smith");
  EXPECT_EQ(t.At(2, 2)->text, "New York");
  EXPECT_EQ(t.At(3, 1)->text, "27");
  EXPECT_EQ(tables[0].lines, (std::vector<size_t>{0, 1, 2, 3}));
}

TEST(TablesFromAlignmentTest, JoinsTheLinesOfMultiLineCells) {
  // Rows 15 apart, a cell's second line 13 under its first (gap 1 < 0.5 * 12).
  std::vector<LayoutLine> lines =
      Rows({{"Organ", "Child", "Adult"}, {"Bone", "hip dislocation", "scoliosis"}});
  lines.push_back(TestWords({{"and", 200}, {"kyphosis", 224}}, 128, 140));  // one chunk
  NormalizeLine(&lines.back());
  for (const LayoutLine& l :
       Rows({{"Eyes", "ptosis", "strabismus"}, {"Ears", "otitis", "loss"}}, 160)) {
    lines.push_back(l);
  }
  lines.push_back(
      TestLine("A paragraph after the table runs across it all.", 50, 200, 420, 212));
  NormalizeLine(&lines.back());
  const std::vector<FoundTable> tables = TablesFromAlignment(lines, 12);
  ASSERT_EQ(tables.size(), 1u);
  const Table& t = tables[0].table;
  EXPECT_EQ(t.rows, 4);
  EXPECT_EQ(t.cols, 3);
  EXPECT_EQ(t.At(1, 1)->text, "hip dislocation and kyphosis");
  EXPECT_EQ(t.At(2, 0)->text, "Eyes");
  EXPECT_EQ(tables[0].lines, (std::vector<size_t>{0, 1, 2, 3, 4}));
}

// A type column close to the description column beside it (a gutter of about half a line
// height, under the gap that finds a table) is still a column of its own.
TEST(TablesFromAlignmentTest, SplitsColumnsAtNarrowGuttersEveryRowLeaves) {
  std::vector<LayoutLine> lines = {
      TestWords({{"slant", 50},
                 {"Int", 150},
                 {"Italic,", 198},
                 {"oblique", 242},
                 {"or", 290},
                 {"roman", 306}},
                100, 112),
      TestWords({{"weight", 50},
                 {"Int", 150},
                 {"Light,", 198},
                 {"medium", 236},
                 {"or", 278},
                 {"bold", 294}},
                115, 127),
      TestWords({{"size", 50}, {"Double", 150}, {"Point", 198}, {"size", 232}}, 130, 142),
      // "FT_Face" ends 6 units before its description: one chunk at the table-finding
      // gap.
      TestWords(
          {{"ftface", 50}, {"FT_Face", 150}, {"Use", 198}, {"the", 220}, {"face", 242}},
          145, 157),
  };
  for (LayoutLine& l : lines) NormalizeLine(&l);
  std::vector<FoundTable> tables = TablesFromAlignment(lines, 12, 3);
  ASSERT_EQ(tables.size(), 1u);
  const Table& t = tables[0].table;
  ASSERT_EQ(t.cols, 3);
  ASSERT_EQ(t.rows, 4);
  EXPECT_EQ(t.At(0, 1)->text, "Int");
  EXPECT_EQ(t.At(0, 2)->text, "Italic, oblique or roman");
  EXPECT_EQ(t.At(3, 1)->text, "FT_Face");
}

// bzip2's memory table: a header on two lines, the first with nothing over "Flag", and a
// header cell ("Decompress") wider than its column, reaching over the gutter to the
// next. Columns come from the full rows; the header is one row.
TEST(TablesFromAlignmentTest, ATwoLineHeaderWiderThanItsColumns) {
  std::vector<LayoutLine> lines = {
      TestWords(
          {{"Compress", 130}, {"Decompress", 190}, {"Decompress", 262}, {"Corpus", 330}},
          100, 108),
      TestWords({{"Flag", 94},
                 {"usage", 135},
                 {"usage", 190},
                 {"-s", 250},
                 {"usage", 266},
                 {"Size", 317}},
                110, 118)};
  const char* rows[][5] = {{"-1", "1200k", "500k", "350k", "914704"},
                           {"-2", "2000k", "900k", "600k", "877703"},
                           {"-3", "2800k", "1300k", "850k", "860338"}};
  for (int r = 0; r < 3; ++r) {
    lines.push_back(TestWords({{rows[r][0], 94},
                               {rows[r][1], 131},
                               {rows[r][2], 187},
                               {rows[r][3], 250},
                               {rows[r][4], 306}},
                              124 + 12 * r, 132 + 12 * r));
  }
  for (LayoutLine& l : lines) NormalizeLine(&l);
  std::vector<FoundTable> tables = TablesFromAlignment(lines, 8, 3);
  ASSERT_EQ(tables.size(), 1u);
  const Table& t = tables[0].table;
  ASSERT_EQ(t.cols, 5);
  ASSERT_EQ(t.rows, 4);
  EXPECT_EQ(t.At(0, 0)->text, "Flag");
  EXPECT_EQ(t.At(0, 1)->text, "Compress usage");
  EXPECT_EQ(t.At(0, 3)->text, "Decompress -s usage");
  EXPECT_EQ(t.At(0, 4)->text, "Corpus Size");
  EXPECT_EQ(t.At(2, 3)->text, "600k");
  EXPECT_EQ(t.At(2, 4)->text, "877703");
}

TEST(TablesFromAlignmentTest, NeedsThreeRows) {
  EXPECT_TRUE(TablesFromAlignment(Rows({{"Name", "Age"}, {"Alice", "30"}}), 12).empty());
}

TEST(TablesFromAlignmentTest, LabelsWithValuesAreAFormNotATable) {
  const std::vector<LayoutLine> lines = Rows(
      {{"DATE FILED:", "July 23, 1998"}, {"CASE:", "98-1234"}, {"JUDGE:", "Jane Roe"}});
  EXPECT_TRUE(TablesFromAlignment(lines, 12).empty());
}

TEST(TablesFromAlignmentTest, RunningTextIsNotATable) {
  const std::string text = "words of running text in a column";
  EXPECT_TRUE(TablesFromAlignment(
                  Rows({{text, text}, {text, text}, {text, text}}, 100, {50, 320}), 12)
                  .empty());
}

TEST(TablesFromRulingsTest, ReadsAGridWithASpanningCell) {
  // 3 columns (x = 50, 150, 250, 350), 2 rows (y = 100, 120, 140). Row 0 has no border
  // between columns 0 and 1: "Group" spans them.
  const std::vector<Box> rulings = {{50, 100, 350, 101},  {50, 120, 350, 121},
                                    {50, 140, 350, 141},  // horizontal
                                    {50, 100, 51, 140},   {150, 120, 151, 140},
                                    {250, 100, 251, 140}, {350, 100, 351, 140}};
  std::vector<LayoutLine> lines = {
      TestWords({{"Group", 60}, {"Total", 260}}, 104, 116),
      TestWords({{"a", 60}, {"b", 160}, {"c|d", 260}}, 124, 136),
      TestWords({{"outside", 60}}, 200, 212),
  };
  for (LayoutLine& l : lines) NormalizeLine(&l);
  const std::vector<FoundTable> tables =
      TablesFromRulings(rulings, lines, {0, 0, 612, 792}, WordList());
  ASSERT_EQ(tables.size(), 1u);
  const Table& t = tables[0].table;
  EXPECT_EQ(t.rows, 2);
  EXPECT_EQ(t.cols, 3);
  EXPECT_EQ(tables[0].lines, (std::vector<size_t>{0, 1}));
  ASSERT_NE(t.At(0, 0), nullptr);
  EXPECT_EQ(t.At(0, 0)->text, "Group");
  EXPECT_EQ(t.At(0, 0)->col_span, 2);
  EXPECT_EQ(t.At(0, 1), nullptr);  // covered by the span
  EXPECT_EQ(t.At(0, 2)->text, "Total");
  EXPECT_EQ(t.At(1, 1)->text, "b");
  EXPECT_EQ(t.At(1, 2)->text, "c|d");
  EXPECT_TRUE(t.HasSpans());
}

TEST(TablesFromRulingsTest, CellBordersAsRectangles) {
  std::vector<Box> rulings;
  for (int r = 0; r < 2; ++r) {
    for (int c = 0; c < 2; ++c)
      rulings.push_back({50 + 100 * c, 100 + 20 * r, 150 + 100 * c, 120 + 20 * r});
  }
  rulings.push_back({0, 0, 612, 792});  // a page frame: ignored
  std::vector<LayoutLine> lines = {TestWords({{"k1", 60}, {"v1", 160}}, 104, 116),
                                   TestWords({{"k2", 60}, {"v2", 160}}, 124, 136)};
  for (LayoutLine& l : lines) NormalizeLine(&l);
  const auto tables = TablesFromRulings(rulings, lines, {0, 0, 612, 792}, WordList());
  ASSERT_EQ(tables.size(), 1u);
  EXPECT_EQ(tables[0].table.rows, 2);
  EXPECT_EQ(tables[0].table.cols, 2);
  EXPECT_EQ(tables[0].table.At(1, 1)->text, "v2");
  EXPECT_FALSE(tables[0].table.HasSpans());
}

TEST(TablesFromRulingsTest, HorizontalRulesOnlyUseWordColumns) {
  // A "booktabs" table: top rule, rule under the header, bottom rule.
  const std::vector<Box> rulings = {
      {40, 95, 420, 96}, {40, 113, 420, 114}, {40, 160, 420, 161}};
  std::vector<LayoutLine> lines = Rows(
      {{"Model", "Score", "Time"}, {"ours", "0.91", "3 s"}, {"theirs", "0.85", "9 s"}});
  lines.push_back(TestLine("A paragraph below the table.", 40, 200, 400, 212));
  NormalizeLine(&lines.back());
  const auto tables = TablesFromRulings(rulings, lines, {0, 0, 612, 792}, WordList());
  ASSERT_EQ(tables.size(), 1u);
  EXPECT_EQ(tables[0].table.rows, 3);
  EXPECT_EQ(tables[0].table.cols, 3);
  EXPECT_EQ(tables[0].table.At(2, 1)->text, "0.85");
  EXPECT_EQ(tables[0].lines, (std::vector<size_t>{0, 1, 2}));
}

}  // namespace
}  // namespace pageflow
