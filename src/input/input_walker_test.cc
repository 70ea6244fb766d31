#include "input/input_walker.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

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

TEST(InputWalkerTest, MirrorPathsAreAsWalkedNotWhereLinksPoint) {
  testing::TempDir dir;
  std::filesystem::create_directories(dir.path() + "/docs");
  std::filesystem::create_directories(dir.path() + "/l/a/b");
  testing::WriteFile(dir.path() + "/docs/report.pdf", "x");
  std::filesystem::create_symlink("../../../docs/report.pdf",
                                  dir.path() + "/l/a/b/report.pdf");
  std::filesystem::create_directory_symlink("../../../docs", dir.path() + "/l/a/b/more");
  std::vector<std::string> errors;
  EXPECT_EQ(Walk({dir.path() + "/l/a/b"}, &errors),
            (std::vector<std::string>{"more/report.pdf", "report.pdf"}));
  EXPECT_TRUE(errors.empty());
}

TEST(InputWalkerTest, PrefixesEachRootWhenSeveralAreNamed) {
  testing::TempDir dir;
  for (const char* root : {"/2019", "/2020", "/x/2019"}) {
    std::filesystem::create_directories(dir.path() + root);
    testing::WriteFile(dir.path() + root + "/report.pdf", "x");
  }
  std::vector<std::string> errors;
  EXPECT_EQ(Walk({dir.path() + "/2019/", dir.path() + "/2020", dir.path() + "/x/2019"},
                 &errors),
            (std::vector<std::string>{"2019/report.pdf", "2020/report.pdf",
                                      "2019-2/report.pdf"}));
  // One root keeps today's layout.
  EXPECT_EQ(Walk({dir.path() + "/2019"}, &errors),
            (std::vector<std::string>{"report.pdf"}));
  EXPECT_TRUE(errors.empty());
}

TEST(InputWalkerTest, FollowsEachFolderOnceDespiteLinkLoops) {
  testing::TempDir dir;
  std::filesystem::create_directories(dir.path() + "/in/sub");
  testing::WriteFile(dir.path() + "/in/a.pdf", "x");
  testing::WriteFile(dir.path() + "/in/sub/b.pdf", "x");
  std::filesystem::create_directory_symlink("..", dir.path() + "/in/sub/loop");
  std::filesystem::create_directory_symlink("sub", dir.path() + "/in/zalias");
  std::vector<std::string> errors;
  EXPECT_EQ(Walk({dir.path() + "/in", dir.path() + "/in/sub"}, &errors),
            (std::vector<std::string>{"in/a.pdf", "in/sub/b.pdf"}));
  EXPECT_TRUE(errors.empty());
}

// Root reads any folder whatever its mode, so as root the walk runs in a child process
// that has become `nobody` first.
TEST(InputWalkerTest, ReportsAnUnreadableSubfolder) {
  testing::TempDir dir;
  std::filesystem::create_directories(dir.path() + "/in/locked");
  testing::WriteFile(dir.path() + "/in/a.pdf", "x");
  testing::WriteFile(dir.path() + "/in/locked/b.pdf", "x");
  chmod(dir.path().c_str(), 0755);
  chmod((dir.path() + "/in").c_str(), 0755);
  chmod((dir.path() + "/in/locked").c_str(), 0);
  int fds[2];
  ASSERT_EQ(pipe(fds), 0);
  const pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    close(fds[0]);
    if (geteuid() == 0 && (setgid(65534) != 0 || setuid(65534) != 0)) _exit(2);
    std::vector<std::string> errors;
    std::string out;
    for (const std::string& f : Walk({dir.path() + "/in"}, &errors))
      out += "found " + f + "\n";
    for (const std::string& e : errors) out += "error " + e + "\n";
    if (write(fds[1], out.data(), out.size()) != static_cast<ssize_t>(out.size()))
      _exit(3);
    _exit(0);
  }
  close(fds[1]);
  std::string out;
  char buf[4096];
  for (ssize_t n; (n = read(fds[0], buf, sizeof buf)) > 0;)
    out.append(buf, static_cast<size_t>(n));
  close(fds[0]);
  int status = 0;
  waitpid(pid, &status, 0);
  ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0)
      << "child failed: " << status;
  EXPECT_NE(out.find("found a.pdf\n"), std::string::npos) << out;
  EXPECT_NE(out.find("error cannot read folder: Permission denied"), std::string::npos)
      << out;
  EXPECT_EQ(out.find("holds no PDF"), std::string::npos) << out;
}

}  // namespace
}  // namespace pageflow
