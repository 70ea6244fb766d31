// The progress report of a run: documents, pages done of the pages known so far (the
// source counts a document's pages when it opens it) plus the documents not yet opened,
// pages/s over a moving window, an ETA once a few pages are done, and memory.
//
//   ProgressMeter meter;
//   ProgressSnapshot s = meter.Sample(counters, elapsed_seconds);
//   SetStatusLine(FormatProgress(s, budget.Stats(), CurrentRssBytes()));
//   "docs 1/3  pages 13/40 (+2 documents not yet opened)  2.10 p/s  ETA ~31s  mem
//   412M/2.0G (rss 455M)"
#pragma once

#include <cstdint>
#include <string>

#include "base/memory_budget.h"
#include "pipeline/run_summary.h"

namespace pageflow {

struct ProgressSnapshot {
  int64_t documents_done = 0;       // written this run
  int64_t documents_seen = 0;       // reached by the source (opened or skipped)
  int64_t documents_total = -1;     // in the inputs; -1 while still being counted
  int64_t documents_unopened = -1;  // total - seen; -1 unknown
  int64_t pages_done = 0;
  int64_t pages_failed = 0;
  int64_t pages_known = 0;  // pages to do in the documents opened so far
  double elapsed_seconds = 0;
  double pages_per_second = 0;  // over the moving window
  double eta_seconds = -1;      // -1: not yet known
  bool eta_estimated = false;   // includes a guess for documents not yet opened
};

// Turns counters sampled over time into a snapshot. Not thread-safe: one caller (the
// run's monitor thread). Memory: at most kMaxSamples samples.
class ProgressMeter {
 public:
  // Pages done before an ETA is shown, and the window the rate is measured over.
  static constexpr int64_t kEtaMinPages = 3;
  static constexpr double kWindowSeconds = 30;

  ProgressSnapshot Sample(const RunCounters& c, double elapsed_seconds);

 private:
  struct Point {
    double t = 0;
    int64_t pages = 0;
  };
  static constexpr int kMaxSamples = 64;
  Point samples_[kMaxSamples];
  int first_ = 0, count_ = 0;
};

// One line: "docs 1/3  pages 13/40 (+2 documents not yet opened)  2.10 p/s  ETA 31s  mem
// ..."
std::string FormatProgress(const ProgressSnapshot& s, const MemoryBudgetStats& budget,
                           int64_t rss_bytes);
// The same as JSON object members (no braces): "\"documents_done\":1,..."
std::string ProgressJsonFields(const ProgressSnapshot& s, const MemoryBudgetStats& budget,
                               int64_t rss_bytes);

}  // namespace pageflow
