#include "cli/command.h"

#include <algorithm>
#include <csignal>
#include <iostream>
#include <thread>

#include "base/memory_budget.h"

namespace pageflow {

std::atomic<bool> g_stop_requested{false};

namespace {
void OnStopSignal(int) { g_stop_requested = true; }
}  // namespace

void InstallStopSignals() {
  std::signal(SIGINT, OnStopSignal);
  std::signal(SIGTERM, OnStopSignal);
}

bool ParseSizeFlag(const char* flag, const std::string& text, int64_t* out) {
  if (text.empty()) return true;
  StatusOr<int64_t> bytes = ParseByteSize(text);
  if (!bytes.ok()) {
    std::cerr << "pageflow: " << flag << ": " << bytes.status().message() << "\n";
    return false;
  }
  *out = *bytes;
  return true;
}

bool ParsePdfStoreFlag(const std::string& text, int64_t* out) {
  int64_t bytes = *out;
  if (!ParseSizeFlag("--pdf-store", text, &bytes)) return false;
  if (bytes < kMinPdfStoreBytes) {
    // MuPDF reads a store limit of 0 as "unlimited": it would grow outside the budget.
    std::cerr << "pageflow: --pdf-store: '" << text
              << "' is too small; MuPDF's store needs at "
              << "least 1M (it caches fonts and images within this limit)\n";
    return false;
  }
  *out = bytes;
  return true;
}

int DefaultWorkers() { return static_cast<int>(std::max(1u, std::thread::hardware_concurrency())); }

}  // namespace pageflow
