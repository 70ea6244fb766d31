// End-to-end runs of the layout stage through `pageflow run`: a document with a running
// header, page numbers, a heading and a hyphenated paragraph comes out as Markdown that
// reads like the document, the furniture listed apart; `--layout none` keeps the lines.
#include <gtest/gtest.h>

#include <filesystem>
#include <nlohmann/json.hpp>

#include "testing/test_util.h"

namespace pageflow {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

// Three pages of a report: the same header on top of each, the page number at the bottom,
// a heading on the first page and a paragraph whose line ends in a hyphenated word.
std::vector<testing::TestPage> Report() {
  std::vector<testing::TestPage> pages;
  for (int i = 1; i <= 3; ++i) {
    testing::TestPage p;
    p.placed.push_back({72, 40, 9, "ACME Corporation - Annual Report 2025"});
    double y = 110;
    if (i == 1) {
      p.placed.push_back({72, y, 22, "Results of the Year"});
      y += 40;
    }
    const std::string n = std::to_string(i);
    p.placed.push_back(
        {72, y, 11,
         "Section " + n + " explains how the company grew its revenue in every"});
    p.placed.push_back(
        {72, y + 14, 11,
         "quarter and opened two new offices in the north-eastern part of the coun-"});
    p.placed.push_back(
        {72, y + 28, 11,
         "try during the year, as the board had planned in its last meeting."});
    p.placed.push_back(
        {72, y + 56, 11,
         "A second paragraph of page " + n + " closes the section with a short"});
    p.placed.push_back(
        {72, y + 70, 11, "summary of what follows on the next page of this report."});
    p.placed.push_back({300, 760, 9, n});
    pages.push_back(p);
  }
  return pages;
}

json OnlyRecord(const std::string& out) {
  std::vector<json> all;
  for (auto& e : fs::directory_iterator(out + "/results")) {
    all.push_back(json::parse(testing::ReadFile(e.path().string())));
  }
  EXPECT_EQ(all.size(), 1u);
  return all.empty() ? json() : all[0];
}

TEST(LayoutTest, TextReadsLikeTheDocumentAndFurnitureIsListedApart) {
  testing::TempDir dir;
  testing::WriteTestPdf(dir.path() + "/report.pdf", Report());
  const std::string out = dir.path() + "/out";
  testing::CommandResult r = testing::RunPageflow(
      {"run", dir.path() + "/report.pdf", "--out", out, "--format", "jsonl,md,txt",
       "--no-progress", "--stats", out + "/stats.json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const json rec = OnlyRecord(out);
  const std::string text = rec["text"].get<std::string>();

  EXPECT_EQ(text.rfind("# Results of the Year\n\n", 0), 0u) << text;
  // Lines joined into paragraphs, the hyphen of a real word undone.
  EXPECT_NE(text.find("Section 1 explains how the company grew its revenue in every "
                      "quarter and opened two "
                      "new offices in the north-eastern part of the country during the "
                      "year, as the board "
                      "had planned in its last meeting.\n\nA second paragraph of page 1"),
            std::string::npos)
      << text;
  // The running header and the page numbers are not text...
  EXPECT_EQ(text.find("ACME Corporation"), std::string::npos) << text;
  EXPECT_EQ(text.find("\n2\n"), std::string::npos) << text;
  // ...but they are kept, per page, in the metadata.
  int headers = 0, numbers = 0;
  for (const json& f : rec["metadata"]["page_furniture"]) {
    if (f["kind"] == "header" && f["text"] == "ACME Corporation - Annual Report 2025")
      ++headers;
    if (f["kind"] == "page_number") ++numbers;
  }
  EXPECT_EQ(headers, 3) << rec["metadata"].dump();
  EXPECT_EQ(numbers, 3) << rec["metadata"].dump();

  // The Markdown mirror is the text; the plain-text mirror has no Markdown marks.
  const std::string md = testing::ReadFile(out + "/md/report.md");
  EXPECT_NE(md.find("# Results of the Year"), std::string::npos) << md;
  const std::string txt = testing::ReadFile(out + "/txt/report.txt");
  EXPECT_EQ(txt.rfind("Results of the Year\n", 0), 0u) << txt;
  EXPECT_EQ(txt.find('#'), std::string::npos) << txt;
  EXPECT_EQ(std::count(txt.begin(), txt.end(), '\f'), 2) << txt;

  const json stats = json::parse(testing::ReadFile(out + "/stats.json"));
  ASSERT_TRUE(stats.contains("layout_cpu_seconds")) << stats.dump();
  EXPECT_GT(stats["layout_cpu_seconds"].get<double>(), 0.0);
}

// A page read by itself: its running header is told by its place (a margin line in small
// type far from the body), its page number by its form; a title at the top stays.
TEST(LayoutTest, ALonePageLosesItsHeaderButKeepsItsTitle) {
  testing::TempDir dir;
  std::vector<testing::TestPage> pages = Report();
  pages.resize(1);
  pages[0].placed.push_back({72, 50, 22, "Report Title In Large Type"});
  testing::WriteTestPdf(dir.path() + "/one.pdf", pages);
  const std::string out = dir.path() + "/out";
  testing::CommandResult r = testing::RunPageflow(
      {"run", dir.path() + "/one.pdf", "--out", out, "--no-progress"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const json rec = OnlyRecord(out);
  const std::string text = rec["text"].get<std::string>();
  EXPECT_EQ(text.find("ACME Corporation"), std::string::npos) << text;
  EXPECT_NE(text.find("Report Title In Large Type"), std::string::npos) << text;
  EXPECT_EQ(rec["metadata"]["page_furniture"].size(), 2u) << rec["metadata"].dump();
}

TEST(LayoutTest, LayoutNoneKeepsTheEnginesLinesAndADifferentSettingIsNotResumed) {
  testing::TempDir dir;
  testing::WriteTestPdf(dir.path() + "/report.pdf", Report());
  const std::string out = dir.path() + "/out";
  testing::CommandResult r =
      testing::RunPageflow({"run", dir.path() + "/report.pdf", "--out", out, "--layout",
                            "none", "--no-progress"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::string text = OnlyRecord(out)["text"].get<std::string>();
  EXPECT_EQ(
      text.rfind(
          "ACME Corporation - Annual Report 2025\n\nResults of the Year\n\nSection 1", 0),
      0u)
      << text;
  EXPECT_NE(text.find("part of the coun-\ntry during"), std::string::npos) << text;
  EXPECT_NE(text.find("this report.\n\n1\n\nACME"), std::string::npos) << text;

  // The same output folder with the layout on: the text is redone, not reused.
  r = testing::RunPageflow({"run", dir.path() + "/report.pdf", "--out", out, "--layout",
                            "auto", "--no-progress"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  text = OnlyRecord(out)["text"].get<std::string>();
  EXPECT_EQ(text.rfind("# Results of the Year", 0), 0u) << text;

  r = testing::RunPageflow(
      {"run", dir.path() + "/report.pdf", "--out", out, "--layout", "columns"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("--layout"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace pageflow
