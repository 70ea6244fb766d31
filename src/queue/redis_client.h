// RedisClient: one hiredis connection that survives server restarts. A command that
// meets a broken connection reconnects with exponential backoff and is sent again, so
// callers must make their commands safe to repeat (the queue's scripts are).
//
//   StatusOr<RedisClient> c = RedisClient::Connect({.host = "127.0.0.1", .port = 6379});
//   StatusOr<RedisReply> r = c->Command({"XLEN", "jobs"});
//   if (r.ok()) std::cout << (*r)->integer;
#pragma once

#include <hiredis/hiredis.h>

#include <atomic>
#include <memory>
#include <string>
#include <vector>

#include "base/status.h"

namespace pageflow {

struct RedisReplyDeleter {
  void operator()(redisReply* r) const { freeReplyObject(r); }
};
using RedisReply = std::unique_ptr<redisReply, RedisReplyDeleter>;

struct RedisClientOptions {
  std::string host = "127.0.0.1";
  int port = 6379;
  // Connect and per-command socket timeout. A blocking read (XREADGROUP BLOCK) must
  // block for less than this.
  int timeout_ms = 10000;
  // How long a command keeps retrying while the server is unreachable or still loading
  // its data; < 0 = until *stop becomes true.
  int reconnect_window_ms = 15000;
  int max_backoff_ms = 2000;  // backoff starts at 50 ms and doubles up to this
  const std::atomic<bool>* stop = nullptr;  // not owned; may be null
};

class RedisClient {
 public:
  // Connects once (no retry): UNAVAILABLE with hiredis' message if that fails.
  static StatusOr<RedisClient> Connect(RedisClientOptions options);
  RedisClient(RedisClient&&) = default;
  RedisClient& operator=(RedisClient&&) = default;
  RedisClient(const RedisClient&) = delete;
  RedisClient& operator=(const RedisClient&) = delete;

  // Sends one command. Error replies become a non-OK status ("ERR ..." as message),
  // except LOADING, which is retried like a lost connection. UNAVAILABLE once the
  // reconnect window has passed (or stop was requested) without a reply.
  StatusOr<RedisReply> Command(const std::vector<std::string>& args);

  // Times this client had to reconnect.
  int reconnects() const { return reconnects_; }

 private:
  struct ContextDeleter {
    void operator()(redisContext* c) const { redisFree(c); }
  };
  explicit RedisClient(RedisClientOptions o) : options_(std::move(o)) {}
  Status Reconnect();

  RedisClientOptions options_;
  std::unique_ptr<redisContext, ContextDeleter> ctx_;
  int reconnects_ = 0;
};

// Small reply helpers: nullptr-safe, for replies known to be of that shape.
std::string ReplyString(const redisReply* r);           // STRING/STATUS, else ""
int64_t ReplyInteger(const redisReply* r, int64_t dflt = 0);  // INTEGER or numeric STRING

}  // namespace pageflow
