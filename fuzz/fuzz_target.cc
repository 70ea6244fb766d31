#include "fuzz_target.h"

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>

#include "base/log.h"

namespace pageflow::fuzz {
namespace {

std::vector<FuzzTarget>& Registry() {
  static std::vector<FuzzTarget> targets;
  return targets;
}

// Never destroyed: the atexit hook that removes it runs after static destructors.
const std::string* scratch_dir = nullptr;

void RemoveScratch() {
  std::error_code ec;
  std::filesystem::remove_all(*scratch_dir, ec);
}

}  // namespace

bool RegisterFuzzTarget(const char* name, FuzzFn fn) {
  Registry().push_back(FuzzTarget{name, fn});
  return true;
}

const std::vector<FuzzTarget>& FuzzTargets() { return Registry(); }

void QuietLogs() {
  static const bool once = [] {
    SetLogLevel(LogLevel::kError);
    return true;
  }();
  (void)once;
}

void Check(bool ok, const char* what) {
  if (ok) return;
  std::fprintf(stderr, "fuzz check failed: %s\n", what);
  std::abort();
}

const std::string& ScratchDir() {
  if (scratch_dir == nullptr) {
    const char* tmp = std::getenv("TMPDIR");
    scratch_dir =
        new std::string(std::string(tmp != nullptr && *tmp != '\0' ? tmp : "/tmp") +
                        "/pageflow-fuzz-" + std::to_string(getpid()));
    std::filesystem::create_directories(*scratch_dir);
    std::atexit(RemoveScratch);
  }
  return *scratch_dir;
}

const std::string& WriteInputFile(std::string_view data, const char* name) {
  static std::map<std::string, std::string> paths;
  std::string& path = paths[name];
  if (path.empty()) path = ScratchDir() + "/" + name;
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(data.data(), static_cast<std::streamsize>(data.size()));
  return path;
}

}  // namespace pageflow::fuzz
