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
#include <memory>
#include <string>

#include "base/status.h"
#include "base/memory_budget.h"
#include "pipeline/fixed_costs.h"
#include "pipeline/run_options.h"
#include "pipeline/run_summary.h"

namespace pageflow {

// Runs to completion (or until *stop becomes true: in-flight pages finish, finished
// ranges are kept, the rest is left for a re-run). Returns a non-OK status only for
// fatal problems (output directory unwritable, engine cannot load, budget too small
// for the fixed costs); per-document and per-page failures are in the summary.
StatusOr<RunSummary> RunPipeline(const RunOptions& options, const std::atomic<bool>* stop);

// What outlives one pipeline run for a caller that runs many in turn (a queue worker,
// one run per claimed batch): the byte budget and the fixed costs charged to it (PDF
// store, one engine per worker). A run whose engine settings match the previous run's
// reuses its engines instead of loading them again; other settings replace them.
//
//   PipelineHost host(limit);
//   for (...) PF_ASSIGN_OR_RETURN(RunSummary s, RunPipeline(options, &stop, &host));
class PipelineHost {
 public:
  // limit_bytes 0: the default (half of min(RAM, cgroup limit)).
  explicit PipelineHost(int64_t limit_bytes);
  PipelineHost(const PipelineHost&) = delete;
  PipelineHost& operator=(const PipelineHost&) = delete;

  MemoryBudget& budget() { return *budget_; }
  // Loads (and charges) the engines `options` asks for unless the loaded ones match.
  StatusOr<const FixedCosts*> Prepare(const RunOptions& options, const std::atomic<bool>* stop);
  // How many times Prepare loaded engines (rather than reusing them).
  int loads() const { return loads_; }

 private:
  std::unique_ptr<MemoryBudget> budget_;
  std::string key_;  // engine settings of fixed_; empty: nothing loaded
  FixedCosts fixed_;
  int loads_ = 0;
};

// As above, on a host's budget and engines (the host's limit replaces
// options.memory_limit_bytes).
StatusOr<RunSummary> RunPipeline(const RunOptions& options, const std::atomic<bool>* stop, PipelineHost* host);

}  // namespace pageflow
