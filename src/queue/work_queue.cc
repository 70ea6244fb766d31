#include "queue/work_queue.h"

#include <cstdio>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>

namespace pageflow {
namespace {

using nlohmann::json;

// Each script acknowledges first and does the rest only if the message was still
// pending, so a script sent twice (reconnect after a lost reply) has no second effect.
// Settled entries are deleted, so the stream holds only waiting and in-progress items.
constexpr const char* kAckScript = R"lua(
local acked = redis.call('XACK', KEYS[1], ARGV[1], ARGV[2])
redis.call('XDEL', KEYS[1], ARGV[2])
if redis.call('SADD', KEYS[2], ARGV[3]) == 1 then
  local t = redis.call('TIME')
  local ms = string.format('%.0f', tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000))
  redis.call('HINCRBY', KEYS[3], 'done_items', 1)
  redis.call('HINCRBY', KEYS[3], 'done_pages', ARGV[4])
  redis.call('HSETNX', KEYS[3], 'first_done_ms', ms)
  redis.call('HSET', KEYS[3], 'last_done_ms', ms)
  redis.call('XADD', KEYS[4], 'MAXLEN', '~', '10000', '*', 'pages', ARGV[4])
end
return acked
)lua";

constexpr const char* kRequeueScript = R"lua(
if redis.call('XACK', KEYS[1], ARGV[1], ARGV[2]) == 1 then
  redis.call('XADD', KEYS[1], '*', 'item', ARGV[3], 'failures', ARGV[4], 'error', ARGV[5])
  redis.call('XDEL', KEYS[1], ARGV[2])
  redis.call('HINCRBY', KEYS[2], ARGV[6], 1)
  return 1
end
return 0
)lua";

constexpr const char* kDeadScript = R"lua(
if redis.call('XACK', KEYS[1], ARGV[1], ARGV[2]) == 1 then
  redis.call('XADD', KEYS[2], '*', 'item', ARGV[3], 'deliveries', ARGV[4], 'error', ARGV[5],
             'consumer', ARGV[6], 'message', ARGV[2])
  redis.call('XDEL', KEYS[1], ARGV[2])
  redis.call('HINCRBY', KEYS[3], 'dead_items', 1)
  return 1
end
return 0
)lua";

// Stream entry [id, [field, value, ...]] -> Delivery (deliveries = 1).
Delivery ParseEntry(const redisReply* e) {
  Delivery d;
  if (e == nullptr || e->type != REDIS_REPLY_ARRAY || e->elements < 2) return d;
  d.message_id = ReplyString(e->element[0]);
  const redisReply* f = e->element[1];
  if (f != nullptr && f->type == REDIS_REPLY_ARRAY) {
    for (size_t i = 0; i + 1 < f->elements; i += 2) {
      const std::string name = ReplyString(f->element[i]);
      if (name == "item") d.raw_item = ReplyString(f->element[i + 1]);
      if (name == "failures") d.failures = static_cast<int>(ReplyInteger(f->element[i + 1]));
      if (name == "error") d.last_error = ReplyString(f->element[i + 1]);
    }
  }
  d.item = WorkItem::FromJson(d.raw_item);
  return d;
}

// Flat [k1, v1, k2, v2, ...] reply -> map of the elements.
std::map<std::string, const redisReply*> Fields(const redisReply* r) {
  std::map<std::string, const redisReply*> m;
  if (r == nullptr || r->type != REDIS_REPLY_ARRAY) return m;
  for (size_t i = 0; i + 1 < r->elements; i += 2) m[ReplyString(r->element[i])] = r->element[i + 1];
  return m;
}

std::string RangeLabel(const WorkItem& item) {
  if (item.whole_document()) return "all";
  return std::to_string(item.first + 1) + "-" + std::to_string(item.last + 1);
}

}  // namespace

StatusOr<WorkQueue> WorkQueue::Open(const QueueUrl& url, RedisClientOptions client) {
  client.host = url.host;
  client.port = url.port;
  PF_ASSIGN_OR_RETURN(RedisClient c, RedisClient::Connect(std::move(client)));
  WorkQueue q(url, std::move(c));
  PF_RETURN_IF_ERROR(q.EnsureGroup());
  return q;
}

