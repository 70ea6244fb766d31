#include "server/page_service.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <thread>

#include "testing/test_util.h"

namespace pageflow {
namespace {

class CountingObserver final : public PageServiceObserver {
 public:
  void OnPage(const std::string&, bool failed, double, double) override {
    (failed ? failed_ : pages_)++;
  }
  void OnJobFinished(JobState state, double) override {
    (state == JobState::kCancelled ? cancelled_ : done_)++;
  }
  std::atomic<int> pages_{0}, failed_{0}, done_{0}, cancelled_{0};
};

// How many of this process's file descriptors point at `path` (deleted or not).
int OpenFilesOn(const std::string& path) {
  int n = 0;
  for (const auto& fd : std::filesystem::directory_iterator("/proc/self/fd")) {
    std::error_code ec;
    const std::string target = std::filesystem::read_symlink(fd.path(), ec).string();
    if (!ec && target.rfind(path, 0) == 0) ++n;
  }
  return n;
}

class PageServiceTest : public ::testing::Test {
 protected:
  std::unique_ptr<PageService> Start(int max_jobs, int queue) {
    PageServiceOptions o;
    o.workers = 2;
    o.max_jobs = max_jobs;
    o.queue = queue;
    // Roomy: under ASan real RSS is far above the reservations and the governor would
    // hold the difference back from admission.
    o.memory_limit_bytes = 4ll << 30;
    o.defaults.engine.kind = "text-layer";
    o.spool_dir = dir_.path() + "/spool";
    StatusOr<std::unique_ptr<PageService>> s = PageService::Start(o, &observer_);
    EXPECT_OK(s);
    return s.ok() ? std::move(*s) : nullptr;
  }
  // A spooled upload of an n-page PDF, as the HTTP layer would leave it.
  std::string Upload(PageService& s, int pages) {
    std::vector<testing::TestPage> content;
    for (int i = 1; i <= pages; ++i)
      content.push_back({.lines = {"Page number " + std::to_string(i)}});
    StatusOr<std::string> path = s.NewSpoolFile();
    EXPECT_OK(path);
    testing::WriteTestPdf(*path, content);
    return *path;
  }
  static void WaitFinished(Job& job) {
    while (!job.finished())
      job.WaitForLines(job.page_count(), std::chrono::milliseconds(100));
  }

  testing::TempDir dir_;
  CountingObserver observer_;
};

TEST_F(PageServiceTest, WritesPagesInOrderAndReturnsEveryReservation) {
  std::unique_ptr<PageService> s = Start(2, 2);
  ASSERT_NE(s, nullptr);
  Rejection why;
  StatusOr<std::shared_ptr<Job>> job =
      s->Submit(Upload(*s, 7), "a.pdf", s->options().defaults, &why);
  ASSERT_OK(job);
  WaitFinished(**job);
  EXPECT_EQ((*job)->Snapshot().state, JobState::kDone);
  std::ifstream in((*job)->result_path());
  int n = 0;
  for (std::string line; std::getline(in, line); ++n) {
    EXPECT_NE(line.find("\"page\":" + std::to_string(n + 1) + ","), std::string::npos)
        << line;
    EXPECT_NE(line.find("Page number " + std::to_string(n + 1)), std::string::npos)
        << line;
  }
  EXPECT_EQ(n, 7);
  // A done job keeps its upload (its pages' images are rendered from it) until it is
  // forgotten.
  const std::string upload = (*job)->upload_path();
  EXPECT_EQ(access(upload.c_str(), F_OK), 0);
  const PageServiceStats st = s->Stats();
  EXPECT_EQ(st.budget.reserved_bytes, st.budget.fixed_bytes);
  EXPECT_EQ(observer_.pages_.load(), 7);
  EXPECT_EQ(observer_.done_.load(), 1);
  ASSERT_TRUE(s->Cancel((*job)->id(), true));
  job->reset();
  // Gone with the job, once the worker that settled its last page has let go of it.
  for (int i = 0; i < 500 && access(upload.c_str(), F_OK) == 0; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  EXPECT_EQ(access(upload.c_str(), F_OK), -1);
  // Nor held open: the workers let go of a document when they go idle (a text-layer
  // page is quick, so a worker would otherwise keep it open for the next page).
  for (int i = 0; i < 500 && OpenFilesOn(upload) > 0; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  EXPECT_EQ(OpenFilesOn(upload), 0);
}

TEST_F(PageServiceTest, RefusesBeyondMaxJobsPlusQueueAndCancelsWaitingJobs) {
  std::unique_ptr<PageService> s = Start(1, 1);
  ASSERT_NE(s, nullptr);
  Rejection why;
  // Long enough that the first is still running when the third is submitted.
  const std::string first = Upload(*s, 2000), second = Upload(*s, 2),
                    third = Upload(*s, 1);
  std::vector<std::shared_ptr<Job>> jobs;
  for (const std::string& upload : {first, second}) {
    StatusOr<std::shared_ptr<Job>> j =
        s->Submit(upload, "long.pdf", s->options().defaults, &why);
    ASSERT_OK(j);
    jobs.push_back(*j);
  }
  EXPECT_FALSE(s->HasRoom());
  StatusOr<std::shared_ptr<Job>> refused =
      s->Submit(third, "c.pdf", s->options().defaults, &why);
  EXPECT_EQ(refused.status().code(), StatusCode::kResourceExhausted);
  EXPECT_EQ(why, Rejection::kQueueFull);
  EXPECT_EQ(access(third.c_str(), F_OK), 0);  // not admitted: still the caller's

  for (auto& j : jobs) EXPECT_TRUE(s->Cancel(j->id(), false));
  for (auto& j : jobs) {
    WaitFinished(*j);
    EXPECT_EQ(j->Snapshot().state, JobState::kCancelled);
  }
  EXPECT_TRUE(s->HasRoom());
  EXPECT_EQ(observer_.cancelled_.load(), 2);
  EXPECT_LT(observer_.pages_.load(), 2002);
  const PageServiceStats st = s->Stats();
  EXPECT_EQ(st.budget.reserved_bytes, st.budget.fixed_bytes);
  EXPECT_TRUE(s->Cancel(jobs[0]->id(), true));  // forgotten now
  EXPECT_EQ(s->Find(jobs[0]->id()), nullptr);
  EXPECT_FALSE(s->Cancel(jobs[0]->id(), true));
  unlink(third.c_str());
}

TEST_F(PageServiceTest, CorruptAndUnsupportedUploadsAreNotAdmitted) {
  std::unique_ptr<PageService> s = Start(1, 1);
  ASSERT_NE(s, nullptr);
  StatusOr<std::string> path = s->NewSpoolFile();
  ASSERT_OK(path);
  testing::WriteFile(*path, "%PDF-1.7\nnot really");
  Rejection why;
  EXPECT_EQ(s->Submit(*path, "x.pdf", s->options().defaults, &why).status().code(),
            StatusCode::kCorrupt);
  testing::WriteFile(*path, "plain text");
  EXPECT_EQ(s->Submit(*path, "x.txt", s->options().defaults, &why).status().code(),
            StatusCode::kUnsupported);
  EXPECT_EQ(why, Rejection::kNone);
  unlink(path->c_str());
}

}  // namespace
}  // namespace pageflow
