#include "pipeline/run_summary.h"

#include <nlohmann/json.hpp>

namespace pageflow {

std::string RunSummary::ToJson() const {
  nlohmann::json j = {{"documents", documents},
                      {"documents_failed", documents_failed},
                      {"documents_skipped", documents_skipped},
                      {"documents_with_failed_pages", documents_with_failed_pages},
                      {"pages", pages},
                      {"pages_failed", pages_failed},
                      {"wall_seconds", wall_seconds},
                      {"pages_per_second", pages_per_second},
                      {"peak_rss_bytes", peak_rss_bytes},
                      {"memory_limit_bytes", memory_limit_bytes},
                      {"peak_reserved_bytes", peak_reserved_bytes},
                      {"fixed_bytes", fixed_bytes},
                      {"budget_waits", budget_waits},
                      {"governor_trims", governor_trims},
                      {"source_cpu_seconds", source_cpu_seconds},
                      {"engine_cpu_seconds", engine_cpu_seconds},
                      {"layout_cpu_seconds", layout_cpu_seconds},
                      {"workers", workers},
                      {"engine", engine},
                      {"interrupted", interrupted}};
  if (!engine_stats_json.empty()) {
    nlohmann::json e = nlohmann::json::parse(engine_stats_json, nullptr, /*allow_exceptions=*/false);
    if (e.is_object()) j["engine_stats"] = std::move(e);
  }
  return j.dump(2) + "\n";
}

}  // namespace pageflow
