// libFuzzer's entry point for a binary built from one *_fuzzer.cc.
#include <cstdio>
#include <cstdlib>

#include "fuzz_target.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const pageflow::fuzz::FuzzFn fn = [] {
    const auto& targets = pageflow::fuzz::FuzzTargets();
    if (targets.size() != 1) {
      std::fprintf(stderr, "a fuzz binary links exactly one target (%zu here)\n",
                   targets.size());
      std::abort();
    }
    pageflow::fuzz::QuietLogs();
    return targets[0].fn;
  }();
  fn(std::string_view(reinterpret_cast<const char*>(data), size));
  return 0;
}
