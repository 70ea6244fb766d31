// ServerMetrics: the Prometheus metrics of `pageflow serve` (DESIGN §7), kept in a
// prometheus-cpp registry and rendered in the text format for GET /metrics. Counters
// and histograms are updated as events happen; gauges (budget, RSS, queues) are read
// from the PageService when scraped.
//
//   ServerMetrics metrics;
//   metrics.Rejected("queue_full");
//   std::string text = metrics.Render(service.Stats());
//
// Thread-safe.
#pragma once

#include <memory>
#include <string>

#include "server/page_service.h"

namespace pageflow {

class ServerMetrics final : public PageServiceObserver {
 public:
  ServerMetrics();
  ~ServerMetrics() override;
  ServerMetrics(const ServerMetrics&) = delete;
  ServerMetrics& operator=(const ServerMetrics&) = delete;

  // PageServiceObserver
  void OnPage(const std::string& engine, bool failed, double queue_seconds, double recognize_seconds) override;
  void OnJobFinished(JobState state, double seconds) override;

  // reason: queue_full, memory, too_large, unsupported, corrupt, unauthorized, bad_request.
  void Rejected(const std::string& reason);
  void UploadSeconds(double seconds);
  void Request(int status);

  std::string Render(const PageServiceStats& stats);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace pageflow
