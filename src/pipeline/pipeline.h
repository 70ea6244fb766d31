// The batch pipeline behind `pageflow run`:
//
//   InputWalker ─► source thread ─► BoundedQueue<PageJob> ─► N workers ─► BoundedQueue<Event> ─► assembler
//   (lazy paths)   opens a doc,      (capacity = workers)     render +      (text only)           range files,
//                  counts pages,                              recognize                          documents
//                  skips done work                            under budget
//
// Pages in flight are bounded globally (queue capacities + workers), whatever the number
// or length of documents; every raster is reserved from one MemoryBudget first.
//
//   StatusOr<RunSummary> s = RunPipeline(options, &stop_flag);
#pragma once

#include <atomic>

#include "base/status.h"
#include "pipeline/run_options.h"
#include "pipeline/run_summary.h"

namespace pageflow {

// Runs to completion (or until *stop becomes true: in-flight pages finish, finished
// ranges are kept, the rest is left for a re-run). Returns a non-OK status only for
// fatal problems (output directory unwritable, engine cannot load, budget too small
// for the fixed costs); per-document and per-page failures are in the summary.
StatusOr<RunSummary> RunPipeline(const RunOptions& options, const std::atomic<bool>* stop);

}  // namespace pageflow
