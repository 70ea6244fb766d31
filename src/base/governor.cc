#include "base/governor.h"

#include <algorithm>
#include <chrono>

#include "base/process_stats.h"

namespace pageflow {

Governor::Governor(MemoryBudget* budget, GovernorOptions options)
    : budget_(budget), options_(std::move(options)) {
  if (!options_.sample_rss_bytes) options_.sample_rss_bytes = CurrentRssBytes;
}

Governor::~Governor() { Stop(); }

void Governor::Start() {
  if (thread_.joinable()) return;
  thread_ = std::thread([this] { Loop(); });
}

void Governor::Stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void Governor::Loop() {
  std::unique_lock<std::mutex> lock(mu_);
  while (!cv_.wait_for(lock, std::chrono::milliseconds(options_.interval_ms),
                       [&] { return stop_; })) {
    lock.unlock();
    Step();
    lock.lock();
  }
}

void Governor::Step() {
  const int64_t rss_bytes = options_.sample_rss_bytes();
  peak_rss_ = std::max(peak_rss_.load(), rss_bytes);
  const int64_t reserved = budget_->Stats().reserved_bytes;
  int64_t excess = rss_bytes - reserved - options_.slack_bytes;
  if (excess > 0) {
    // Freed-but-kept heap is the usual cause; give it back before holding work back.
    TrimHeap();
    ++trims_;
    const int64_t after = options_.sample_rss_bytes();
    if (after > 0 && after < rss_bytes) excess = after - reserved - options_.slack_bytes;
  }
  const int64_t penalty = std::max<int64_t>(0, excess);
  penalty_ = penalty;
  budget_->SetPenalty(penalty);
}

GovernorStats Governor::Stats() const {
  GovernorStats s;
  s.peak_rss_bytes = peak_rss_.load();
  s.trims = trims_.load();
  s.penalty_bytes = penalty_.load();
  return s;
}

}  // namespace pageflow
