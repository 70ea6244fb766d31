#include "queue/worker.h"

#include <unistd.h>

#include <chrono>
#include <condition_variable>
#include <map>
#include <mutex>
#include <optional>
#include <thread>
#include <unordered_map>
#include <vector>

#include "base/log.h"
#include "output/atomic_file.h"
#include "pipeline/pipeline.h"
#include "queue/work_queue.h"

namespace pageflow {
namespace {

std::string DefaultConsumer() {
  char host[256] = {0};
  if (gethostname(host, sizeof host - 1) != 0) host[0] = '\0';
  return std::string(host[0] ? host : "worker") + "-" + std::to_string(getpid());
}

std::string Describe(const Delivery& d) {
  if (!d.item.ok()) return "message " + d.message_id;
  const WorkItem& i = *d.item;
  if (i.whole_document()) return i.path;
  return i.path + " pages " + std::to_string(i.first + 1) + "-" + std::to_string(i.last + 1);
}

// Renews the leases of the batch in hand from its own connection, so a long batch is
// never reclaimed while this process is alive.
class Heartbeat {
 public:
  Heartbeat(const WorkerOptions& o, const std::string& consumer, const std::atomic<bool>* stop)
      : options_(o), consumer_(consumer), stop_(stop), thread_([this] { Loop(); }) {}
  ~Heartbeat() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      done_ = true;
    }
    cv_.notify_all();
    thread_.join();
  }
  void Hold(std::vector<std::string> ids) {
    std::lock_guard<std::mutex> lock(mu_);
    held_ = std::move(ids);
  }

 private:
  void Loop() {
    std::optional<WorkQueue> queue;
    std::unique_lock<std::mutex> lock(mu_);
    const auto period = std::chrono::milliseconds(std::max(100, options_.lease_ms / 3));
    while (!cv_.wait_for(lock, period, [this] { return done_; })) {
      std::vector<std::string> ids = held_;
      if (ids.empty()) continue;
      lock.unlock();  // no lock across network I/O
      if (!queue) {
        RedisClientOptions c;
        c.reconnect_window_ms = options_.lease_ms / 3;
        c.stop = stop_;
        StatusOr<WorkQueue> q = WorkQueue::Open(options_.url, c);
        if (q.ok()) queue.emplace(std::move(*q));
      }
      if (queue) {
        if (Status st = queue->Renew(consumer_, ids); !st.ok()) LogWarning("lease renewal: " + st.message());
      }
      lock.lock();
    }
  }

  const WorkerOptions& options_;
  const std::string consumer_;
  const std::atomic<bool>* stop_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool done_ = false;               // guarded by mu_
  std::vector<std::string> held_;   // guarded by mu_
  std::thread thread_;              // last: starts after the members above exist
};

// What the pipeline reported for one item.
struct Outcome {
  int ok_ranges = 0;
  std::optional<Status> error;
};

class Worker {
 public:
  Worker(const WorkerOptions& o, WorkQueue queue, std::string consumer, const std::atomic<bool>* stop)
      : options_(o),
        queue_(std::move(queue)),
        consumer_(std::move(consumer)),
        stop_(stop),
        host_(o.memory_limit_bytes) {}
  Status Run(WorkerSummary* summary);

 private:
  bool Stopping() const { return stop_ != nullptr && stop_->load(); }
  // Runs items that share options through one pipeline; settles each of them.
  Status RunGroup(std::vector<Delivery*>& group, WorkerSummary* summary);
  void Settle(Delivery& d, const Outcome* outcome, bool interrupted, WorkerSummary* summary);

  const WorkerOptions& options_;
  WorkQueue queue_;
  const std::string consumer_;
  const std::atomic<bool>* stop_;
  // The budget and engines every batch runs on: engines load once, not once per batch.
  PipelineHost host_;
};

