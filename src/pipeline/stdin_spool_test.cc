#include "pipeline/stdin_spool.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <thread>

#include "testing/test_util.h"

namespace pageflow {
namespace {

// Writes `data` into a pipe from another thread and spools the pipe's read end.
Status SpoolFromPipe(const std::string& data, const std::string& path, int64_t max_bytes,
                     MemoryBudget* budget) {
  int fds[2];
  if (pipe(fds) != 0) return IoError("pipe");
  std::thread writer([&] {
    for (size_t off = 0; off < data.size();) {
      const ssize_t n = write(fds[1], data.data() + off, data.size() - off);
      if (n <= 0) break;  // the reader stopped (over the limit)
      off += static_cast<size_t>(n);
    }
    close(fds[1]);
  });
  Status st = SpoolStream(fds[0], path, max_bytes, budget);
  close(fds[0]);  // unblocks a writer the spool left behind
  writer.join();
  return st;
}

TEST(StdinSpoolTest, CopiesTheStreamAndReturnsTheBuffer) {
  testing::TempDir dir;
  MemoryBudget budget(64 << 20);
  const std::string data(3 * kSpoolBufferBytes + 17, 'x');
  ASSERT_TRUE(SpoolFromPipe(data, dir.path() + "/s", 1 << 30, &budget).ok());
  EXPECT_EQ(testing::ReadFile(dir.path() + "/s"), data);
  EXPECT_EQ(budget.Stats().reserved_bytes, 0);
  EXPECT_EQ(budget.Stats().peak_reserved_bytes, kSpoolBufferBytes);
}

TEST(StdinSpoolTest, RefusesAStreamOverTheLimitAndRemovesTheFile) {
  testing::TempDir dir;
  MemoryBudget budget(64 << 20);
  signal(SIGPIPE, SIG_IGN);
  const Status st =
      SpoolFromPipe(std::string(5 << 20, 'x'), dir.path() + "/s", 2 << 20, &budget);
  EXPECT_EQ(st.code(), StatusCode::kResourceExhausted);
  EXPECT_NE(st.message().find("more than 2.0M (--max-stdin)"), std::string::npos)
      << st.message();
  EXPECT_FALSE(std::filesystem::exists(dir.path() + "/s"));
}

TEST(StdinSpoolTest, AnEmptyStreamIsCorrupt) {
  testing::TempDir dir;
  MemoryBudget budget(64 << 20);
  EXPECT_EQ(SpoolFromPipe("", dir.path() + "/s", 1 << 20, &budget).code(),
            StatusCode::kCorrupt);
}

}  // namespace
}  // namespace pageflow
