// MemoryPlan: how `pageflow run` with the same options would spend its memory, worked
// out before the run with the code the run itself uses: the default limit
// (DefaultMemoryLimitBytes), the fixed costs (ChargeFixedCosts: the engines are really
// loaded, into a throwaway budget, and asked for one page so lazily loaded models count
// too), and each page's reservation (PlanRender with the engine's own working-bytes
// function, obtained by handing the engine a page that plans instead of rendering).
//
//   StatusOr<MemoryPlan> plan = PlanMemory(options);  // RunOptions as for RunPipeline
//   if (!plan.ok()) return Fatal(plan.status());       // the engine could not load
//   std::cout << plan->ToText();                       // or ToJson()
//   return plan->ExitCode();
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "base/status.h"
#include "pipeline/fixed_costs.h"
#include "pipeline/run_options.h"

namespace pageflow {

enum class PageOutcome {
  kFits,        // rendered as requested (--dpi, --max-dim)
  kDownscaled,  // reduced to fit what the budget leaves per page
  kRefused,     // fails in a run: too big even reduced, unreadable, engine cannot read it
};
const char* PageOutcomeName(PageOutcome outcome);  // "fits", "downscaled", "refused"

// One page as the run would treat it, alone (other pages in flight are not counted).
struct PagePlan {
  std::string name;     // "A4", "Letter", or "page 3" of a document
  double width_pt = 0;  // PDF pages; 0 for pictures
  double height_pt = 0;
  bool renders = false;  // false: the engine reads the text layer only (or refuses)
  // The raster at --dpi and --max-dim, and the reservation it needs (raster, decoding,
  // engine working set; at least the text layer's), whatever the limit.
  int requested_width = 0, requested_height = 0;
  int64_t requested_bytes = 0;
  // What the budget grants: the raster and reservation as planned (0 when refused).
  int width = 0, height = 0;
  int64_t reserved_bytes = 0;
  PageOutcome outcome = PageOutcome::kFits;
  // Pages this big the budget lets the workers hold at once (<= workers).
  int in_flight = 0;
  std::string note;  // why it was reduced (--max-dim) or refused
};

struct DocumentPlan {
  std::string path;
  std::string error;      // non-empty: cannot be opened (the run fails the document)
  int pages = 0;          // in the document
  int pages_planned = 0;  // after --max-pages
  int downscaled = 0;     // pages reduced to fit the budget
  int refused = 0;        // pages that would fail
  int largest_page = 0;   // 1-based: the page with the largest requested reservation
  PagePlan largest;
};

// One engine instance (one per worker), as loaded.
struct EngineCost {
  int64_t load_bytes = 0;        // charged by CreateEngine
  int64_t first_page_bytes = 0;  // charged on its first page (models loaded lazily)
  int64_t bytes() const { return load_bytes + first_page_bytes; }
};

struct MemoryPlan {
  // The run being planned.
  std::string engine;
  std::string auto_ocr;  // the OCR engine `auto` falls back to
  std::string lang;
  int workers = 0;
  int dpi = 0;
  int max_dim = 0;

  // The budget: --memory-limit, or half of the smaller of RAM and the cgroup limit.
  int64_t limit_bytes = 0;
  bool limit_from_flag = false;
  int64_t ram_bytes = 0;
  int64_t cgroup_limit_bytes = 0;  // 0: none

  // Fixed costs, charged for the whole run.
  int64_t pdf_store_bytes = 0;
  std::vector<EngineCost> engines;  // worker order
  int64_t fixed_bytes = 0;          // store + engines
  // Fixed costs of the first k workers (k = 1..workers): store + engines[0..k).
  int64_t FixedBytesFor(int k) const;
  // limit - fixed: the largest single page reservation; negative if fixed costs do not fit.
  int64_t page_budget_bytes() const { return limit_bytes - fixed_bytes; }

  std::vector<PagePlan> typical_pages;  // A4 and Letter at --dpi
  std::vector<DocumentPlan> documents;  // the INPUTs, if any

  // The verdict, over the documents' pages when INPUTs were given, else the typical ones.
  int64_t page_bytes = 0;   // the largest requested reservation among them
  int pages_in_flight = 0;  // pages of that size the budget lets the workers hold
  // fixed + workers x page_bytes: every worker busy at once, nothing reduced.
  int64_t required_limit_bytes = 0;
  // The most workers (<= workers) that fit the limit that way; 0: not even one.
  int suggested_workers = 0;
  bool fixed_fit = false;  // the fixed costs fit the limit at all
  // Fixed costs fit, all workers busy at once, no page reduced or failed, every input opens.
  bool fits = false;
  std::vector<std::string> advice;  // what to change, one sentence each

  // As `pageflow run` would exit on the same inputs, with one addition: 0 fits; 1 some
  // page would be downscaled or refused, a document cannot be opened, or the workers
  // would wait on memory; 3 the fixed costs alone do not fit (the run would not start).
  int ExitCode() const;
  std::string ToJson() const;  // schema in docs/plan.md
  std::string ToText() const;  // a table for people
};

// Plans a run with `options` (inputs, engine, render, workers >= 1, memory_limit_bytes,
// pdf_store_bytes, max_pages; out_dir and formats are ignored). Loads options.workers
// engines for real, and opens every INPUT to size its pages (no page is rendered).
// Errors: INVALID_ARGUMENT for workers < 1, and CreateEngine's errors (an engine that
// cannot load). A limit too small for the fixed costs is not an error: the plan says so.
// `create` makes the engines (CreateEngine; tests substitute their own).
StatusOr<MemoryPlan> PlanMemory(const RunOptions& options,
                                const EngineFactory& create = nullptr);

}  // namespace pageflow
