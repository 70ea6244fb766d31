#include "output/workspace.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "base/process_stats.h"
#include "testing/test_util.h"

namespace pageflow {
namespace {

using nlohmann::json;

// Resets the kernel's RSS high-water mark (VmHWM) of this process; false where the
// kernel does not let it (then peak-RSS checks cannot run).
bool ResetPeakRss() {
  std::ofstream clear("/proc/self/clear_refs");
  clear << "5";
  clear.flush();
  return clear.good();
}

TEST(WorkspaceTest, RangeFilesReadBackWhatWasWritten) {
  testing::TempDir dir;
  StatusOr<Workspace> ws = Workspace::Open(dir.path(), "fp");
  ASSERT_OK(ws);
  PageRecord a{3, "Grüße \"quoted\"", "text-layer", 1.0f, "", "", 1, 0.1};
  PageRecord b{4, "", "", 0, "", "cannot render", 0, 0.2};
  ASSERT_OK(ws->WriteRange("doc", {2, 3}, {a, b}, "size=1;mtime=2"));
  StatusOr<std::vector<PageRecord>> back = ws->ReadRange("doc", {2, 3}, "size=1;mtime=2");
  ASSERT_OK(back);
  ASSERT_EQ(back->size(), 2u);
  EXPECT_EQ((*back)[0].text, a.text);
  EXPECT_EQ((*back)[1].error, b.error);
  EXPECT_FALSE(ws->ReadRange("doc", {2, 3}, "size=9;mtime=2").ok());  // another input

  ASSERT_OK(ws->WritePartial("doc", {2, 4}, {b}, "size=1;mtime=2"));
  StatusOr<std::vector<PageRecord>> partial =
      ws->ReadPartial("doc", {2, 4}, "size=1;mtime=2");
  ASSERT_OK(partial);
  ASSERT_EQ(partial->size(), 1u);
  EXPECT_EQ((*partial)[0].page, 4);
  // Files are one JSON object, as docs/output-format.md describes.
  const json j = json::parse(
      testing::ReadFile(dir.path() + "/.pageflow/ranges/doc/000003-000004.json"));
  EXPECT_EQ(j["fingerprint"], "fp");
  EXPECT_EQ(j["source"], "size=1;mtime=2");
  EXPECT_EQ(j["pages"].size(), 2u);
}

// Found by fuzz_resume: a range file that is JSON but not the object a run writes (a
// member of another type, an array) threw out of ReadRange and ended the whole run.
TEST(WorkspaceTest, ADamagedRangeFileIsCorruptNotAThrow) {
  testing::TempDir dir;
  StatusOr<Workspace> ws = Workspace::Open(dir.path(), "fp");
  ASSERT_OK(ws);
  const std::string ranges = dir.path() + "/.pageflow/ranges/doc/";
  std::filesystem::create_directories(ranges);
  for (const char* damaged :
       {R"({"fingerprint":7,"pages":{}})", "[1,2]", R"({"fingerprint":"fp","pages":7})",
        R"({"fingerprint":"fp","source":1,"pages":[{"page":1}]})", "\"fp\"", "null"}) {
    SCOPED_TRACE(damaged);
    testing::WriteFile(ranges + "000001-000001.json", damaged);     // pages 1-1
    testing::WriteFile(ranges + "000001-000002.partial", damaged);  // pages 1-2
    StatusOr<std::vector<PageRecord>> range = ws->ReadRange("doc", {0, 0}, "size=1");
    ASSERT_FALSE(range.ok());
    EXPECT_EQ(range.status().code(), StatusCode::kCorrupt);
    EXPECT_FALSE(ws->HasRange("doc", {0, 0}, "size=1"));
    StatusOr<std::vector<PageRecord>> partial = ws->ReadPartial("doc", {0, 1}, "size=1");
    ASSERT_FALSE(partial.ok());
    EXPECT_NE(partial.status().message().find("damaged partial range file"),
              std::string::npos)
        << partial.status().message();
  }
}

// A range of long pages is written and read a page at a time: writing 64 MiB of page
// text adds little to the process's peak RSS (building the whole file's JSON first added
// twice it); reading it back adds the records and one page's JSON (reading the file's
// text and parsing it whole added three times the records); checking that it is there
// adds what parsing one page takes.
TEST(WorkspaceTest, ARangeIsWrittenAndReadAPageAtATime) {
  if (!testing::kRssIsMeaningful) GTEST_SKIP() << "RSS means nothing under ASan";
  testing::TempDir dir;
  StatusOr<Workspace> ws = Workspace::Open(dir.path(), "fp");
  ASSERT_OK(ws);
  constexpr int kPages = 16;
  constexpr int64_t kPageBytes = 4 << 20;
  std::vector<PageRecord> pages(kPages);
  for (int i = 0; i < kPages; ++i) {
    pages[i].page = i + 1;
    pages[i].text.assign(kPageBytes, static_cast<char>('a' + i));  // touched: resident
  }
  TrimHeap();
  if (!ResetPeakRss()) GTEST_SKIP() << "/proc/self/clear_refs is not writable here";
  int64_t before = CurrentRssBytes();
  ASSERT_OK(ws->WriteRange("doc", {0, kPages - 1}, pages));
  const int64_t written = PeakRssBytes() - before;
  EXPECT_LT(written, 32ll << 20);

  pages.clear();
  pages.shrink_to_fit();
  TrimHeap();
  ASSERT_TRUE(ResetPeakRss());
  before = CurrentRssBytes();
  EXPECT_TRUE(ws->HasRange("doc", {0, kPages - 1}));
  const int64_t checked = PeakRssBytes() - before;
  EXPECT_LT(checked, 8 * kPageBytes);  // a page's text, token and value, not the range's

  TrimHeap();
  ASSERT_TRUE(ResetPeakRss());
  before = CurrentRssBytes();
  StatusOr<std::vector<PageRecord>> back = ws->ReadRange("doc", {0, kPages - 1});
  const int64_t read = PeakRssBytes() - before;
  ASSERT_OK(back);
  ASSERT_EQ(back->size(), static_cast<size_t>(kPages));
  EXPECT_EQ((*back)[15].text, std::string(kPageBytes, 'p'));
  EXPECT_LT(read, kPages * kPageBytes + 8 * kPageBytes);
  std::printf(
      "[ figure ] a 16 x 4 MiB range: peak RSS +%.1f MiB writing, +%.1f MiB checking, "
      "+%.1f MiB reading (the records alone: 64 MiB)\n",
      written / 1048576.0, checked / 1048576.0, read / 1048576.0);
}

}  // namespace
}  // namespace pageflow
