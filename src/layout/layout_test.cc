#include "layout/layout.h"

#include <gtest/gtest.h>

#include "layout/geometry.h"
#include "layout/markdown_reader.h"
#include "layout/test_lines.h"
#include "layout/writers.h"

namespace pageflow {
namespace {

const WordList& Words() {
  static const WordList words = WordList::FromText("document\nexplanatory\n");
  return words;
}

LayoutOptions Options() {
  LayoutOptions o;
  o.words = &Words();
  return o;
}

// Words in the blocks' and furniture's lines.
size_t WordsIn(const PageModel& m) {
  size_t n = 0;
  for (const auto* blocks : {&m.blocks, &m.furniture}) {
    for (const Block& b : *blocks) {
      for (const LayoutLine& l : b.lines) n += l.words.size();
    }
  }
  return n;
}

size_t WordsIn(const LayoutInput& in) {
  size_t n = 0;
  for (const LayoutLine& l : in.lines) n += SplitWords(l.text).size();
  return n;
}

TEST(AnalyzeTest, EmptyPageHasNoBlocks) {
  EXPECT_TRUE(Analyze(TestPage({}), Options()).blocks.empty());
  EXPECT_TRUE(Analyze(TestPage({TestLine("  ", 1, 1, 2, 2)}), Options()).blocks.empty());
  EXPECT_TRUE(
      Analyze(TestPage({TestLine("x", 1, 1, 2, 2)}, 0, 0), Options()).blocks.size() ==
      1u);
}

TEST(AnalyzeTest, ABornDigitalPage) {
  const LayoutInput in = TestPage({
      TestLine("Journal of Tests 4 (2026)", 50, 30, 300, 40, 8),
      TestLine("On Layout", 50, 80, 250, 100, 20),
      TestLine("This docu-", 50, 120, 300, 132, 10),
      TestLine("ment is self-", 50, 134, 300, 146, 10),
      TestLine("explanatory and it runs on.", 50, 148, 300, 160, 10),
      TestLine("Method", 50, 180, 150, 194, 14),
      TestLine("## get the table is a comment in the code we show here", 50, 200, 560,
               212, 10),
      TestLine("\u2022 first point of the list", 50, 220, 300, 232, 10),
      TestLine("which goes on", 62, 234, 300, 246, 10),
      TestLine("\u2022 second point", 50, 248, 300, 260, 10),
      TestLine("Downloaded from example.org on 1 May 2026", 50, 740, 400, 750, 8),
      TestLine("3", 300, 760, 306, 770, 10),
  });
  const PageModel m = Analyze(in, Options());
  EXPECT_EQ(RenderMarkdown(m),
            "Journal of Tests 4 (2026)\n\n"
            "# On Layout\n\n"
            "This document is self-explanatory and it runs on.\n\n"
            "## Method\n\n"
            "\\## get the table is a comment in the code we show here\n\n"
            "- first point of the list which goes on\n"
            "- second point\n");
  ASSERT_EQ(m.furniture.size(), 2u);
  EXPECT_EQ(m.furniture[0].kind, BlockKind::kFooter);
  EXPECT_EQ(m.furniture[1].kind, BlockKind::kPageNumber);
  EXPECT_EQ(m.furniture[1].text, "3");
  EXPECT_EQ(WordsIn(m), WordsIn(in));
  EXPECT_EQ(m.blocks[2].lines.size(), 3u);
  EXPECT_EQ(m.blocks[2].box.y1, 160);
}

TEST(AnalyzeTest, RunningHeadersRepeatAcrossPages) {
  FurnitureTracker tracker;
  for (int page = 0; page < 3; ++page) {
    LayoutInput in = TestPage({
        TestLine("Journal of Tests, page " + std::to_string(page + 1), 50, 30, 300, 40,
                 8),
        TestLine("Body text of the page in one line.", 50, 200, 400, 212, 10),
    });
    in.page_index = page;
    const PageModel m = Analyze(in, Options(), &tracker);
    if (page == 0) {
      EXPECT_TRUE(m.furniture.empty());  // nothing to compare with yet
    } else {
      ASSERT_EQ(m.furniture.size(), 1u) << "page " << page;
      EXPECT_EQ(m.furniture[0].kind, BlockKind::kHeader);
      EXPECT_EQ(RenderPlainText(m), "Body text of the page in one line.\n");
    }
  }
}

TEST(AnalyzeTest, MarginFormsAndRotatedStamps) {
  const PageModel m = Analyze(
      TestPage({
          // A date alone in the top band is furniture; beside its label it is content.
          TestLine("12 March 2026", 450, 20, 560, 32, 10),
          TestLine("DATE FILED:", 50, 40, 130, 52, 10),
          TestLine("July 23, 1998", 300, 40, 390, 52, 10),
          // Vertical text in the right margin, level with body lines.
          TestLine("arXiv:2101.00001v2 [cs.CL] 1 Jan 2026", 580, 200, 592, 600, 10),
          TestLine("Body text that runs along the page line one.", 50, 300, 500, 312, 10),
      }),
      Options());
  ASSERT_EQ(m.furniture.size(), 2u);
  EXPECT_EQ(m.furniture[0].text, "12 March 2026");
  EXPECT_EQ(m.furniture[0].kind, BlockKind::kHeader);
  EXPECT_EQ(m.furniture[1].text, "arXiv:2101.00001v2 [cs.CL] 1 Jan 2026");
  EXPECT_EQ(
      RenderPlainText(m),
      "DATE FILED: July 23, 1998\n\nBody text that runs along the page line one.\n");
}

TEST(AnalyzeTest, TwoColumnsReadInOrder) {
  std::vector<LayoutLine> lines = {
      TestLine("A Title Across Both Columns", 50, 60, 562, 80, 18)};
  for (int i = 0; i < 6; ++i) {
    lines.push_back(TestLine("left column words number " + std::to_string(i), 50,
                             100 + 14 * i, 290, 112 + 14 * i, 10));
    lines.push_back(TestLine("right column words number " + std::to_string(i), 322,
                             100 + 14 * i, 562, 112 + 14 * i, 10));
  }
  const std::string text = RenderPlainText(Analyze(TestPage(lines), Options()));
  EXPECT_EQ(
      text,
      "A Title Across Both Columns\n\n"
      "left column words number 0 left column words number 1 left column words number "
      "2 left column words number 3 left column words number 4 left column words "
      "number 5\n\n"
      "right column words number 0 right column words number 1 right column words "
      "number 2 right column words number 3 right column words number 4 right column "
      "words number 5\n");
}

TEST(AnalyzeTest, FormLabelsKeepTheirValues) {
  // OCR lines (pixels, no fonts): labels at x=50, values at x=300 on their baselines.
  const LayoutInput in = TestPage(
      {TestLine("DATE FILED:", 50, 100, 180, 130),
       TestLine("July 23, 1998", 300, 102, 480, 130),
       TestLine("CASE NUMBER:", 50, 134, 190, 164),
       TestLine("98-1234", 300, 135, 400, 164), TestLine("JUDGE:", 50, 168, 140, 198),
       TestLine("Hon. Jane Roe", 300, 168, 470, 198)},
      2550, 3300, Unit::kPixels);
  EXPECT_EQ(
      RenderPlainText(Analyze(in, Options())),
      "DATE FILED: July 23, 1998\n\nCASE NUMBER: 98-1234\n\nJUDGE: Hon. Jane Roe\n");
}

// A sentence, then a table of three runs: a header row and three rows of words at three
// left edges, 15 units apart; with `rule`, a row of dashes typed under the header.
std::vector<LayoutLine> ScoresPage(bool rule) {
  std::vector<LayoutLine> lines = {
      TestLine("Scores of the three runs are below.", 50, 80, 400, 92, 10)};
  const char* rows[][3] = {{"Run", "Score", "Time"},
                           {"first", "0.91", "3"},
                           {"second", "0.85", "9"},
                           {"third", "0.80", "12"}};
  for (int r = 0; r < 4; ++r) {
    const int y = 110 + 15 * r + (rule && r > 0 ? 15 : 0);
    lines.push_back(
        TestWords({{rows[r][0], 50}, {rows[r][1], 200}, {rows[r][2], 350}}, y, y + 12));
    for (LayoutWord& w : lines.back().words) w.font_size = 10;
    if (rule && r == 0) {
      lines.push_back(
          TestLine("-----------------------------------------", 50, 124, 380, 134, 10));
    }
  }
  return lines;
}

constexpr const char* kScoresMarkdown =
    "Scores of the three runs are below.\n\n"
    "| Run | Score | Time |\n"
    "| --- | --- | --- |\n"
    "| first | 0.91 | 3 |\n"
    "| second | 0.85 | 9 |\n"
    "| third | 0.80 | 12 |\n";

TEST(AnalyzeTest, AlignedWordsBecomeATable) {
  const std::vector<LayoutLine> lines = ScoresPage(/*rule=*/false);
  const PageModel m = Analyze(TestPage(lines), Options());
  EXPECT_EQ(RenderMarkdown(m), kScoresMarkdown);
  EXPECT_EQ(RenderPlainText(m),
            "Scores of the three runs are below.\n\nRun\tScore\tTime\nfirst\t0.91\t3\n"
            "second\t0.85\t9\nthird\t0.80\t12\n");
  LayoutOptions no_tables = Options();
  no_tables.tables = false;
  EXPECT_EQ(Analyze(TestPage(lines), no_tables).blocks[1].kind, BlockKind::kParagraph);
}

// A rule typed under the header row ("-----", as DocBook's text tables have) is a
// ruling, not a row: the header stays the table's first row.
TEST(AnalyzeTest, ARuleTypedUnderTheHeaderIsNoRow) {
  EXPECT_EQ(RenderMarkdown(Analyze(TestPage(ScoresPage(/*rule=*/true)), Options())),
            kScoresMarkdown);
}

TEST(AnalyzeTest, RuledTableSitsInReadingOrder) {
  LayoutInput in = TestPage({
      TestLine("Before the table.", 50, 60, 300, 72, 10),
      TestWords({{"k1", 60}, {"v1", 160}}, 104, 116),
      TestWords({{"k2", 60}, {"v2", 160}}, 124, 136),
      TestLine("Figure 2: after the table.", 50, 200, 300, 212, 10),
  });
  for (int r = 0; r < 2; ++r) {
    for (int c = 0; c < 2; ++c) {
      in.rulings.push_back({50 + 100 * c, 100 + 20 * r, 150 + 100 * c, 120 + 20 * r});
    }
  }
  const PageModel m = Analyze(in, Options());
  ASSERT_EQ(m.blocks.size(), 3u);
  EXPECT_EQ(m.blocks[1].kind, BlockKind::kTable);
  EXPECT_EQ(m.blocks[1].lines.size(), 2u);
  EXPECT_EQ(m.blocks[2].kind, BlockKind::kCaption);
  EXPECT_EQ(RenderPlainText(m),
            "Before the table.\n\nk1\tv1\nk2\tv2\n\nFigure 2: after the table.\n");
}

}  // namespace
}  // namespace pageflow