Status WorkQueue::EnsureGroup() {
  StatusOr<RedisReply> r = client_.Command({"XGROUP", "CREATE", url_.name, kGroup, "0", "MKSTREAM"});
  if (!r.ok() && r.status().message().find("BUSYGROUP") == std::string::npos) {
    return r.status().WithContext("queue " + url_.name);
  }
  return Status::Ok();
}

Status WorkQueue::Add(const std::vector<WorkItem>& items) {
  int64_t pages = 0;
  for (const WorkItem& item : items) {
    PF_RETURN_IF_ERROR(client_.Command({"XADD", url_.name, "*", "item", item.ToJson()}).status());
    pages += item.pages;
  }
  PF_RETURN_IF_ERROR(client_.Command({"HINCRBY", key("stats"), "enqueued_items", std::to_string(items.size())}).status());
  return client_.Command({"HINCRBY", key("stats"), "enqueued_pages", std::to_string(pages)}).status();
}

StatusOr<std::vector<Delivery>> WorkQueue::Claim(const std::string& consumer, int max_items, int lease_ms,
                                                 int block_ms) {
  std::vector<Delivery> out;
  // Expired leases first. XAUTOCLAIM scans the pending list COUNT entries at a time.
  std::string cursor = "0-0";
  for (int scans = 0; scans < 8 && static_cast<int>(out.size()) < max_items; ++scans) {
    const int want = max_items - static_cast<int>(out.size());
    PF_ASSIGN_OR_RETURN(RedisReply r, client_.Command({"XAUTOCLAIM", url_.name, kGroup, consumer,
                                                       std::to_string(lease_ms), cursor, "COUNT",
                                                       std::to_string(want)}));
    if (r->type != REDIS_REPLY_ARRAY || r->elements < 2) break;
    cursor = ReplyString(r->element[0]);
    const redisReply* entries = r->element[1];
    for (size_t i = 0; entries != nullptr && i < entries->elements; ++i) {
      Delivery d = ParseEntry(entries->element[i]);
      if (d.message_id.empty()) continue;
      d.reclaimed = true;
      PF_ASSIGN_OR_RETURN(RedisReply p, client_.Command({"XPENDING", url_.name, kGroup, d.message_id,
                                                         d.message_id, "1"}));
      if (p->type == REDIS_REPLY_ARRAY && p->elements == 1 && p->element[0]->elements >= 4) {
        d.deliveries = ReplyInteger(p->element[0]->element[3], 1);
      }
      out.push_back(std::move(d));
    }
    if (cursor == "0-0" || cursor.empty()) break;
  }
  if (!out.empty()) {
    PF_RETURN_IF_ERROR(client_.Command({"HINCRBY", key("stats"), "reclaimed", std::to_string(out.size())}).status());
  }
  const int want = max_items - static_cast<int>(out.size());
  if (want <= 0) return out;
  std::vector<std::string> args = {"XREADGROUP", "GROUP", kGroup, consumer, "COUNT", std::to_string(want)};
  if (out.empty() && block_ms > 0) {
    args.push_back("BLOCK");
    args.push_back(std::to_string(block_ms));
  }
  args.insert(args.end(), {"STREAMS", url_.name, ">"});
  StatusOr<RedisReply> r = client_.Command(args);
  if (!r.ok() && r.status().message().find("NOGROUP") != std::string::npos) {
    // The server lost the group (restarted without persistence): recreate it.
    PF_RETURN_IF_ERROR(EnsureGroup());
    r = client_.Command(args);
  }
  PF_RETURN_IF_ERROR(r.status());
  const redisReply* streams = r->get();
  if (streams->type == REDIS_REPLY_ARRAY && streams->elements > 0 && streams->element[0]->elements >= 2) {
    const redisReply* entries = streams->element[0]->element[1];
    for (size_t i = 0; i < entries->elements; ++i) {
      Delivery d = ParseEntry(entries->element[i]);
      if (!d.message_id.empty()) out.push_back(std::move(d));
    }
  }
  return out;
}

Status WorkQueue::Renew(const std::string& consumer, const std::vector<std::string>& message_ids) {
  if (message_ids.empty()) return Status::Ok();
  std::vector<std::string> args = {"XCLAIM", url_.name, kGroup, consumer, "0"};
  args.insert(args.end(), message_ids.begin(), message_ids.end());
  args.push_back("JUSTID");
  return client_.Command(args).status();
}

