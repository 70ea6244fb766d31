#include "server/metrics.h"

#include <prometheus/counter.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>
#include <prometheus/text_serializer.h>

#include <mutex>

namespace pageflow {

using prometheus::BuildCounter;
using prometheus::BuildGauge;
using prometheus::BuildHistogram;

struct ServerMetrics::Impl {
  std::shared_ptr<prometheus::Registry> registry = std::make_shared<prometheus::Registry>();
  prometheus::Family<prometheus::Counter>& pages_processed =
      BuildCounter().Name("pageflow_pages_processed_total").Help("Pages recognized, by the engine path that produced them").Register(*registry);
  prometheus::Family<prometheus::Counter>& pages_failed =
      BuildCounter().Name("pageflow_pages_failed_total").Help("Pages that failed, by requested engine").Register(*registry);
  prometheus::Family<prometheus::Counter>& jobs =
      BuildCounter().Name("pageflow_jobs_total").Help("Jobs finished, by outcome").Register(*registry);
  prometheus::Family<prometheus::Counter>& rejections =
      BuildCounter().Name("pageflow_rejections_total").Help("Requests refused, by reason").Register(*registry);
  prometheus::Family<prometheus::Counter>& requests =
      BuildCounter().Name("pageflow_http_requests_total").Help("HTTP responses, by status code").Register(*registry);
  prometheus::Family<prometheus::Histogram>& stages =
      BuildHistogram().Name("pageflow_stage_seconds").Help("Latency of each stage: upload spooling, page queue wait, page recognition (render + engine), whole job").Register(*registry);
  prometheus::Family<prometheus::Gauge>& gauges =
      BuildGauge().Name("pageflow_queue_depth").Help("Items waiting, by queue: jobs (admitted, not started), pages (fed, not picked up)").Register(*registry);
  prometheus::Gauge& jobs_waiting = gauges.Add({{"queue", "jobs"}});
  prometheus::Gauge& pages_queued = gauges.Add({{"queue", "pages"}});
  prometheus::Gauge& jobs_in_flight =
      BuildGauge().Name("pageflow_jobs_in_flight").Help("Admitted jobs not finished (waiting or running)").Register(*registry).Add({});
  prometheus::Gauge& workers_busy =
      BuildGauge().Name("pageflow_workers_busy").Help("Workers recognizing a page now").Register(*registry).Add({});
  prometheus::Family<prometheus::Gauge>& budget =
      BuildGauge().Name("pageflow_budget_bytes").Help("Memory budget: limit, reserved (incl. fixed), fixed, peak reserved, governor penalty").Register(*registry);
  prometheus::Gauge& limit = budget.Add({{"kind", "limit"}});
  prometheus::Gauge& reserved = budget.Add({{"kind", "reserved"}});
  prometheus::Gauge& fixed = budget.Add({{"kind", "fixed"}});
  prometheus::Gauge& peak = budget.Add({{"kind", "peak"}});
  prometheus::Gauge& penalty = budget.Add({{"kind", "penalty"}});
  prometheus::Family<prometheus::Gauge>& rss =
      BuildGauge().Name("pageflow_rss_bytes").Help("Resident set size of the process: now and peak").Register(*registry);
  prometheus::Gauge& rss_now = rss.Add({{"kind", "current"}});
  prometheus::Gauge& rss_peak = rss.Add({{"kind", "peak"}});

  // Page latencies span 1 ms (text layer) to a minute (a dense page at high DPI).
  const prometheus::Histogram::BucketBoundaries buckets{0.001, 0.005, 0.02, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60};
  prometheus::Histogram& upload = stages.Add({{"stage", "upload"}}, buckets);
  prometheus::Histogram& queue = stages.Add({{"stage", "queue"}}, buckets);
  prometheus::Histogram& recognize = stages.Add({{"stage", "recognize"}}, buckets);
  prometheus::Histogram& job = stages.Add({{"stage", "job"}}, buckets);
};

ServerMetrics::ServerMetrics() : impl_(std::make_unique<Impl>()) {
  for (const char* reason : {"queue_full", "memory", "too_large", "unsupported", "corrupt", "unauthorized"}) {
    impl_->rejections.Add({{"reason", reason}});
  }
  for (const char* outcome : {"done", "cancelled"}) impl_->jobs.Add({{"outcome", outcome}});
}

ServerMetrics::~ServerMetrics() = default;

void ServerMetrics::OnPage(const std::string& engine, bool failed, double queue_seconds, double recognize_seconds) {
  (failed ? impl_->pages_failed : impl_->pages_processed).Add({{"engine", engine}}).Increment();
  impl_->queue.Observe(queue_seconds);
  impl_->recognize.Observe(recognize_seconds);
}

void ServerMetrics::OnJobFinished(JobState state, double seconds) {
  impl_->jobs.Add({{"outcome", std::string(JobStateName(state))}}).Increment();
  impl_->job.Observe(seconds);
}

void ServerMetrics::Rejected(const std::string& reason) { impl_->rejections.Add({{"reason", reason}}).Increment(); }
void ServerMetrics::UploadSeconds(double seconds) { impl_->upload.Observe(seconds); }
void ServerMetrics::Request(int status) { impl_->requests.Add({{"code", std::to_string(status)}}).Increment(); }

std::string ServerMetrics::Render(const PageServiceStats& s) {
  Impl& m = *impl_;
  m.jobs_waiting.Set(s.jobs_waiting);
  m.pages_queued.Set(s.pages_queued);
  m.jobs_in_flight.Set(s.jobs_waiting + s.jobs_active);
  m.workers_busy.Set(s.workers_busy);
  m.limit.Set(static_cast<double>(s.budget.limit_bytes));
  m.reserved.Set(static_cast<double>(s.budget.reserved_bytes));
  m.fixed.Set(static_cast<double>(s.budget.fixed_bytes));
  m.peak.Set(static_cast<double>(s.budget.peak_reserved_bytes));
  m.penalty.Set(static_cast<double>(s.budget.penalty_bytes));
  m.rss_now.Set(static_cast<double>(s.rss_bytes));
  m.rss_peak.Set(static_cast<double>(s.peak_rss_bytes));
  return prometheus::TextSerializer().Serialize(m.registry->Collect());
}

}  // namespace pageflow
