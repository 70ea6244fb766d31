// `pageflow eval`: runs an engine over a corpus through the same pipeline as `run`,
// scores each item against its ground truth (text_metrics.h) and its structure checks
// (structure_checks.h, per page), and optionally runs a baseline on the same inputs for
// a side-by-side table: the Tesseract CLI, or pdftotext (plain or -layout) for PDFs.
//
//   StatusOr<EvalReport> r = RunEval(options);
//   std::cout << FormatEvalTable(*r);
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "base/status.h"
#include "eval/corpus.h"
#include "eval/structure_checks.h"
#include "eval/text_metrics.h"
#include "pipeline/run_options.h"

namespace pageflow {

struct EvalOptions {
  std::string corpus_dir;
  RunOptions run;               // engine, render, workers, memory; inputs/out_dir are set per group
  std::string lang;             // empty: each item's manifest language
  std::string baseline;         // "", "tesseract-cli", "pdftotext" or "pdftotext-layout"
  std::vector<std::string> subsets;  // "set/sub" or "sub" filters; empty = all
  std::string work_dir;         // scratch space (results of each run)
};

struct FailedCheck {
  std::string id;
  int page = 0;
  CheckType type = CheckType::kPresent;
  std::string reason;
};

struct SideResult {
  TextScore score;           // summed over the item's pages
  CheckTally checks;         // structure checks on the evaluated pages
  std::vector<FailedCheck> failed_checks;
  double seconds = 0;        // recognition time
  int pages = 0;
  std::map<std::string, int> paths;  // pageflow: pages per path taken (text-layer, tesseract)
  std::string error;
};

struct ItemResult {
  CorpusItem item;
  bool scored = false;       // has ground truth
  std::vector<std::string> gt_pages;  // ground truth split at form feeds
  std::vector<StructureCheck> checks;  // from the item's tests file
  int checks_skipped = 0;              // on pages beyond --max-pages
  SideResult pageflow;
  std::optional<SideResult> baseline;
};

struct SubsetSummary {
  std::string name;
  int items = 0;
  int scored = 0;
  int pages = 0;
  double cer = 0, wer = 0, f1 = 0;               // means over scored items
  double pages_per_second = 0;
  CheckTally checks, base_checks;  // summed over items (baseline: items it could run on)
  bool has_baseline = false;
  double base_cer = 0, base_wer = 0, base_f1 = 0, base_pages_per_second = 0;
};

struct EvalReport {
  std::string engine;
  std::string baseline;  // EvalOptions::baseline
  std::vector<ItemResult> items;
  std::vector<SubsetSummary> subsets;
  SubsetSummary overall;
  double wall_seconds = 0;
  // RunSummary::ToJson() of each pipeline run (one per language): the --stats figures
  // (CPU seconds per stage, peaks) behind the report.
  std::vector<std::string> run_stats;
};

StatusOr<EvalReport> RunEval(const EvalOptions& options);
std::string FormatEvalTable(const EvalReport& report);
std::string EvalReportJson(const EvalReport& report);

}  // namespace pageflow
