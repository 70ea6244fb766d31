// Governor: holds the budget to reality. A thread samples real RSS; when it runs above
// what is reserved plus a slack (fragmentation, a library's hidden cache), the heap is
// trimmed and, if that is not enough, the excess becomes the budget's penalty so new
// work waits until usage falls again.
//
//   Governor governor(&budget, {});
//   governor.Start();  ...  governor.Stop();   // also stops on destruction
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <thread>

#include "base/memory_budget.h"

namespace pageflow {

struct GovernorOptions {
  // How often RSS is sampled, in ms. Default 100.
  int interval_ms = 100;
  // Unreserved RSS tolerated before acting, in bytes: code, stacks, allocator slack.
  // Default 48 MiB.
  int64_t slack_bytes = 48ll << 20;
  // Where RSS readings come from; tests substitute their own. Default: /proc/self.
  std::function<int64_t()> sample_rss_bytes;
};

struct GovernorStats {
  int64_t peak_rss_bytes = 0;  // highest sample seen
  int64_t trims = 0;           // malloc_trim calls
  int64_t penalty_bytes = 0;   // current hold-back
};

class Governor {
 public:
  Governor(MemoryBudget* budget, GovernorOptions options);
  ~Governor();
  Governor(const Governor&) = delete;
  Governor& operator=(const Governor&) = delete;

  void Start();
  void Stop();
  // One sampling step (trim and penalty); public for tests.
  void Step();
  GovernorStats Stats() const;

 private:
  void Loop();

  MemoryBudget* budget_;
  GovernorOptions options_;
  std::thread thread_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;  // guarded by mu_
  std::atomic<int64_t> peak_rss_{0};
  std::atomic<int64_t> trims_{0};
  std::atomic<int64_t> penalty_{0};
};

}  // namespace pageflow
