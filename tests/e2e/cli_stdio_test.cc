// `pageflow run - --out -` (issue 17 item 4): one document from standard input, told by
// its content, and its record (or Markdown, or text) on standard output, logs on stderr.
#include <gtest/gtest.h>

#include <filesystem>
#include <nlohmann/json.hpp>

#include "testing/test_util.h"

namespace pageflow {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

std::vector<testing::TestPage> TwoPages() {
  return {{.lines = {"Stdin alpha page one"}, .font_pt = 30},
          {.lines = {"Stdin beta page two"}, .font_pt = 30}};
}

TEST(CliStdioTest, ReadsStdinAndWritesTheRecordToStdout) {
  testing::TempDir dir;
  testing::WriteTestPdf(dir.path() + "/a.pdf", TwoPages());
  // A name that says nothing of the format: it is told from the content.
  fs::rename(dir.path() + "/a.pdf", dir.path() + "/piped");
  testing::CommandResult r = testing::RunPageflow(
      {"run", "-", "--out", "-", "--no-progress"}, dir.path() + "/piped");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  // Exactly one line on stdout: the JSONL record; everything else went to stderr.
  ASSERT_FALSE(r.out.empty()) << r.err;
  EXPECT_EQ(r.out.find('\n'), r.out.size() - 1) << r.out;
  const json record = json::parse(r.out);
  EXPECT_NE(record["text"].get<std::string>().find("Stdin alpha page one"),
            std::string::npos);
  EXPECT_NE(record["text"].get<std::string>().find("Stdin beta page two"),
            std::string::npos);
  EXPECT_EQ(record["metadata"]["source_file"], "stdin");
  EXPECT_EQ(record["metadata"]["pdf_total_pages"], 2);
  EXPECT_NE(r.err.find("1 document written"), std::string::npos) << r.err;
  EXPECT_EQ(r.err.find("results in"), std::string::npos) << r.err;
}

TEST(CliStdioTest, WritesMarkdownOrTextToStdout) {
  testing::TempDir dir;
  testing::WriteTestPdf(dir.path() + "/a.pdf", TwoPages());
  for (const char* format : {"md", "txt"}) {
    testing::CommandResult r = testing::RunPageflow(
        {"run", "-", "--out", "-", "--format", format, "--no-progress"},
        dir.path() + "/a.pdf");
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_NE(r.out.find("Stdin alpha page one"), std::string::npos)
        << format << ": " << r.out;
    EXPECT_EQ(r.out.find("\"metadata\""), std::string::npos) << format << ": " << r.out;
  }
  testing::CommandResult r = testing::RunPageflow(
      {"run", "-", "--out", "-", "--format", "md,txt"}, dir.path() + "/a.pdf");
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find("--out - writes one format"), std::string::npos) << r.err;
}

TEST(CliStdioTest, StdinIntoAnOutputFolderLeavesNoSpool) {
  testing::TempDir dir;
  testing::WriteTestImage(dir.path() + "/scan.png", 200, 100);
  const std::string out = dir.path() + "/out";
  testing::CommandResult r = testing::RunPageflow(
      {"run", "-", "--out", out, "--format", "jsonl,md", "--no-progress"},
      dir.path() + "/scan.png");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(fs::exists(out + "/md/stdin.md")) << r.err;
  EXPECT_FALSE(fs::exists(out + "/.pageflow/spool/stdin"));
  EXPECT_TRUE(r.out.empty()) << r.out;
}

TEST(CliStdioTest, AStdinOverTheLimitOrNotADocumentIsRefusedCleanly) {
  testing::TempDir dir;
  testing::WriteTestPdf(dir.path() + "/a.pdf", TwoPages());
  // 8 KiB of a PDF's look; refused before its content matters.
  testing::WriteFile(dir.path() + "/big.pdf", "%PDF-1.4\n" + std::string(8 << 10, 'x'));
  testing::CommandResult r = testing::RunPageflow(
      {"run", "-", "--out", "-", "--max-stdin", "1K", "--no-progress"},
      dir.path() + "/big.pdf");
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_NE(r.err.find("stdin: more than 1.0K (--max-stdin)"), std::string::npos)
      << r.err;
  EXPECT_TRUE(r.out.empty()) << r.out;

  testing::WriteFile(dir.path() + "/notes", "just some text\n");
  r = testing::RunPageflow({"run", "-", "--out", "-", "--no-progress"},
                           dir.path() + "/notes");
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_NE(r.err.find("stdin: not a PDF, PNG, JPEG or TIFF file"), std::string::npos)
      << r.err;

  r = testing::RunPageflow({"run", "-", "-", "--out", "-"}, dir.path() + "/a.pdf");
  EXPECT_EQ(r.exit_code, 2) << r.err;
}

}  // namespace
}  // namespace pageflow
