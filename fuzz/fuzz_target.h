// A fuzz target: one function of an input that must neither crash, leak, nor run past
// the limits libFuzzer sets, whatever the bytes. Each *_fuzzer.cc declares one; it is
// built twice, as a libFuzzer binary (PAGEFLOW_FUZZ, fuzz_main.cc) and into the replay
// test that feeds it tests/fuzz/regressions/NAME/* in every build.
//
//   PAGEFLOW_FUZZ_TARGET(work_item, data) {
//     (void)WorkItem::FromJson(std::string(data));
//   }
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace pageflow::fuzz {

using FuzzFn = void (*)(std::string_view data);

struct FuzzTarget {
  std::string name;
  FuzzFn fn;
};

// Adds a target to FuzzTargets(); returns true (for a static initializer).
bool RegisterFuzzTarget(const char* name, FuzzFn fn);
// Every target linked into this program, in registration order.
const std::vector<FuzzTarget>& FuzzTargets();

// Quiet logging, once per process (fuzzing runs millions of inputs; warnings about
// damaged files are the expected answer, not news).
void QuietLogs();

// A file holding `data`, rewritten on each call: targets whose code under test opens
// paths (DetectFormat, OpenDocument) read it from there. One per process and name, under
// $TMPDIR; removed at exit.
const std::string& WriteInputFile(std::string_view data, const char* name = "input");

// A per-process scratch directory under $TMPDIR, removed at exit.
const std::string& ScratchDir();

// Aborts with `what` (a finding, like a crash) unless `ok`: for properties a target
// checks beyond "does not crash" (a round trip gives back what went in...).
void Check(bool ok, const char* what);

}  // namespace pageflow::fuzz

#define PAGEFLOW_FUZZ_TARGET(name, data)                                \
  static void PageflowFuzz_##name(std::string_view data);               \
  [[maybe_unused]] static const bool pageflow_fuzz_registered_##name =  \
      ::pageflow::fuzz::RegisterFuzzTarget(#name, PageflowFuzz_##name); \
  static void PageflowFuzz_##name(std::string_view data)
