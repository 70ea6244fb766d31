#include "pipeline/progress.h"

#include <algorithm>
#include <cstdio>

#include "base/log.h"

namespace pageflow {
namespace {

std::string Duration(double s) {
  char buf[32];
  const long t = static_cast<long>(s + 0.5);
  if (t >= 3600)
    std::snprintf(buf, sizeof buf, "%ldh%02ldm", t / 3600, (t / 60) % 60);
  else if (t >= 60)
    std::snprintf(buf, sizeof buf, "%ldm%02lds", t / 60, t % 60);
  else
    std::snprintf(buf, sizeof buf, "%lds", t);
  return buf;
}

}  // namespace

ProgressSnapshot ProgressMeter::Sample(const RunCounters& c, double elapsed) {
  ProgressSnapshot s;
  s.documents_done = c.documents_done.load();
  s.documents_seen = c.documents_seen.load();
  s.documents_total = c.documents_total.load();
  if (s.documents_total >= 0) {
    s.documents_total = std::max(s.documents_total, s.documents_seen);
    s.documents_unopened = s.documents_total - s.documents_seen;
  } else if (c.source_finished.load()) {
    s.documents_unopened = 0;
  }
  s.pages_done = c.pages_done.load();
  s.pages_failed = c.pages_failed.load();
  s.pages_known = std::max(c.pages_known.load(), s.pages_done);
  s.elapsed_seconds = elapsed;

  // The window: samples at least 0.5 s apart, the oldest dropped past kWindowSeconds.
  const Point now{elapsed, s.pages_done};
  if (count_ == 0 || elapsed - samples_[(first_ + count_ - 1) % kMaxSamples].t >= 0.5) {
    if (count_ == kMaxSamples) {
      first_ = (first_ + 1) % kMaxSamples;
      --count_;
    }
    samples_[(first_ + count_) % kMaxSamples] = now;
    ++count_;
  }
  while (count_ > 1 && elapsed - samples_[first_].t > kWindowSeconds) {
    first_ = (first_ + 1) % kMaxSamples;
    --count_;
  }
  const Point& oldest = samples_[first_];
  // A window shorter than a few seconds says little: use the whole run's average then.
  if (elapsed - oldest.t >= 5 && now.pages > oldest.pages) {
    s.pages_per_second = (now.pages - oldest.pages) / (elapsed - oldest.t);
  } else if (elapsed > 0) {
    s.pages_per_second = s.pages_done / elapsed;
  }

  if (s.pages_done >= kEtaMinPages && s.pages_per_second > 0) {
    double left = static_cast<double>(s.pages_known - s.pages_done);
    const int64_t opened = c.documents_opened.load();
    if (s.documents_unopened > 0 && opened > 0) {
      // Unopened documents are guessed to be as long as the opened ones.
      left += static_cast<double>(s.documents_unopened) * c.pages_known.load() / opened;
      s.eta_estimated = true;
    }
    s.eta_seconds = std::max(0.0, left / s.pages_per_second);
  }
  return s;
}

std::string FormatProgress(const ProgressSnapshot& s, const MemoryBudgetStats& budget,
                           int64_t rss_bytes) {
  char buf[256];
  std::string total = s.documents_total >= 0 ? std::to_string(s.documents_total)
                                             : std::to_string(s.documents_seen) + "+";
  std::snprintf(buf, sizeof buf, "docs %lld/%s  pages %lld/%lld",
                static_cast<long long>(s.documents_done), total.c_str(),
                static_cast<long long>(s.pages_done),
                static_cast<long long>(s.pages_known));
  std::string line = buf;
  if (s.documents_unopened > 0) {
    line += " (+" + Plural(s.documents_unopened, "document") + " not yet opened)";
  }
  if (s.pages_failed > 0) line += " (" + std::to_string(s.pages_failed) + " failed)";
  const std::string eta =
      s.eta_seconds < 0 ? "?" : (s.eta_estimated ? "~" : "") + Duration(s.eta_seconds);
  std::snprintf(buf, sizeof buf, "  %.2f p/s  ETA %s  mem %s/%s (rss %s)",
                s.pages_per_second, eta.c_str(),
                FormatBytes(budget.reserved_bytes).c_str(),
                FormatBytes(budget.limit_bytes).c_str(), FormatBytes(rss_bytes).c_str());
  return line + buf;
}

std::string ProgressJsonFields(const ProgressSnapshot& s, const MemoryBudgetStats& budget,
                               int64_t rss_bytes) {
  char buf[512];
  std::snprintf(
      buf, sizeof buf,
      "\"documents_done\":%lld,\"documents_seen\":%lld,\"documents_total\":%s,"
      "\"documents_not_opened\":%s,\"pages_done\":%lld,\"pages_failed\":%lld,"
      "\"pages_known\":%lld,\"pages_per_second\":%.3f,\"eta_seconds\":%s,"
      "\"elapsed_seconds\":%.1f,\"reserved_bytes\":%lld,\"limit_bytes\":%lld,"
      "\"rss_bytes\":%lld",
      static_cast<long long>(s.documents_done), static_cast<long long>(s.documents_seen),
      s.documents_total >= 0 ? std::to_string(s.documents_total).c_str() : "null",
      s.documents_unopened >= 0 ? std::to_string(s.documents_unopened).c_str() : "null",
      static_cast<long long>(s.pages_done), static_cast<long long>(s.pages_failed),
      static_cast<long long>(s.pages_known), s.pages_per_second,
      s.eta_seconds >= 0
          ? std::to_string(static_cast<int64_t>(s.eta_seconds + 0.5)).c_str()
          : "null",
      s.elapsed_seconds, static_cast<long long>(budget.reserved_bytes),
      static_cast<long long>(budget.limit_bytes), static_cast<long long>(rss_bytes));
  return buf;
}

}  // namespace pageflow
