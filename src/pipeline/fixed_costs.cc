#include "pipeline/fixed_costs.h"

#include <algorithm>
#include <string>

#include "input/document.h"

namespace pageflow {

StatusOr<FixedCosts> ChargeFixedCosts(const RunOptions& options, MemoryBudget& budget,
                                      const EngineFactory& create) {
  FixedCosts fixed;
  // The shared context's part of the store; each worker has its own part (Run::Worker).
  SetPdfStoreLimit(options.pdf_store_bytes / (std::max(0, options.workers) + 1));
  PF_ASSIGN_OR_RETURN(fixed.pdf_store,
                      budget.ChargeFixed(options.pdf_store_bytes, "PDF resource store"));
  EngineFactory make = create;
  if (!make) {
    PF_ASSIGN_OR_RETURN(make, CreateSharedEngineFactory(options.engine, budget));
  }
  for (int i = 0; i < options.workers; ++i) {
    const int64_t before = budget.Stats().fixed_bytes;
    StatusOr<std::unique_ptr<Engine>> e = make(options.engine, budget);
    if (!e.ok())
      return e.status().WithContext("worker " + std::to_string(i + 1) + " of " +
                                    std::to_string(options.workers));
    fixed.engines.push_back(std::move(*e));
    fixed.engine_bytes.push_back(budget.Stats().fixed_bytes - before);
  }
  return fixed;
}

}  // namespace pageflow
