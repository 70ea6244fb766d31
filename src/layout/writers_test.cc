#include "layout/writers.h"

#include <gtest/gtest.h>

namespace pageflow {
namespace {

Block Make(BlockKind kind, std::string text, int level = 0, std::string marker = "") {
  Block b;
  b.kind = kind;
  b.text = std::move(text);
  b.level = level;
  b.marker = std::move(marker);
  return b;
}

Table Grid(const std::vector<std::vector<std::string>>& rows) {
  Table t;
  t.rows = int(rows.size());
  for (size_t r = 0; r < rows.size(); ++r) {
    t.cols = std::max(t.cols, int(rows[r].size()));
    for (size_t c = 0; c < rows[r].size(); ++c) {
      TableCell cell;
      cell.row = int(r);
      cell.col = int(c);
      cell.text = rows[r][c];
      t.cells.push_back(cell);
    }
  }
  return t;
}

TEST(EscapeMarkdownLineTest, EscapesWhatWouldBeMarkup) {
  EXPECT_EQ(EscapeMarkdownLine("## get the table"), "\\## get the table");
  EXPECT_EQ(EscapeMarkdownLine("> x is large"), "\\> x is large");
  EXPECT_EQ(EscapeMarkdownLine("- not a list"), "\\- not a list");
  EXPECT_EQ(EscapeMarkdownLine("* not a list"), "\\* not a list");
  EXPECT_EQ(EscapeMarkdownLine("+ not a list"), "\\+ not a list");
  EXPECT_EQ(EscapeMarkdownLine("1998. A year"), "1998\\. A year");
  EXPECT_EQ(EscapeMarkdownLine("3) three"), "3\\) three");
  EXPECT_EQ(EscapeMarkdownLine("---"), "\\---");
  EXPECT_EQ(EscapeMarkdownLine("```"), "\\```");
  EXPECT_EQ(EscapeMarkdownLine("<table>"), "\\<table>");
  // Left alone: not markup where it stands.
  EXPECT_EQ(EscapeMarkdownLine("-5 degrees"), "-5 degrees");
  EXPECT_EQ(EscapeMarkdownLine("3.5 kg"), "3.5 kg");
  EXPECT_EQ(EscapeMarkdownLine("a # b > c"), "a # b > c");
  EXPECT_EQ(EscapeMarkdownLine(""), "");
}

TEST(RenderMarkdownTest, RendersBlocks) {
  PageModel m;
  m.blocks.push_back(Make(BlockKind::kHeading, "Results", 1));
  m.blocks.push_back(Make(BlockKind::kParagraph, "## get the table"));
  m.blocks.push_back(Make(BlockKind::kListItem, "first", 0, "•"));
  m.blocks.push_back(Make(BlockKind::kListItem, "second", 0, "2."));
  m.blocks.push_back(Make(BlockKind::kListItem, "third", 0, "(c)"));
  m.blocks.push_back(Make(BlockKind::kHeading, "Details", 2));
  Block table = Make(BlockKind::kTable, "");
  table.table = Grid({{"Name", "Value"}, {"a|b", "1"}});
  m.blocks.push_back(table);
  m.blocks.push_back(Make(BlockKind::kCaption, "Table 1: values."));
  Block furniture = Make(BlockKind::kPageNumber, "12");
  m.furniture.push_back(furniture);
  EXPECT_EQ(RenderMarkdown(m),
            "# Results\n\n"
            "\\## get the table\n\n"
            "- first\n"
            "2. second\n"
            "- (c) third\n\n"
            "## Details\n\n"
            "| Name | Value |\n"
            "| --- | --- |\n"
            "| a\\|b | 1 |\n\n"
            "Table 1: values.\n");
}

TEST(RenderMarkdownTest, SpanningCellsBecomeHtml) {
  PageModel m;
  Block table = Make(BlockKind::kTable, "");
  table.table = Grid({{"Group", "Total"}, {"a", "b", "c<d"}});
  table.table.cols = 3;
  table.table.cells[0].col_span = 2;
  table.table.cells[1].col = 2;
  m.blocks.push_back(table);
  EXPECT_EQ(RenderMarkdown(m),
            "<table>\n"
            "<tr><td colspan=\"2\">Group</td><td>Total</td></tr>\n"
            "<tr><td>a</td><td>b</td><td>c&lt;d</td></tr>\n"
            "</table>\n");
}

// Two columns: the left one ends mid-word ("prolifer-"), the right one carries on with
// "ation"; then a sentence broken at a comma. One paragraph each time; a paragraph that
// ends a sentence, one below the other in the same column, or a capital stays apart.
TEST(RenderMarkdownTest, ASentenceCarriedToTheNextColumnIsOneParagraph) {
  auto at = [](std::string text, Box box) {
    Block b = Make(BlockKind::kParagraph, std::move(text));
    b.box = box;
    return b;
  };
  PageModel m;
  m.blocks = {at("Cells depend on blood serum for their prolifer-", {50, 400, 290, 700}),
              at("ation and survival, as shown in", {310, 60, 550, 300}),
              at("the next column, where it goes on.", {50, 60, 290, 380})};
  // The third sits in the first's column again, above it: reading order is the
  // caller's; only where a column ends and the next begins counts.
  EXPECT_EQ(
      RenderMarkdown(m),
      "Cells depend on blood serum for their proliferation and survival, as shown in "
      "the next column, where it goes on.\n");
  EXPECT_EQ(
      RenderPlainText(m),
      "Cells depend on blood serum for their proliferation and survival, as shown in "
      "the next column, where it goes on.\n");

  PageModel apart;
  apart.blocks = {at("A sentence ends here.", {50, 400, 290, 700}),
                  at("then a small letter", {310, 60, 550, 300}),
                  at("No full stop", {310, 320, 550, 400}),
                  at("below in the same column", {310, 420, 550, 500}),
                  at("A capital", {50, 60, 290, 100})};
  EXPECT_EQ(
      RenderMarkdown(apart),
      "A sentence ends here.\n\nthen a small letter\n\nNo full stop\n\nbelow in the "
      "same column\n\nA capital\n");
}

TEST(RenderPlainTextTest, TextInReadingOrder) {
  PageModel m;
  m.blocks.push_back(Make(BlockKind::kHeading, "Results", 1));
  m.blocks.push_back(Make(BlockKind::kParagraph, "## get the table"));
  m.blocks.push_back(Make(BlockKind::kListItem, "first", 0, "•"));
  m.blocks.push_back(Make(BlockKind::kListItem, "second", 0, "2."));
  Block table = Make(BlockKind::kTable, "");
  table.table = Grid({{"Name", "Value"}, {"a", "1"}});
  m.blocks.push_back(table);
  EXPECT_EQ(RenderPlainText(m),
            "Results\n\n## get the table\n\n• first\n2. second\n\nName\tValue\na\t1\n");
  EXPECT_EQ(RenderPlainText(PageModel{}), "");
  EXPECT_EQ(RenderMarkdown(PageModel{}), "");
}

}  // namespace
}  // namespace pageflow
