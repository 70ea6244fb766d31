// What a run did, for the exit code, the --stats file and the closing log line.
#pragma once

#include <atomic>
#include <cstdint>
#include <string>

#include "base/status.h"

namespace pageflow {

// Live counters, updated by the pipeline's threads and read by the progress line.
struct RunCounters {
  std::atomic<int64_t> documents_seen{0};     // documents the source has reached
  std::atomic<int64_t> documents_done{0};     // written this run
  std::atomic<int64_t> documents_failed{0};   // could not be opened / listed
  std::atomic<int64_t> documents_skipped{0};  // already done by an earlier run
  std::atomic<int64_t> documents_opened{0};   // opened by the source this run
  std::atomic<int64_t> documents_total{-1};   // in the inputs; -1 while being counted
  std::atomic<int64_t> pages_known{0};   // pages to do in the documents opened so far
  std::atomic<int64_t> pages_queued{0};  // pages handed to workers
  std::atomic<int64_t> pages_done{0};         // recognized this run (incl. failed)
  std::atomic<int64_t> pages_failed{0};
  std::atomic<bool> source_finished{false};
  // Worker CPU time in microseconds: reading pages (open, text layer, render) and the
  // engine's own work (recognition, or preparing and parsing requests for vlm).
  std::atomic<int64_t> source_cpu_us{0};
  std::atomic<int64_t> engine_cpu_us{0};
  std::atomic<int64_t> layout_cpu_us{0};
};

struct RunSummary {
  int64_t documents = 0;          // written this run
  int64_t documents_failed = 0;
  int64_t documents_skipped = 0;
  int64_t documents_with_failed_pages = 0;
  int64_t pages = 0;              // recognized this run
  int64_t pages_failed = 0;
  double wall_seconds = 0;
  double pages_per_second = 0;
  int64_t peak_rss_bytes = 0;
  int64_t memory_limit_bytes = 0;
  int64_t peak_reserved_bytes = 0;
  int64_t fixed_bytes = 0;
  int64_t budget_waits = 0;
  int64_t governor_trims = 0;
  double source_cpu_seconds = 0;  // workers' CPU reading pages (open, text layer, render)
  double engine_cpu_seconds = 0;  // workers' CPU in the engines themselves
  double layout_cpu_seconds = 0;  // workers' CPU in the layout stage
  int workers = 0;
  std::string engine;
  bool interrupted = false;
  std::string engine_stats_json;  // Engine::StatsJson() of the run's engines; empty if none

  // 0 = every page done; 1 = some pages or documents failed (the rest is written).
  int ExitCode() const { return (documents_failed > 0 || pages_failed > 0 || interrupted) ? 1 : 0; }
  std::string ToJson() const;
};

}  // namespace pageflow