Status WorkQueue::Ack(const Delivery& d, int pages) {
  const std::string item_key = d.item.ok() ? d.item->Key() : d.message_id;
  return client_
      .Command({"EVAL", kAckScript, "4", url_.name, key("done"), key("stats"), key("donelog"), kGroup,
                d.message_id, item_key, std::to_string(pages)})
      .status();
}

Status WorkQueue::Requeue(const Delivery& d, int failures, const std::string& error, const char* counter) {
  return client_
      .Command({"EVAL", kRequeueScript, "2", url_.name, key("stats"), kGroup, d.message_id, d.raw_item,
                std::to_string(failures), error, counter})
      .status();
}

Status WorkQueue::Fail(const Delivery& d, const std::string& error, int max_deliveries, bool* dead) {
  *dead = d.attempts() >= max_deliveries;
  if (*dead) {
    return DeadLetter(d, error + " (attempt " + std::to_string(d.attempts()) + " of " +
                             std::to_string(max_deliveries) + ")", "");
  }
  return Requeue(d, static_cast<int>(d.attempts()), error, "failed_attempts");
}

Status WorkQueue::DeadLetter(const Delivery& d, const std::string& reason, const std::string& consumer) {
  return client_
      .Command({"EVAL", kDeadScript, "3", url_.name, key("dead"), key("stats"), kGroup, d.message_id,
                d.raw_item, std::to_string(d.attempts()), reason, consumer})
      .status();
}

Status WorkQueue::Release(const Delivery& d) {
  return Requeue(d, static_cast<int>(d.attempts() - 1), d.last_error, "released");
}

StatusOr<bool> WorkQueue::Drained() {
  PF_ASSIGN_OR_RETURN(QueueStatus s, GetStatus());
  return s.waiting == 0 && s.in_progress == 0;
}

StatusOr<QueueStatus> WorkQueue::GetStatus() {
  QueueStatus s;
  s.name = url_.name;
  PF_ASSIGN_OR_RETURN(RedisReply len, client_.Command({"XLEN", url_.name}));
  PF_ASSIGN_OR_RETURN(RedisReply groups, client_.Command({"XINFO", "GROUPS", url_.name}));
  PF_ASSIGN_OR_RETURN(RedisReply pending, client_.Command({"XPENDING", url_.name, kGroup}));
  if (pending->type == REDIS_REPLY_ARRAY && pending->elements >= 4) {
    s.in_progress = ReplyInteger(pending->element[0]);
    const redisReply* per = pending->element[3];
    for (size_t i = 0; per != nullptr && per->type == REDIS_REPLY_ARRAY && i < per->elements; ++i) {
      s.consumers.push_back({ReplyString(per->element[i]->element[0]), ReplyInteger(per->element[i]->element[1]), -1});
    }
  }
  // Settled entries are deleted, so the stream is waiting + in progress; the group's
  // lag says the same when Redis can compute it.
  s.waiting = std::max<int64_t>(0, ReplyInteger(len.get()) - s.in_progress);
  for (size_t i = 0; i < groups->elements; ++i) {
    auto g = Fields(groups->element[i]);
    const redisReply* lag = g["lag"];
    if (ReplyString(g["name"]) == kGroup && lag != nullptr && lag->type == REDIS_REPLY_INTEGER) {
      s.waiting = lag->integer;
    }
  }
  PF_ASSIGN_OR_RETURN(RedisReply consumers, client_.Command({"XINFO", "CONSUMERS", url_.name, kGroup}));
  for (size_t i = 0; i < consumers->elements; ++i) {
    auto c = Fields(consumers->element[i]);
    const std::string name = ReplyString(c["name"]);
    bool found = false;
    for (ConsumerStatus& cs : s.consumers) {
      if (cs.name == name) {
        cs.idle_ms = ReplyInteger(c["idle"], -1);
        found = true;
      }
    }
    if (!found) s.consumers.push_back({name, 0, ReplyInteger(c["idle"], -1)});
  }
  PF_ASSIGN_OR_RETURN(RedisReply stats, client_.Command({"HGETALL", key("stats")}));
  auto st = Fields(stats.get());
  s.enqueued_items = ReplyInteger(st["enqueued_items"]);
  s.enqueued_pages = ReplyInteger(st["enqueued_pages"]);
  s.done_items = ReplyInteger(st["done_items"]);
  s.done_pages = ReplyInteger(st["done_pages"]);
  s.failed_attempts = ReplyInteger(st["failed_attempts"]);
  s.reclaimed = ReplyInteger(st["reclaimed"]);
  s.released = ReplyInteger(st["released"]);
  PF_ASSIGN_OR_RETURN(RedisReply dead_len, client_.Command({"XLEN", key("dead")}));
  s.dead_items = ReplyInteger(dead_len.get());
  const int64_t first_ms = ReplyInteger(st["first_done_ms"]), last_ms = ReplyInteger(st["last_done_ms"]);
  if (last_ms > first_ms) s.pages_per_second = 1000.0 * s.done_pages / (last_ms - first_ms);

  PF_ASSIGN_OR_RETURN(RedisReply now, client_.Command({"TIME"}));
  const int64_t now_ms = ReplyInteger(now->element[0]) * 1000 + ReplyInteger(now->element[1]) / 1000;
  PF_ASSIGN_OR_RETURN(RedisReply recent, client_.Command({"XRANGE", key("donelog"), std::to_string(now_ms - 60000), "+"}));
  int64_t recent_pages = 0;
  for (size_t i = 0; i < recent->elements; ++i) {
    auto f = Fields(recent->element[i]->element[1]);
    recent_pages += ReplyInteger(f["pages"]);
  }
  s.recent_pages_per_second = recent_pages / 60.0;

  PF_ASSIGN_OR_RETURN(RedisReply dead, client_.Command({"XREVRANGE", key("dead"), "+", "-", "COUNT", "10"}));
  for (size_t i = 0; i < dead->elements; ++i) {
    auto f = Fields(dead->element[i]->element[1]);
    DeadItem di;
    StatusOr<WorkItem> item = WorkItem::FromJson(ReplyString(f["item"]));
    di.path = item.ok() ? item->path : ReplyString(f["item"]);
    di.range = item.ok() ? RangeLabel(*item) : "";
    di.error = ReplyString(f["error"]);
    di.deliveries = ReplyInteger(f["deliveries"]);
    s.dead.push_back(std::move(di));
  }
  return s;
}