namespace pageflow {
namespace {

// Deterministic noise: boxes anywhere (also inverted or off the page), texts with
// markup characters, bullets and hyphens. Every word must come out exactly once (in a
// line of its own or joined with another on its baseline), and the Markdown must read
// back as itself.
TEST(AnalyzeTest, RandomPagesKeepEveryWord) {
  uint32_t seed = 12345;
  auto next = [&seed](uint32_t n) {
    seed = seed * 1664525u + 1013904223u;
    return (seed >> 8) % n;
  };
  const char* pieces[] = {"word",    "docu-",     "ment", "# hash",        "| pipe",
                          "1.",      "\u2022",    "- ",   "Page 3",        "12",
                          "> quote", "Figure 1:", "  ",   "\u00e9t\u00e9", "`x`"};
  for (int page = 0; page < 50; ++page) {
    LayoutInput in = TestPage({}, 612, 792);
    in.page_index = page;
    const int n = int(next(120));
    for (int i = 0; i < n; ++i) {
      std::string text;
      for (uint32_t k = next(6); k > 0; --k) {
        text += pieces[next(15)];
        text += ' ';
      }
      const int x = int(next(700)) - 50, y = int(next(900)) - 50;
      LayoutLine l = TestLine(text, x, y, x + int(next(400)) - 20, y + int(next(30)) - 2,
                              float(next(3) * 4));
      if (next(4) == 0) l.words.clear();
      in.lines.push_back(l);
    }
    for (int r = int(next(8)); r > 0; --r) {
      const int x = int(next(600)), y = int(next(780));
      in.rulings.push_back({x, y, x + int(next(300)), y + int(next(3) ? 1 : 200)});
    }
    FurnitureTracker tracker;
    const PageModel m = Analyze(in, Options(), &tracker);
    EXPECT_EQ(WordsIn(m), WordsIn(in)) << "page " << page;
    const std::string md = RenderMarkdown(m);
    EXPECT_EQ(RenderMarkdown(ParseMarkdown(md)), md) << "page " << page;
  }
}

}  // namespace
}  // namespace pageflow
