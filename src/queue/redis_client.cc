#include "queue/redis_client.h"

#include <chrono>
#include <cstdlib>
#include <thread>

#include "base/log.h"

namespace pageflow {
namespace {

using Clock = std::chrono::steady_clock;

timeval ToTimeval(int ms) {
  timeval tv;
  tv.tv_sec = ms / 1000;
  tv.tv_usec = (ms % 1000) * 1000;
  return tv;
}

}  // namespace

std::string ReplyString(const redisReply* r) {
  if (r == nullptr || (r->type != REDIS_REPLY_STRING && r->type != REDIS_REPLY_STATUS)) return "";
  return std::string(r->str, r->len);
}

int64_t ReplyInteger(const redisReply* r, int64_t dflt) {
  if (r == nullptr) return dflt;
  if (r->type == REDIS_REPLY_INTEGER) return r->integer;
  if (r->type == REDIS_REPLY_STRING) {
    char* end = nullptr;
    const long long v = std::strtoll(r->str, &end, 10);
    if (end != r->str) return v;
  }
  return dflt;
}

StatusOr<RedisClient> RedisClient::Connect(RedisClientOptions options) {
  RedisClient client(std::move(options));
  PF_RETURN_IF_ERROR(client.Reconnect());
  return client;
}

Status RedisClient::Reconnect() {
  const std::string where = options_.host + ":" + std::to_string(options_.port);
  ctx_.reset(redisConnectWithTimeout(options_.host.c_str(), options_.port, ToTimeval(options_.timeout_ms)));
  if (!ctx_) return Unavailable("redis " + where + ": out of memory");
  if (ctx_->err != 0) {
    const std::string why = ctx_->errstr;
    ctx_.reset();
    return Unavailable("redis " + where + ": " + why);
  }
  redisSetTimeout(ctx_.get(), ToTimeval(options_.timeout_ms));
  return Status::Ok();
}

StatusOr<RedisReply> RedisClient::Command(const std::vector<std::string>& args) {
  std::vector<const char*> argv;
  std::vector<size_t> lens;
  for (const std::string& a : args) {
    argv.push_back(a.data());
    lens.push_back(a.size());
  }
  const Clock::time_point start = Clock::now();
  int backoff_ms = 50;
  std::string last_error;
  for (;;) {
    if (ctx_) {
      RedisReply reply(static_cast<redisReply*>(
          redisCommandArgv(ctx_.get(), static_cast<int>(argv.size()), argv.data(), lens.data())));
      if (reply) {
        if (reply->type != REDIS_REPLY_ERROR) return reply;
        const std::string message(reply->str, reply->len);
        if (message.rfind("LOADING", 0) != 0) return Internal("redis " + args[0] + ": " + message);
        last_error = message;
      } else {
        last_error = ctx_->errstr;
        ctx_.reset();  // a context with an I/O error cannot be reused
      }
    }
    const bool stopping = options_.stop != nullptr && options_.stop->load();
    const auto waited_ms = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start).count();
    if (stopping || (options_.reconnect_window_ms >= 0 && waited_ms >= options_.reconnect_window_ms)) {
      return Unavailable("redis " + options_.host + ":" + std::to_string(options_.port) + ": " + last_error);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(backoff_ms));
    backoff_ms = std::min(2 * backoff_ms, options_.max_backoff_ms);
    if (!ctx_) {
      if (Status st = Reconnect(); st.ok()) {
        ++reconnects_;
        LogInfo("reconnected to redis " + options_.host + ":" + std::to_string(options_.port));
      } else {
        last_error = st.message();
      }
    }
  }
}

}  // namespace pageflow