std::string QueueStatus::ToJson() const {
  json consumers_json = json::array();
  for (const ConsumerStatus& c : consumers) {
    consumers_json.push_back({{"name", c.name}, {"in_progress", c.in_progress}, {"idle_ms", c.idle_ms}});
  }
  json dead_json = json::array();
  for (const DeadItem& d : dead) {
    dead_json.push_back({{"path", d.path}, {"pages", d.range}, {"error", d.error}, {"deliveries", d.deliveries}});
  }
  json j = {{"queue", name},
            {"waiting", waiting},
            {"in_progress", in_progress},
            {"consumers", consumers_json},
            {"enqueued_items", enqueued_items},
            {"enqueued_pages", enqueued_pages},
            {"done_items", done_items},
            {"done_pages", done_pages},
            {"dead_items", dead_items},
            {"failed_attempts", failed_attempts},
            {"reclaimed", reclaimed},
            {"released", released},
            {"pages_per_second", pages_per_second},
            {"recent_pages_per_second", recent_pages_per_second},
            {"recent_dead", dead_json}};
  return j.dump(2, ' ', false, json::error_handler_t::replace) + "\n";
}

std::string QueueStatus::ToText() const {
  std::ostringstream o;
  char rate[128];
  std::snprintf(rate, sizeof rate, "%.2f pages/s overall, %.2f pages/s over the last minute", pages_per_second,
                recent_pages_per_second);
  o << "queue " << name << "\n"
    << "  waiting      " << waiting << " items\n"
    << "  in progress  " << in_progress << " items\n";
  for (const ConsumerStatus& c : consumers) {
    o << "    " << c.name << ": " << c.in_progress << " (idle " << c.idle_ms << " ms)\n";
  }
  o << "  done         " << done_items << " items, " << done_pages << " pages (of " << enqueued_items
    << " items, " << enqueued_pages << " pages enqueued)\n"
    << "  dead-letter  " << dead_items << " items\n"
    << "  retries      " << failed_attempts << " failed attempts, " << reclaimed << " reclaimed, " << released
    << " released\n"
    << "  throughput   " << rate << "\n";
  for (const DeadItem& d : dead) {
    o << "  dead: " << d.path << " [" << d.range << "] after " << d.deliveries << " deliveries: " << d.error << "\n";
  }
  return o.str();
}

}  // namespace pageflow