Status Worker::Run(WorkerSummary* summary) {
  const int batch = options_.batch_items > 0 ? options_.batch_items : 2 * std::max(1, options_.workers);
  Heartbeat heartbeat(options_, consumer_, stop_);
  // Leftovers of killed workers on this machine (others' live temporaries stay); once
  // here rather than per batch, which would walk a large output tree again and again.
  if (const int removed = RemoveStaleTemporaries(options_.out_dir); removed > 0) {
    LogInfo("removed " + std::to_string(removed) + " temporary files of stopped processes in " + options_.out_dir);
  }
  while (!Stopping()) {
    StatusOr<std::vector<Delivery>> got = queue_.Claim(consumer_, batch, options_.lease_ms, options_.block_ms);
    if (!got.ok()) {
      if (Stopping()) break;
      LogWarning("claim: " + got.status().message());
      std::this_thread::sleep_for(std::chrono::seconds(1));
      continue;
    }
    if (got->empty()) {
      if (options_.exit_when_drained) {
        StatusOr<bool> drained = queue_.Drained();
        if (drained.ok() && *drained) break;
      }
      continue;
    }
    ++summary->batches;
    std::vector<std::string> ids;
    for (const Delivery& d : *got) ids.push_back(d.message_id);
    heartbeat.Hold(ids);

    std::map<std::string, std::vector<Delivery*>> groups;  // by options
    for (Delivery& d : *got) {
      if (!d.item.ok()) {
        LogError("dead-lettering " + Describe(d) + ": " + d.item.status().message());
        if (Status st = queue_.DeadLetter(d, d.item.status().message(), consumer_); !st.ok()) LogError(st.message());
        ++summary->items_dead;
      } else if (d.attempts() > options_.max_deliveries) {
        // Delivered too often without an acknowledgement: its workers died or stalled
        // on it (or it failed cleanly before that, then last_error says why).
        std::string reason = "delivered " + std::to_string(d.attempts() - 1) +
                             " times without being acknowledged (the worker died or stalled)";
        if (!d.last_error.empty()) reason += "; last error: " + d.last_error;
        LogError("dead-lettering " + Describe(d) + ": " + reason);
        if (Status st = queue_.DeadLetter(d, reason, consumer_); !st.ok()) LogError(st.message());
        ++summary->items_dead;
      } else {
        groups[OptionsKey(d.item->options)].push_back(&d);
      }
    }
    Status fatal;
    for (auto& [key, group] : groups) {
      if (fatal.ok()) {
        fatal = RunGroup(group, summary);
      } else {
        for (Delivery* d : group) Settle(*d, nullptr, /*interrupted=*/true, summary);
      }
    }
    heartbeat.Hold({});
    PF_RETURN_IF_ERROR(fatal);
  }
  return Status::Ok();
}

