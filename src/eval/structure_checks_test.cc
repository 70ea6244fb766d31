#include "eval/structure_checks.h"

#include <gtest/gtest.h>

#include "testing/test_util.h"

namespace pageflow {
namespace {

StructureCheck Parse(const std::string& line) {
  StatusOr<StructureCheck> c = ParseStructureCheck(line);
  EXPECT_TRUE(c.ok()) << c.status().ToString();
  return c.ok() ? *c : StructureCheck{};
}

bool Passes(const std::string& line, const std::string& page) {
  return RunStructureCheck(Parse(line), page).passed;
}

TEST(StructureChecksTest, NormalizesQuotesDashesLigaturesWhitespaceAndMarkup) {
  EXPECT_EQ(NormalizeCheckText("\u201cﬁne\u201d \u2013  it\u2019s\n\tthe \u2014 end"),
            U"\"fine\" - it's the - end");
  EXPECT_EQ(NormalizeCheckText("**Bold** and *em* and snake_case \\* star"),
            U"Bold and em and snake_case * star");
  EXPECT_EQ(NormalizeCheckText("a<br>b &amp; c"), U"a b & c");
  EXPECT_EQ(NormalizeCheckText("<less>, <not_contains\nThese <b>compare</b>"),
            U", <not_contains These compare");
  EXPECT_EQ(NormalizeCheckText("MiXeD", /*case_sensitive=*/false), U"mixed");
}

TEST(StructureChecksTest, FuzzyFindHonoursTheEditBudget) {
  const std::u32string hay = U"the quick brown fox jumps over the lazy dog";
  EXPECT_EQ(FuzzyFind(U"brown fox", hay, 0), 10);
  EXPECT_EQ(FuzzyFind(U"brwn fix", hay, 1), -1);
  EXPECT_EQ(FuzzyFind(U"brwn fix", hay, 2), 10);
  EXPECT_EQ(FuzzyFind(U"the", hay, 0), 0);
  EXPECT_EQ(FuzzyFind(U"the", hay, 0, /*last=*/true), 31);
}

TEST(StructureChecksTest, PresentAndAbsent) {
  const std::string page =
      "Journal of Things 12\n\nA sen-\ntence about work\u00adflows.\n\n7\n";
  EXPECT_TRUE(Passes(R"({"page":1,"type":"present","text":"A sen- tence"})", page));
  EXPECT_FALSE(Passes(R"({"page":1,"type":"present","text":"A sentence about"})", page));
  EXPECT_TRUE(Passes(
      R"({"page":1,"type":"present","text":"A sentence about","max_diffs":2})", page));
  EXPECT_TRUE(Passes(R"({"page":1,"type":"present","text":"about workflows."})",
                     page));  // soft hyphen
  EXPECT_FALSE(Passes(R"({"page":1,"type":"absent","text":"Journal of Things"})", page));
  EXPECT_TRUE(Passes(
      R"({"page":1,"type":"absent","text":"Journal of Things","last_n":20})", page));
  EXPECT_FALSE(Passes(R"({"page":1,"type":"absent","text":"7","last_n":3})", page));
  EXPECT_TRUE(Passes(
      R"({"page":1,"type":"present","text":"journal","case_sensitive":false})", page));
  const CheckOutcome o =
      RunStructureCheck(Parse(R"({"page":1,"type":"absent","text":"Things 12"})"), page);
  EXPECT_EQ(o.reason, "found: 'Things 12'");
}

TEST(StructureChecksTest, ReasonsAreCutAtACodePoint) {
  // 29 two-byte letters: a cut at byte 57 would split the last one.
  const std::string text = "ЖЖЖЖЖЖЖЖЖЖЖЖЖЖЖЖЖЖЖЖЖЖЖЖЖЖЖЖЖЖЖЖЖЖ";
  const CheckOutcome o = RunStructureCheck(
      Parse(R"({"page":1,"type":"present","text":")" + text + R"("})"), "nothing");
  EXPECT_EQ(o.reason, "not found: '" + text.substr(0, 56) + "...'");
}

TEST(StructureChecksTest, Order) {
  const std::string page = "# Intro\n\nFirst column text.\n\nSecond column text.\n";
  EXPECT_TRUE(Passes(
      R"({"page":1,"type":"order","before":"First column","after":"Second column"})",
      page));
  const CheckOutcome o = RunStructureCheck(
      Parse(
          R"({"page":1,"type":"order","before":"Second column","after":"First column"})"),
      page);
  EXPECT_FALSE(o.passed);
  EXPECT_EQ(o.reason, "'First column' comes before 'Second column'");
  EXPECT_FALSE(
      Passes(R"({"page":1,"type":"order","before":"Intro","after":"Missing"})", page));
}

TEST(StructureChecksTest, ParsesPipeTables) {
  const std::string page =
      "Some text | with a bar\n\n"
      "| Name | Size | Note |\n"
      "|:-----|-----:|------|\n"
      "| foo  | 1 KB | a \\| b |\n"
      "| bar  | 2 KB |      |\n\n"
      "after\n";
  const std::vector<ParsedTable> tables = ParseTables(page);
  ASSERT_EQ(tables.size(), 1u);
  const ParsedTable& t = tables[0];
  ASSERT_EQ(t.grid.size(), 3u);
  EXPECT_EQ(t.cells[t.grid[1][2]].text, "a | b");
  EXPECT_EQ(t.cells[t.grid[2][1]].text, "2 KB");
  EXPECT_TRUE(Passes(
      R"({"page":1,"type":"table","cell":"1 KB","left":"foo","top_heading":"Size"})",
      page));
  EXPECT_TRUE(Passes(
      R"({"page":1,"type":"table","cell":"2 KB","up":"1 KB","left_heading":"bar"})",
      page));
  EXPECT_FALSE(Passes(R"({"page":1,"type":"table","cell":"2 KB","right":"1 KB"})", page));
  EXPECT_TRUE(Passes(
      R"({"page":1,"type":"table","cell":"2 kB","up":"1 KB","max_diffs":1})", page));
  const CheckOutcome o = RunStructureCheck(
      Parse(R"({"page":1,"type":"table","cell":"3 KB","up":"x"})"), page);
  EXPECT_EQ(o.reason, "cell '3 KB' not in any of 1 tables");
}

TEST(StructureChecksTest, ParsesHtmlTablesWithSpans) {
  // | Region (2 rows) | Q1 Q2 (colspan 2) |
  // |                 | Q1      | Q2      |
  // | North           | 10      | 20      |
  const std::string page =
      "<table><tr><th rowspan=\"2\">Region</th><th colspan=2>Quarter</th></tr>"
      "<tr><th>Q1</th><th>Q2</th></tr>"
      "<tr><td>North</td><td><b>10</b></td><td>20 &amp; more</td></tr></table>";
  const std::vector<ParsedTable> tables = ParseTables(page);
  ASSERT_EQ(tables.size(), 1u);
  const ParsedTable& t = tables[0];
  ASSERT_EQ(t.grid.size(), 3u);
  EXPECT_EQ(t.grid[0][0], t.grid[1][0]);  // rowspan
  EXPECT_EQ(t.grid[0][1], t.grid[0][2]);  // colspan
  EXPECT_EQ(t.cells[t.grid[1][1]].text, "Q1");
  EXPECT_EQ(t.cells[t.grid[2][2]].text, "20 & more");
  EXPECT_TRUE(Passes(
      R"({"page":1,"type":"table","cell":"Q1","up":"Quarter","left":"Region"})", page));
  EXPECT_TRUE(Passes(R"({"page":1,"type":"table","cell":"Q2","up":"Quarter"})", page));
  EXPECT_TRUE(Passes(
      R"({"page":1,"type":"table","cell":"10","top_heading":"Quarter","left_heading":"North"})",
      page));
  EXPECT_TRUE(Passes(
      R"({"page":1,"type":"table","cell":"North","up":"Region","right":"10"})", page));
  EXPECT_TRUE(Passes(R"({"page":1,"type":"table","cell":"Quarter","down":"Q2"})", page));
  EXPECT_FALSE(
      Passes(R"({"page":1,"type":"table","cell":"10","down":"20 & more"})", page));
}

TEST(StructureChecksTest, HostileSpansStayBounded) {
  const std::vector<ParsedTable> tables = ParseTables(
      "<table><tr><td rowspan=999999999 colspan=999999999>x</td><td>y</td></tr></table>");
  ASSERT_EQ(tables.size(), 1u);
  EXPECT_LE(tables[0].grid.size(), 64u);
  EXPECT_LE(tables[0].grid[0].size(), 65u);
  // 20,000 cells each spanning 64 x 64: the grid stops at its cap instead of 80 million
  // positions.
  std::string many = "<table><tr>";
  for (int i = 0; i < 20000; ++i) many += "<td rowspan=64 colspan=64>x</td>";
  const std::vector<ParsedTable> big = ParseTables(many + "</tr></table>");
  ASSERT_EQ(big.size(), 1u);
  size_t positions = 0;
  for (const auto& row : big[0].grid) positions += row.size();
  EXPECT_LE(positions, (1u << 20) + 64u * 64u);
}

TEST(StructureChecksTest, RejectsMalformedChecksWithTheReason) {
  auto error = [](const std::string& line) {
    return ParseStructureCheck(line).status().message();
  };
  EXPECT_EQ(error(R"({"id":"a","type":"present","text":"x"})"),
            "check 'a': 'page' (1-based) is required");
  EXPECT_EQ(error(R"({"id":"b","page":1,"type":"order","before":"x"})"),
            "check 'b': an order check needs 'before' and 'after'");
  EXPECT_EQ(error(R"({"page":1,"type":"table","cell":"x"})"),
            "check: a table check needs one of up, down, left, right, top_heading, "
            "left_heading");
  EXPECT_EQ(error(R"({"page":1,"type":"sorta","text":"x"})"),
            "check: unknown 'type' 'sorta' (use present, absent, order or table)");
  EXPECT_EQ(error(R"({"page":1,"type":"present","text":"x","max_diffs":-1})"),
            "'max_diffs' must be a non-negative integer");
  EXPECT_EQ(error("not json"), "not a JSON object");
}

TEST(StructureChecksTest, LoadsAFileAndNamesTheBadLine) {
  testing::TempDir dir;
  const std::string path = dir.path() + "/doc.tests.jsonl";
  testing::WriteFile(path,
                     "{\"id\":\"p1\",\"page\":2,\"type\":\"present\",\"text\":\"x\"}\n\n"
                     "{\"page\":1,\"type\":\"absent\",\"text\":\"y\"}\n");
  StatusOr<std::vector<StructureCheck>> checks = LoadStructureChecks(path);
  ASSERT_TRUE(checks.ok()) << checks.status().ToString();
  ASSERT_EQ(checks->size(), 2u);
  EXPECT_EQ((*checks)[0].page, 2);
  EXPECT_EQ((*checks)[1].id, "line 3");
  testing::WriteFile(path,
                     "{\"page\":1,\"type\":\"present\",\"text\":\"x\"}\n{\"page\":1}\n");
  EXPECT_EQ(LoadStructureChecks(path).status().message(),
            path + ":2: check: unknown 'type' '' (use present, absent, order or table)");
}

TEST(StructureChecksTest, TallyRates) {
  CheckTally t;
  t.Add(CheckType::kPresent, true);
  t.Add(CheckType::kPresent, false);
  t.Add(CheckType::kTable, true);
  CheckTally sum;
  sum += t;
  EXPECT_EQ(sum.Passed(), 2);
  EXPECT_EQ(sum.Total(), 3);
  EXPECT_DOUBLE_EQ(sum.Rate(CheckType::kPresent), 0.5);
  EXPECT_DOUBLE_EQ(sum.Rate(CheckType::kOrder), 0.0);
  EXPECT_NEAR(sum.Rate(), 2.0 / 3, 1e-12);
}

}  // namespace
}  // namespace pageflow
