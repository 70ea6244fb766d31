#include "layout/markdown_reader.h"

#include <gtest/gtest.h>

#include <string>

#include "layout/writers.h"

namespace pageflow {
namespace {

TEST(ParseMarkdownTest, ReadsHeadingsParagraphsAndLists) {
  const PageModel m = ParseMarkdown(
      "# Title #\n\nFirst line\nsecond line.\n\n## Part\n- one\n  continued\n* two\n3) "
      "three\n"
      "\nSetext\n======\n\n> quoted text\n\n\\## not a heading\n");
  ASSERT_EQ(m.blocks.size(), 9u);
  EXPECT_EQ(m.blocks[0].kind, BlockKind::kHeading);
  EXPECT_EQ(m.blocks[0].level, 1);
  EXPECT_EQ(m.blocks[0].text, "Title");
  EXPECT_EQ(m.blocks[1].kind, BlockKind::kParagraph);
  EXPECT_EQ(m.blocks[1].text, "First line second line.");
  EXPECT_EQ(m.blocks[2].level, 2);
  EXPECT_EQ(m.blocks[3].kind, BlockKind::kListItem);
  EXPECT_EQ(m.blocks[3].text, "one continued");
  EXPECT_EQ(m.blocks[3].marker, "-");
  EXPECT_EQ(m.blocks[4].text, "two");
  EXPECT_EQ(m.blocks[5].marker, "3.");
  EXPECT_EQ(m.blocks[6].kind, BlockKind::kHeading);
  EXPECT_EQ(m.blocks[6].text, "Setext");
  EXPECT_EQ(m.blocks[7].text, "quoted text");
  EXPECT_EQ(m.blocks[8].kind, BlockKind::kParagraph);
  EXPECT_EQ(m.blocks[8].text, "## not a heading");
}

TEST(ParseMarkdownTest, ReadsPipeTables) {
  const PageModel m =
      ParseMarkdown("| Name | Value |\n|:---|---:|\n| a \\| b | 1 |\n| c | |\nafter\n");
  ASSERT_EQ(m.blocks.size(), 2u);
  const Table& t = m.blocks[0].table;
  EXPECT_EQ(m.blocks[0].kind, BlockKind::kTable);
  EXPECT_EQ(t.rows, 3);
  EXPECT_EQ(t.cols, 2);
  EXPECT_EQ(t.At(1, 0)->text, "a | b");
  EXPECT_EQ(t.At(2, 1)->text, "");
  EXPECT_EQ(m.blocks[1].text, "after");
}

TEST(ParseMarkdownTest, ReadsHtmlTablesWithSpans) {
  const PageModel m = ParseMarkdown(
      "<table>\n<tr><th rowspan=\"2\">Year</th><th colspan=\"2\">Sales</th></tr>\n"
      "<tr><td>EU</td><td>US &amp; "
      "CA</td></tr>\n<tr><td>2020</td><td>1</td><td>2<br>3</td>"
      "</tr>\n</table>\n");
  ASSERT_EQ(m.blocks.size(), 1u);
  const Table& t = m.blocks[0].table;
  EXPECT_EQ(t.rows, 3);
  EXPECT_EQ(t.cols, 3);
  EXPECT_EQ(t.At(0, 0)->row_span, 2);
  EXPECT_EQ(t.At(0, 1)->col_span, 2);
  EXPECT_EQ(t.At(1, 1)->text, "EU");  // row 1 starts after the spanning "Year"
  EXPECT_EQ(t.At(1, 2)->text, "US & CA");
  EXPECT_EQ(t.At(2, 2)->text, "2 3");
}

// A long table of <td>s only, its header row of <th>s first: every cell is read, in
// its row and column, up to the last one (tags are looked for once each, front to back).
TEST(ParseMarkdownTest, ReadsEveryCellOfALongHtmlTable) {
  std::string html = "<table>\n<tr><th colspan=\"2\">Key</th><th>Value</th></tr>\n";
  for (int r = 1; r <= 400; ++r) {
    const std::string n = std::to_string(r);
    html += "<tr><td>k" + n + "</td><td>j" + n + "</td><td>v" + n + "</td></tr>\n";
  }
  html += "</table>\n";
  const PageModel m = ParseMarkdown(html);
  ASSERT_EQ(m.blocks.size(), 1u);
  const Table& t = m.blocks[0].table;
  EXPECT_EQ(t.rows, 401);
  EXPECT_EQ(t.cols, 3);
  ASSERT_EQ(t.cells.size(), 2u + 3 * 400);
  EXPECT_EQ(t.At(0, 0)->col_span, 2);
  EXPECT_EQ(t.At(0, 2)->text, "Value");
  EXPECT_EQ(t.At(1, 0)->text, "k1");
  EXPECT_EQ(t.At(250, 1)->text, "j250");
  EXPECT_EQ(t.At(400, 2)->text, "v400");
}

TEST(ParseMarkdownTest, KeepsCodeVerbatim) {
  const PageModel m = ParseMarkdown("```r\n## get the table\nx <- 1\n```\n");
  ASSERT_EQ(m.blocks.size(), 1u);
  EXPECT_EQ(m.blocks[0].text, "## get the table\nx <- 1");
  EXPECT_EQ(RenderMarkdown(m), "\\## get the table\nx <- 1\n");
}

TEST(ParseMarkdownTest, RoundTripKeepsStructure) {
  const std::string md =
      "# Title\n\n"
      "A paragraph with # and text.\n\n"
      "## Section\n\n"
      "- one\n"
      "- two\n"
      "3. three\n\n"
      "| A | B |\n"
      "| --- | --- |\n"
      "| 1 | x\\|y |\n\n"
      "<table>\n"
      "<tr><td colspan=\"2\">wide</td></tr>\n"
      "<tr><td>l</td><td>r</td></tr>\n"
      "</table>\n\n"
      "\\- not a list\n";
  EXPECT_EQ(RenderMarkdown(ParseMarkdown(md)), md);
  EXPECT_TRUE(ParseMarkdown("").blocks.empty());
}

}  // namespace
}  // namespace pageflow
