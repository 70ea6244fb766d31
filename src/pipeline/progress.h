// The terminal progress line: documents, pages, pages/s, ETA, memory used / limit.
//   "docs 12/40  pages 311 (2 failed)  3.4 p/s  ETA 1m12s  mem 412M/2.0G (rss 455M)"
#pragma once

#include <string>

#include "base/memory_budget.h"
#include "pipeline/run_summary.h"

namespace pageflow {

std::string FormatProgress(const RunCounters& c, const MemoryBudgetStats& budget,
                           int64_t rss_bytes, double elapsed_seconds);

}  // namespace pageflow
