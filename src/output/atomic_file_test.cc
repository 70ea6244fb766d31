#include "output/atomic_file.h"

#include <gtest/gtest.h>

#include <filesystem>

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

TEST(AtomicFileTest, StaleTemporariesOfKilledRunsAreRemoved) {
  testing::TempDir dir;
  testing::WriteFile(dir.path() + "/a.jsonl.tmp-123-0", "torn");
  testing::WriteFile(dir.path() + "/keep.jsonl", "{}");
  EXPECT_EQ(RemoveStaleTemporaries(dir.path()), 1);
  EXPECT_EQ(CountFiles(dir.path()), 1);
}

}  // namespace
}  // namespace pageflow
