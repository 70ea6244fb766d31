#include "pipeline/progress.h"

#include <cstdio>

namespace pageflow {
namespace {

std::string Duration(double s) {
  char buf[32];
  const long t = static_cast<long>(s + 0.5);
  if (t >= 3600) std::snprintf(buf, sizeof buf, "%ldh%02ldm", t / 3600, (t / 60) % 60);
  else if (t >= 60) std::snprintf(buf, sizeof buf, "%ldm%02lds", t / 60, t % 60);
  else std::snprintf(buf, sizeof buf, "%lds", t);
  return buf;
}

}  // namespace

std::string FormatProgress(const RunCounters& c, const MemoryBudgetStats& budget,
                           int64_t rss_bytes, double elapsed) {
  const int64_t done = c.pages_done.load();
  const int64_t queued = c.pages_queued.load();
  const double rate = elapsed > 0 ? done / elapsed : 0;
  std::string eta = "?";
  if (c.source_finished.load() && rate > 0) eta = Duration((queued - done) / rate);
  char buf[256];
  std::snprintf(buf, sizeof buf, "docs %lld/%lld%s  pages %lld/%lld",
                static_cast<long long>(c.documents_done.load()),
                static_cast<long long>(c.documents_seen.load()),
                c.source_finished.load() ? "" : "+", static_cast<long long>(done),
                static_cast<long long>(queued));
  std::string line = buf;
  if (c.pages_failed.load() > 0) line += " (" + std::to_string(c.pages_failed.load()) + " failed)";
  std::snprintf(buf, sizeof buf, "  %.2f p/s  ETA %s  mem %s/%s (rss %s)", rate, eta.c_str(),
                FormatBytes(budget.reserved_bytes).c_str(), FormatBytes(budget.limit_bytes).c_str(),
                FormatBytes(rss_bytes).c_str());
  return line + buf;
}

}  // namespace pageflow
