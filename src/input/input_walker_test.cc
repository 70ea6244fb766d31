#include "input/input_walker.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "testing/test_util.h"

namespace pageflow {
namespace {

std::vector<std::string> Walk(std::vector<std::string> inputs, std::vector<std::string>* errors) {
  InputWalker walker(std::move(inputs));
  std::vector<std::string> out;
  while (auto item = walker.Next()) {
    if (item->error.ok()) out.push_back(item->relative);
    else errors->push_back(item->error.message());
  }
  return out;
}

TEST(InputWalkerTest, WalksDirectoriesSortedAndRecursively) {
  testing::TempDir dir;
  std::filesystem::create_directories(dir.path() + "/in/sub");
  testing::WriteFile(dir.path() + "/in/b.pdf", "x");
  testing::WriteFile(dir.path() + "/in/a.PNG", "x");
  testing::WriteFile(dir.path() + "/in/notes.txt", "x");
  testing::WriteFile(dir.path() + "/in/sub/c.tiff", "x");
  std::vector<std::string> errors;
  EXPECT_EQ(Walk({dir.path() + "/in"}, &errors), (std::vector<std::string>{"a.PNG", "b.pdf", "sub/c.tiff"}));
  EXPECT_TRUE(errors.empty());
}

TEST(InputWalkerTest, ListsFilesAndReportsBadInputs) {
  testing::TempDir dir;
  std::filesystem::create_directories(dir.path() + "/empty");
  testing::WriteFile(dir.path() + "/x.pdf", "x");
  testing::WriteFile(dir.path() + "/list.txt", dir.path() + "/x.pdf\n# comment\n\n" + dir.path() + "/nope.pdf\n");
  std::vector<std::string> errors;
  std::vector<std::string> found = Walk({"@" + dir.path() + "/list.txt", dir.path() + "/empty"}, &errors);
  EXPECT_EQ(found, (std::vector<std::string>{"x.pdf"}));
  ASSERT_EQ(errors.size(), 2u);
  EXPECT_NE(errors[0].find("no such file"), std::string::npos);
  EXPECT_NE(errors[1].find("holds no PDF"), std::string::npos);
}

}  // namespace
}  // namespace pageflow