Status Worker::RunGroup(std::vector<Delivery*>& group, WorkerSummary* summary) {
  RunOptions run;
  if (Status st = ApplyItemOptions(group[0]->item->options, &run); !st.ok()) {
    for (Delivery* d : group) {
      Outcome o;
      o.error = st;
      Settle(*d, &o, false, summary);
    }
    return Status::Ok();
  }
  run.out_dir = options_.out_dir;
  run.workers = std::max(1, options_.workers);
  run.memory_limit_bytes = options_.memory_limit_bytes;
  run.pdf_store_bytes = options_.pdf_store_bytes;
  run.engine.tessdata_dir = options_.tessdata_dir;
  run.engine.vlm = options_.vlm;
  const bool wants_vlm =
      run.engine.kind == "vlm" || (run.engine.kind == "auto" && run.engine.auto_ocr == "vlm");
  if (wants_vlm && !options_.vlm_configured) {
    for (Delivery* d : group) {
      Outcome o;
      o.error = Unavailable("this worker does not run the vlm engine (start it with --vlm-url)");
      Settle(*d, &o, false, summary);
    }
    return Status::Ok();
  }
  run.progress = false;
  run.remove_stale_temporaries = false;  // swept once at the start of Run()

  std::unordered_map<std::string, std::vector<size_t>> by_id;  // document id -> items
  std::unordered_map<std::string, std::string> relative;        // path -> as enqueued
  for (size_t i = 0; i < group.size(); ++i) {
    const WorkItem& item = *group[i]->item;
    if (by_id.find(item.id) == by_id.end()) run.inputs.push_back(item.path);
    by_id[item.id].push_back(i);
    relative[item.path] = item.relative;
  }
  // Mirrors keep the tree the documents were enqueued from (a/x.pdf and b/x.pdf differ).
  run.mirror_relative = [&relative](const std::string& path) {
    auto it = relative.find(path);
    return it == relative.end() ? std::string() : it->second;
  };
  auto matches = [](const WorkItem& item, PageRange r) {
    return item.whole_document() || r.first < 0 || (item.first == r.first && item.last == r.last);
  };
  run.select_range = [&](const std::string& id, PageRange r) {
    auto it = by_id.find(id);
    if (it == by_id.end()) return false;
    for (size_t i : it->second) {
      if (matches(*group[i]->item, r)) return true;
    }
    return false;
  };
  std::mutex mu;
  std::vector<Outcome> outcomes(group.size());  // guarded by mu
  run.on_range_done = [&](const std::string& id, PageRange r, const Status& st) {
    std::lock_guard<std::mutex> lock(mu);
    auto it = by_id.find(id);
    if (it == by_id.end()) return;
    for (size_t i : it->second) {
      if (!matches(*group[i]->item, r)) continue;
      if (st.ok()) {
        ++outcomes[i].ok_ranges;
      } else if (!outcomes[i].error) {
        outcomes[i].error = st;
      }
    }
  };

  StatusOr<RunSummary> result = RunPipeline(run, stop_, &host_);
  if (!result.ok()) {
    const StatusCode code = result.status().code();
    if (code == StatusCode::kIoError || code == StatusCode::kResourceExhausted) {
      // This worker's problem (output directory, memory limit): give the items back.
      for (Delivery* d : group) Settle(*d, nullptr, /*interrupted=*/true, summary);
      return result.status();
    }
    // The items' options cannot run (e.g. an engine or language that does not load):
    // they fail, and end in the dead-letter stream if no worker can run them.
    for (Delivery* d : group) {
      Outcome o;
      o.error = result.status();
      Settle(*d, &o, false, summary);
    }
    return Status::Ok();
  }
  std::lock_guard<std::mutex> lock(mu);
  for (size_t i = 0; i < group.size(); ++i) {
    const bool reported = outcomes[i].error.has_value() || outcomes[i].ok_ranges > 0;
    Settle(*group[i], reported ? &outcomes[i] : nullptr, result->interrupted, summary);
  }
  return Status::Ok();
}

void Worker::Settle(Delivery& d, const Outcome* outcome, bool interrupted, WorkerSummary* summary) {
  Status st;
  if (outcome == nullptr && interrupted) {
    st = queue_.Release(d);
    ++summary->items_released;
    LogInfo("released " + Describe(d));
  } else if (outcome != nullptr && !outcome->error) {
    st = queue_.Ack(d, d.item->pages);
    ++summary->items_done;
    summary->pages += d.item->pages;
  } else {
    const std::string error = outcome != nullptr
                                  ? outcome->error->message()
                                  : "the document's page ranges do not match the item (changed since enqueue?)";
    bool dead = false;
    st = queue_.Fail(d, error, options_.max_deliveries, &dead);
    ++(dead ? summary->items_dead : summary->items_retried);
    const std::string what = Describe(d);
    // Document errors usually name the file already.
    LogWarning((dead ? "dead-lettered " : "will retry ") +
               (error.rfind(d.item.ok() ? d.item->path : what, 0) == 0 ? error : what + ": " + error));
  }
  if (!st.ok()) LogError(Describe(d) + ": " + st.message());
}

}  // namespace

StatusOr<WorkerSummary> RunWorker(const WorkerOptions& options, const std::atomic<bool>* stop) {
  RedisClientOptions client;
  client.reconnect_window_ms = -1;  // survive Redis restarts: retry until stopped
  client.stop = stop;
  // The first connection is not retried (a wrong URL should not hang); later ones are.
  PF_ASSIGN_OR_RETURN(WorkQueue queue, WorkQueue::Open(options.url, client));
  const std::string consumer = options.consumer.empty() ? DefaultConsumer() : options.consumer;
  LogInfo("worker " + consumer + " on queue " + options.url.name + " at " + options.url.host + ":" +
          std::to_string(options.url.port));
  WorkerSummary summary;
  Worker worker(options, std::move(queue), consumer, stop);
  PF_RETURN_IF_ERROR(worker.Run(&summary));
  return summary;
}

}  // namespace pageflow
