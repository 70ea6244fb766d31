// The loop behind `pageflow worker`: claim a bounded batch of items, run them through
// the normal pipeline (RunPipeline, restricted to the items' page ranges), acknowledge
// each item once its output is on disk, repeat. A heartbeat thread renews the leases
// of the batch in hand, so only a dead or stuck worker loses its items.
//
//   WorkerOptions o{.url = *ParseQueueUrl("redis://127.0.0.1:6379/scans"), .out_dir = "out"};
//   StatusOr<WorkerSummary> s = RunWorker(o, &g_stop_requested);
#pragma once

#include <atomic>
#include <cstdint>
#include <string>

#include "base/status.h"
#include "engine/vlm/vlm_options.h"
#include "queue/work_item.h"

namespace pageflow {

struct WorkerOptions {
  QueueUrl url;
  std::string out_dir;      // shared by all workers; results/ID.jsonl per document
  std::string consumer;     // this worker's name in the group; empty: HOSTNAME-PID
  int workers = 1;          // pipeline workers (pages recognized at once), as `run`
  int64_t memory_limit_bytes = 0;            // as `run`; 0 = default
  int64_t pdf_store_bytes = 64ll << 20;      // as `run`
  std::string tessdata_dir;
  // The vlm engine's settings (server URL, model, prompt, limits). Items asking for vlm
  // (or auto with vlm OCR) run only when vlm_configured; otherwise they fail with that
  // reason, go back for another worker, and end as dead letters after max_deliveries.
  VlmOptions vlm;
  bool vlm_configured = false;
  // Items claimed at once (each a document or a page range; only their JSON is held
  // until the pipeline opens them). 0 = 2 x workers.
  int batch_items = 0;
  // An item not renewed for this long may be reclaimed by another worker. The
  // heartbeat renews every lease_ms / 3.
  int lease_ms = 60000;
  // Deliveries of an item (clean failures, crashes and expired leases alike) before it
  // goes to the dead-letter stream.
  int max_deliveries = 3;
  int block_ms = 1000;             // wait for new items per poll
  bool exit_when_drained = false;  // stop once nothing waits and nothing is in progress
};

struct WorkerSummary {
  int64_t items_done = 0;
  int64_t items_retried = 0;       // failed cleanly, re-queued
  int64_t items_dead = 0;          // dead-lettered by this worker
  int64_t items_released = 0;      // given back on stop
  int64_t pages = 0;               // pages of the items done
  int64_t batches = 0;
};

// Runs until *stop (in-flight pages finish; unfinished items are released) or, with
// exit_when_drained, until the queue is empty. Non-OK only for problems of this worker
// (cannot reach Redis at start, output directory unwritable, memory limit too small for
// the fixed costs): the batch in hand is then released first. Items whose options
// cannot run anywhere (an engine or language that does not load) fail like any item.
StatusOr<WorkerSummary> RunWorker(const WorkerOptions& options, const std::atomic<bool>* stop);

}  // namespace pageflow
