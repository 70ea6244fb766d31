// Replays every input kept under tests/fuzz/regressions/TARGET/ (each one crashed, hung
// or ran out of memory in a fuzz run before its fix) through the target's function,
// built here without libFuzzer, so every build checks the fixes still hold.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "fuzz_target.h"

namespace pageflow::fuzz {
namespace {

namespace fs = std::filesystem;

fs::path RegressionsDir() {
  const char* source = std::getenv("PAGEFLOW_SOURCE_DIR");
  return fs::path(source != nullptr ? source : ".") / "tests/fuzz/regressions";
}

std::string ReadAll(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

TEST(FuzzReplayTest, EveryTargetIsLinkedOnce) {
  std::set<std::string> linked;
  for (const FuzzTarget& t : FuzzTargets()) {
    EXPECT_TRUE(linked.insert(t.name).second) << t.name << " registered twice";
  }
  std::set<std::string> listed;
  std::stringstream names(PAGEFLOW_FUZZ_TARGET_NAMES);
  for (std::string name; std::getline(names, name, ',');) listed.insert(name);
  EXPECT_EQ(linked, listed);
}

TEST(FuzzReplayTest, RegressionFoldersNameTargets) {
  const fs::path dir = RegressionsDir();
  ASSERT_TRUE(fs::is_directory(dir)) << dir << " is missing";
  std::set<std::string> linked;
  for (const FuzzTarget& t : FuzzTargets()) linked.insert(t.name);
  for (const fs::directory_entry& e : fs::directory_iterator(dir)) {
    if (!e.is_directory()) continue;
    EXPECT_TRUE(linked.count(e.path().filename().string()))
        << e.path() << " names no fuzz target";
  }
}

TEST(FuzzReplayTest, KeptInputsRunCleanly) {
  QuietLogs();
  int replayed = 0;
  for (const FuzzTarget& t : FuzzTargets()) {
    const fs::path dir = RegressionsDir() / t.name;
    if (!fs::is_directory(dir)) continue;
    for (const fs::directory_entry& e : fs::directory_iterator(dir)) {
      if (!e.is_regular_file() || e.path().extension() == ".md") continue;
      SCOPED_TRACE(t.name + ": " + e.path().filename().string());
      t.fn(ReadAll(e.path()));  // a crash or a failed Check aborts the test
      ++replayed;
    }
  }
  std::printf("replayed %d kept inputs\n", replayed);
}

}  // namespace
}  // namespace pageflow::fuzz
