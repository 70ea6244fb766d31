// End-to-end runs of `pageflow run` on generated documents: outputs, formats, stats,
// and the memory ceiling on a page too big for the budget.
#include <gtest/gtest.h>

#include <filesystem>
#include <nlohmann/json.hpp>

#include "testing/test_util.h"

namespace pageflow {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

std::vector<json> Results(const std::string& out) {
  std::vector<json> all;
  for (auto& e : fs::directory_iterator(out + "/results")) {
    const std::string data = testing::ReadFile(e.path().string());
    EXPECT_EQ(std::count(data.begin(), data.end(), '\n'), 1) << e.path();
    all.push_back(json::parse(data));
  }
  return all;
}

TEST(RunTest, PdfsAndMultiPageTiffBecomeOneRecordEachWithPageSpans) {
  testing::TempDir dir;
  const std::string in = dir.path() + "/in";
  fs::create_directories(in + "/sub");
  testing::WriteTestPdf(in + "/report.pdf", {{.lines = {"Alpha page one"}},
                                             {.lines = {"Beta page two"}},
                                             {.lines = {"Gamma page three"}}});
  testing::WriteTestImage(in + "/sub/scan.tif", 600, 400, 2);
  const std::string out = dir.path() + "/out";
  testing::CommandResult r =
      testing::RunPageflow({"run", in, "--out", out, "--format", "jsonl,md,txt",
                            "--no-progress", "--stats", out + "/stats.json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::vector<json> results = Results(out);
  ASSERT_EQ(results.size(), 2u);
  for (const json& j : results) {
    if (j["metadata"]["source_file"].get<std::string>().find("report.pdf") ==
        std::string::npos) {
      EXPECT_EQ(j["attributes"]["pdf_page_numbers"].size(), 2u);  // two TIFF frames
      EXPECT_EQ(j["metadata"]["engines_used"]["tesseract"].get<int64_t>(), 2);
      continue;
    }
    EXPECT_EQ(j["text"].get<std::string>(),
              "Alpha page one\n\nBeta page two\n\nGamma page three");
    EXPECT_EQ(j["attributes"]["pdf_page_numbers"].dump(),
              json::parse("[[0,14,1],[16,29,2],[31,47,3]]").dump());
    EXPECT_EQ(j["metadata"]["engines_used"]["text-layer"].get<int>(), 3);
    EXPECT_EQ(j["id"].get<std::string>().size(), 16u);
    EXPECT_FALSE(j["added"].get<std::string>().empty());
  }
  EXPECT_TRUE(fs::exists(out + "/md/report.md"));
  EXPECT_TRUE(fs::exists(out + "/txt/sub/scan.txt"));
  EXPECT_EQ(testing::ReadFile(out + "/txt/report.txt"),
            "Alpha page one\n\fBeta page two\n\fGamma page three\n");

  json stats = json::parse(testing::ReadFile(out + "/stats.json"));
  for (const char* key :
       {"documents", "pages", "pages_failed", "wall_seconds", "pages_per_second",
        "peak_rss_bytes", "memory_limit_bytes", "peak_reserved_bytes",
        "source_cpu_seconds", "engine_cpu_seconds"}) {
    EXPECT_TRUE(stats.contains(key)) << key;
  }
  EXPECT_EQ(stats["documents"].get<int64_t>(), 2);
  EXPECT_EQ(stats["pages"].get<int64_t>(), 5);
  EXPECT_EQ(stats["pages_failed"].get<int64_t>(), 0);

  // A second run of the same command finds everything done.
  testing::CommandResult again =
      testing::RunPageflow({"run", in, "--out", out, "--format", "jsonl,md,txt",
                            "--no-progress", "--stats", out + "/stats.json"});
  ASSERT_EQ(again.exit_code, 0) << again.err;
  json stats2 = json::parse(testing::ReadFile(out + "/stats.json"));
  EXPECT_EQ(stats2["documents_skipped"].get<int64_t>(), 2);
  EXPECT_EQ(stats2["pages"].get<int64_t>(), 0);
  EXPECT_EQ(Results(out).size(), 2u);
}

// A real page whose images need more of MuPDF's memory than the usual per-page allowance
// (64 MiB) is read with a larger one when the budget has room, not failed.
TEST(RunTest, APageNeedingMorePdfLibraryMemoryIsReadWhenTheBudgetHasRoom) {
  testing::TempDir dir;
  const std::string out = dir.path() + "/out";
  testing::CommandResult r = testing::RunPageflow(
      {"run", testing::SourceDir() + "/samples/dolma-page-1.pdf", "--out", out,
       "--memory-limit", "1G", "--no-progress", "--stats", out + "/stats.json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.err.find("PDF library memory"), std::string::npos) << r.err;
  json stats = json::parse(testing::ReadFile(out + "/stats.json"));
  EXPECT_EQ(stats["pages_failed"].get<int64_t>(), 0);
}

TEST(RunTest, ADocumentListedTwiceRunsOnce) {
  testing::TempDir dir;
  const std::string in = dir.path() + "/in";
  fs::create_directories(in);
  testing::WriteTestPdf(in + "/a.pdf", {{.lines = {"Alpha"}}});
  testing::WriteTestPdf(in + "/b.pdf",
                        {{.lines = {"Beta one"}}, {.lines = {"Beta two"}}});
  testing::WriteTestPdf(
      in + "/c.pdf",
      {{.lines = {"Gamma"}}, {.lines = {"Delta"}}, {.lines = {"Epsilon"}}});
  testing::WriteFile(dir.path() + "/list.txt", in + "/c.pdf\n" + in + "/a.pdf\n");
  const std::string out = dir.path() + "/out";
  // The directory twice, one of its files by another spelling, and a list naming two
  // more.
  testing::CommandResult r = testing::RunPageflow(
      {"run", in, in + "/./b.pdf", in, "@" + dir.path() + "/list.txt", "--out", out,
       "--no-progress", "--stats", out + "/stats.json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::vector<json> results = Results(out);
  ASSERT_EQ(results.size(), 3u);
  json stats = json::parse(testing::ReadFile(out + "/stats.json"));
  EXPECT_EQ(stats["documents"].get<int64_t>(), 3);
  EXPECT_EQ(stats["pages"].get<int64_t>(), 6)
      << "a page was recognized twice: " << stats.dump();
}

TEST(RunTest, A600DpiPageStaysUnderA300MiBLimit) {
  testing::TempDir dir;
  testing::WriteTestPdf(dir.path() + "/dense.pdf",
                        {{.lines = {"Memory is a budget", "pages stream one at a time",
                                    "work waits or is refused"}}});
  const std::string out = dir.path() + "/out";
  testing::CommandResult r = testing::RunPageflow(
      {"run", dir.path() + "/dense.pdf", "--out", out, "--engine", "tesseract", "--dpi",
       "600", "--memory-limit", "300M", "--no-progress", "--stats", out + "/stats.json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  json stats = json::parse(testing::ReadFile(out + "/stats.json"));
  const int64_t limit = 300ll << 20;
  EXPECT_EQ(stats["memory_limit_bytes"].get<int64_t>(), limit);
  // Real memory: peak reserved bytes are under the limit by the budget's construction.
  if (testing::kRssIsMeaningful) {
    EXPECT_LE(stats["peak_rss_bytes"].get<int64_t>(), limit) << stats.dump();
  } else {
    testing::NoteSkippedCheck("peak RSS <= 300 MiB", "RSS means nothing under ASan");
  }
  // Where the CPU went: rendering a 600 DPI page and Tesseract both take measurable time,
  // and together no more than the workers had.
  const double source_cpu = stats["source_cpu_seconds"].get<double>();
  const double engine_cpu = stats["engine_cpu_seconds"].get<double>();
  EXPECT_GT(source_cpu, 0.0) << stats.dump();
  EXPECT_GT(engine_cpu, source_cpu) << stats.dump();
  EXPECT_LE(source_cpu + engine_cpu,
            stats["wall_seconds"].get<double>() * stats["workers"].get<int>())
      << stats.dump();
  std::vector<json> results = Results(out);
  ASSERT_EQ(results.size(), 1u);
  EXPECT_NE(results[0]["text"].get<std::string>().find("Memory is a budget"),
            std::string::npos);
}

}  // namespace
}  // namespace pageflow
