// WorkQueue: pageflow's work items on a Redis Stream with one consumer group.
//
//   NAME          the stream of waiting and in-progress items (field "item": WorkItem
//                 JSON; "failures", "error"); settled entries are deleted
//   NAME:dead     dead-lettered items with their last error
//   NAME:stats    counters (enqueued, done, failed attempts, reclaimed, dead)
//   NAME:done     keys of done items (so a duplicate never counts twice)
//   NAME:donelog  one entry per done item (capped), for throughput
//
// Delivery is at least once: an item stays pending until acknowledged; a lease that
// runs out (no Renew for lease_ms) lets another worker reclaim it; every delivery of an
// item counts toward max_deliveries, after which it is dead-lettered. Writes must be
// idempotent (the pipeline's are: same item, same file). See docs/scale-out.md.
//
//   StatusOr<WorkQueue> q = WorkQueue::Open(url, client_options);
//   StatusOr<std::vector<Delivery>> got = q->Claim("host-1", 4, 60000, 1000);
//   for (Delivery& d : *got) { ...; PF_RETURN_IF_ERROR(q->Ack(d)); }
//
// Not thread-safe: one WorkQueue (one connection) per thread.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "base/status.h"
#include "queue/redis_client.h"
#include "queue/work_item.h"

namespace pageflow {

struct Delivery {
  std::string message_id;
  std::string raw_item;   // the item JSON as stored
  StatusOr<WorkItem> item = Corrupt("not parsed");
  int failures = 0;       // earlier deliveries of this item, carried over by re-queueing
  std::string last_error; // reason of the last failure, if any
  int64_t deliveries = 1; // deliveries of this message (Redis' delivery counter)
  bool reclaimed = false; // taken over from another consumer whose lease expired

  // Deliveries of the item so far, this one included.
  int64_t attempts() const { return failures + deliveries; }
};

struct ConsumerStatus {
  std::string name;
  int64_t in_progress = 0;
  int64_t idle_ms = -1;
};

struct DeadItem {
  std::string path, range, error;
  int64_t deliveries = 0;
};

struct QueueStatus {
  std::string name;
  int64_t waiting = 0;       // enqueued, not yet delivered
  int64_t in_progress = 0;   // delivered, not acknowledged
  std::vector<ConsumerStatus> consumers;
  int64_t enqueued_items = 0, enqueued_pages = 0;
  int64_t done_items = 0, done_pages = 0;
  int64_t dead_items = 0;
  int64_t failed_attempts = 0, reclaimed = 0, released = 0;
  double pages_per_second = 0;         // done pages / (last done - first done)
  double recent_pages_per_second = 0;  // over the last 60 s
  std::vector<DeadItem> dead;          // the most recent dead-lettered items (up to 10)

  std::string ToJson() const;
  std::string ToText() const;
};

class WorkQueue {
 public:
  static constexpr const char* kGroup = "pageflow";

  // Connects and makes sure the stream and its consumer group exist.
  static StatusOr<WorkQueue> Open(const QueueUrl& url, RedisClientOptions client);

  // Appends items (in order); counts them and their pages as enqueued.
  Status Add(const std::vector<WorkItem>& items);

  // Up to max_items for `consumer`: first items whose lease expired (idle > lease_ms)
  // reclaimed from any consumer, then new items, waiting up to block_ms for some.
  StatusOr<std::vector<Delivery>> Claim(const std::string& consumer, int max_items, int lease_ms,
                                        int block_ms);
  // Resets the lease of items this consumer holds (no delivery is counted).
  Status Renew(const std::string& consumer, const std::vector<std::string>& message_ids);
  // Done: acknowledged, and counted once per item however often it was delivered.
  Status Ack(const Delivery& d, int pages);
  // Failed with a clean error: re-queued as a new message (failures + deliveries so
  // far), or dead-lettered once attempts() >= max_deliveries. *dead says which.
  Status Fail(const Delivery& d, const std::string& error, int max_deliveries, bool* dead);
  // Moves the item to NAME:dead with `reason` and acknowledges it.
  Status DeadLetter(const Delivery& d, const std::string& reason, const std::string& consumer);
  // Gives an unfinished item back (graceful stop): re-queued, this delivery not counted.
  Status Release(const Delivery& d);

  StatusOr<QueueStatus> GetStatus();
  // True when no item waits and none is in progress.
  StatusOr<bool> Drained();

  const std::string& name() const { return url_.name; }

 private:
  WorkQueue(QueueUrl url, RedisClient client) : url_(std::move(url)), client_(std::move(client)) {}
  Status EnsureGroup();
  std::string key(const char* suffix) const { return url_.name + ":" + suffix; }
  Status Requeue(const Delivery& d, int failures, const std::string& error, const char* counter);

  QueueUrl url_;
  RedisClient client_;
};

}  // namespace pageflow
