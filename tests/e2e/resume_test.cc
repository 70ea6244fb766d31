// kill -9 in the middle of a run, then the same command again: every document exactly
// once, complete, and no torn or temporary files.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>

#include <chrono>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <thread>

#include "testing/test_util.h"

namespace pageflow {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

int CountFiles(const std::string& dir, const std::string& needle) {
  int n = 0;
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(dir, ec); !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    if (it->is_regular_file() && it->path().string().find(needle) != std::string::npos) ++n;
  }
  return n;
}

TEST(ResumeTest, KilledRunResumesWithEveryDocumentExactlyOnce) {
  testing::TempDir dir;
  const std::string in = dir.path() + "/in";
  fs::create_directories(in);
  // Words OCR cannot confuse (unlike 0/O), one per document.
  const std::vector<std::string> names = {"Amber", "Birch", "Cedar", "Dune"};
  constexpr int kDocs = 4;
  constexpr int kPages = 4;
  for (int d = 0; d < kDocs; ++d) {
    std::vector<testing::TestPage> pages;
    for (int p = 0; p < kPages; ++p) {
      pages.push_back({.lines = {"Document " + names[d] + " page " + std::to_string(p + 1)}, .font_pt = 30});
    }
    testing::WriteTestPdf(in + "/doc" + std::to_string(d) + ".pdf", pages);
  }
  const std::string out = dir.path() + "/out";
  const std::vector<std::string> args = {"run", in, "--out", out, "--engine", "tesseract", "--workers", "1",
                                         "--pages-per-range", "1", "--dpi", "200", "--no-progress",
                                         "--stats", dir.path() + "/stats.json"};

  // Kill once some work is on disk but before the run is over.
  const int pid = testing::StartPageflow(args);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (CountFiles(out + "/.pageflow/ranges", ".json") + CountFiles(out + "/results", ".jsonl") < 3 &&
         std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  kill(pid, SIGKILL);
  int status = 0;
  waitpid(pid, &status, 0);
  ASSERT_TRUE(WIFSIGNALED(status)) << "the run finished before it could be killed";
  const int done_before = CountFiles(out + "/results", ".jsonl");
  ASSERT_LT(done_before, kDocs);

  testing::CommandResult r = testing::RunPageflow(args);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  json stats = json::parse(testing::ReadFile(dir.path() + "/stats.json"));
  EXPECT_LT(stats["pages"].get<int>(), kDocs * kPages);  // finished work was not redone
  EXPECT_EQ(stats["documents_skipped"].get<int>(), done_before);

  EXPECT_EQ(CountFiles(out + "/results", ".jsonl"), kDocs);
  EXPECT_EQ(CountFiles(out, ".tmp-"), 0);
  EXPECT_EQ(CountFiles(out + "/.pageflow/ranges", ".json"), 0);
  for (auto& e : fs::directory_iterator(out + "/results")) {
    json j = json::parse(testing::ReadFile(e.path().string()));
    const std::string src = j["metadata"]["source_file"];
    const std::string d = names[std::stoi(src.substr(src.size() - 5, 1))];
    ASSERT_EQ(j["attributes"]["pdf_page_numbers"].size(), static_cast<size_t>(kPages)) << j.dump();
    const std::string text = j["text"];
    for (int p = 1; p <= kPages; ++p) {
      const std::string want = "Document " + d + " page " + std::to_string(p);
      EXPECT_EQ(text.find(want), text.rfind(want)) << "duplicated: " << want;
      EXPECT_NE(text.find(want), std::string::npos) << "missing: " << want << " in " << text;
    }
  }
}

// Results made with another OCR engine, models or language data are not reused.
TEST(ResumeTest, OtherEngineSettingsRedoTheWork) {
  testing::TempDir dir;
  testing::WriteTestPdf(dir.path() + "/a.pdf", {{.lines = {"Hello"}, .font_pt = 36}});
  const std::string stats = dir.path() + "/stats.json";
  const std::vector<std::string> base = {
      "run",      dir.path() + "/a.pdf", "--out",         dir.path() + "/out",
      "--engine", "text-layer",          "--no-progress", "--stats",
      stats};
  auto skipped = [&](std::vector<std::string> extra) {
    std::vector<std::string> args = base;
    args.insert(args.end(), extra.begin(), extra.end());
    testing::CommandResult r = testing::RunPageflow(args);
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return json::parse(testing::ReadFile(stats))["documents_skipped"].get<int>();
  };
  EXPECT_EQ(skipped({}), 0);
  EXPECT_EQ(skipped({}), 1);  // same settings: resumed
  EXPECT_EQ(skipped({"--ocr-engine", "ppocr"}), 0);
  EXPECT_EQ(skipped({"--models-dir", dir.path()}), 0);
  EXPECT_EQ(skipped({"--tessdata", dir.path()}), 0);
  EXPECT_EQ(skipped({"--tessdata", dir.path()}), 1);
  EXPECT_EQ(skipped({"--tessdata", dir.path(), "--boxes"}), 0);  // the record differs
  EXPECT_EQ(skipped({"--tessdata", dir.path(), "--boxes"}), 1);
}

}  // namespace
}  // namespace pageflow
