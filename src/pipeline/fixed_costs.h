// The fixed costs of a run, charged to the budget before the first page: MuPDF's
// resource store, then one engine per worker. `pageflow run` and `pageflow plan` both
// load through here, so a plan measures exactly what a run would charge.
//
//   PF_ASSIGN_OR_RETURN(FixedCosts fixed, ChargeFixedCosts(options, budget));
//   run.Execute(std::move(fixed.engines));  // keep `fixed.pdf_store` alive meanwhile
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <vector>

#include "base/memory_budget.h"
#include "engine/engine.h"
#include "engine/engine_factory.h"
#include "pipeline/run_options.h"

namespace pageflow {

struct FixedCosts {
  Reservation pdf_store;  // options.pdf_store_bytes, for the run's life
  std::vector<std::unique_ptr<Engine>>
      engines;                        // options.workers engines, in worker order
  std::vector<int64_t> engine_bytes;  // what loading each engine charged
};

// Sets MuPDF's store limit, charges it, and creates options.workers engines with
// `create` (default: CreateSharedEngineFactory, so one run's engines share what they can). Errors:
// RESOURCE_EXHAUSTED when a charge does not fit (the message says what would), and
// the factory's errors with the worker named ("worker 2 of 4: ...").
StatusOr<FixedCosts> ChargeFixedCosts(const RunOptions& options, MemoryBudget& budget,
                                      const EngineFactory& create = nullptr);

}  // namespace pageflow
