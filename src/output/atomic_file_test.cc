#include "output/atomic_file.h"

#include <gtest/gtest.h>

#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <set>

#include "testing/test_util.h"

namespace pageflow {
namespace {

namespace fs = std::filesystem;

int CountFiles(const std::string& dir) {
  int n = 0;
  for (auto& e : fs::recursive_directory_iterator(dir)) n += e.is_regular_file();
  return n;
}

TEST(AtomicFileTest, AppearsOnlyOnCommit) {
  testing::TempDir dir;
  const std::string path = dir.path() + "/sub/out.txt";
  {
    StatusOr<AtomicFile> f = AtomicFile::Create(path);
    ASSERT_TRUE(f.ok());
    EXPECT_OK(f->Write("hello "));
    EXPECT_OK(f->Write("world"));
    EXPECT_FALSE(fs::exists(path));
    EXPECT_OK(f->Commit());
  }
  EXPECT_EQ(testing::ReadFile(path), "hello world");
  EXPECT_EQ(CountFiles(dir.path()), 1);
}

TEST(AtomicFileTest, AbandonedWriteLeavesOldContentAndNoTemporary) {
  testing::TempDir dir;
  const std::string path = dir.path() + "/out.txt";
  ASSERT_OK(WriteFileAtomically(path, "old"));
  {
    StatusOr<AtomicFile> f = AtomicFile::Create(path);
    ASSERT_TRUE(f.ok());
    EXPECT_OK(f->Write("half-writ"));
  }
  EXPECT_EQ(testing::ReadFile(path), "old");
  EXPECT_EQ(CountFiles(dir.path()), 1);
}

// A pid that no process has now: a child that has exited and been reaped.
pid_t DeadPid() {
  const pid_t child = fork();
  if (child == 0) _exit(0);
  waitpid(child, nullptr, 0);
  return child;
}

TEST(AtomicFileTest, OnlyTemporariesNoLiveProcessOwnsAreSwept) {
  testing::TempDir dir;
  const std::string d = dir.path();
  // This process's own temporary, open: its name says which host and pid wrote it.
  StatusOr<AtomicFile> live = AtomicFile::Create(d + "/live.jsonl");
  ASSERT_TRUE(live.ok());
  std::string live_name;
  for (auto& e : fs::directory_iterator(d)) live_name = e.path().filename().string();
  const std::string tag = ".tmp-";
  ASSERT_NE(live_name.find(tag), std::string::npos) << live_name;
  const std::string host_pid = live_name.substr(live_name.find(tag) + tag.size());  // HOST-PID-N
  const std::string host = host_pid.substr(0, host_pid.rfind('-', host_pid.rfind('-') - 1));
  ASSERT_EQ(host_pid, host + "-" + std::to_string(getpid()) + "-" + host_pid.substr(host_pid.rfind('-') + 1));

  const auto two_hours_ago = fs::file_time_type::clock::now() - std::chrono::hours(2);
  testing::WriteFile(d + "/killed.jsonl.tmp-" + host + "-" + std::to_string(DeadPid()) + "-0", "torn");
  testing::WriteFile(d + "/parent.jsonl.tmp-" + host + "-" + std::to_string(getppid()) + "-0", "being written");
  testing::WriteFile(d + "/elsewhere.jsonl.tmp-other-host-" + std::to_string(getpid()) + "-0", "being written");
  testing::WriteFile(d + "/elsewhere-old.jsonl.tmp-other-host-123-0", "torn");
  fs::last_write_time(d + "/elsewhere-old.jsonl.tmp-other-host-123-0", two_hours_ago);
  testing::WriteFile(d + "/unnamed-old.jsonl.tmp-123-0", "torn");  // before names had a host
  fs::last_write_time(d + "/unnamed-old.jsonl.tmp-123-0", two_hours_ago);
  testing::WriteFile(d + "/keep.jsonl", "{}");

  EXPECT_EQ(RemoveStaleTemporaries(d), 3);
  std::set<std::string> left;
  for (auto& e : fs::directory_iterator(d)) left.insert(e.path().filename().string());
  EXPECT_EQ(left, (std::set<std::string>{live_name, "parent.jsonl.tmp-" + host + "-" + std::to_string(getppid()) + "-0",
                                         "elsewhere.jsonl.tmp-other-host-" + std::to_string(getpid()) + "-0",
                                         "keep.jsonl"}));
  EXPECT_OK(live->Commit());
}

}  // namespace
}  // namespace pageflow
