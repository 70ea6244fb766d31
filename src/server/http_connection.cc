#include "server/http_connection.h"

#include <errno.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <climits>
#include <utility>

namespace pageflow {

Connection::Connection(int fd, std::string peer, const HttpLimits& limits,
                       std::function<void()> on_close)
    : scanner(limits), fd_(fd), peer_(std::move(peer)), on_close_(std::move(on_close)) {}

Connection::~Connection() {
  close(fd_);
  if (on_close_) on_close_();
}

RequestIo::RequestIo(Connection& connection, const RequestIoOptions& options)
    : c_(connection), options_(options) {}

void RequestIo::SetBody(int64_t content_length, bool chunked) {
  chunked_ = chunked;
  remaining_ = chunked || content_length < 0 ? 0 : static_cast<uint64_t>(content_length);
  complete_ = !has_body();
}

bool RequestIo::WaitFor(short events, int timeout_ms) const {
  pollfd fds[2] = {{c_.fd(), events, 0}, {options_.stop_fd, POLLIN, 0}};
  for (;;) {
    const int n = poll(fds, options_.stop_fd >= 0 ? 2 : 1, timeout_ms);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0 || (fds[1].revents & POLLIN) != 0) return false;  // timeout, error, stop
    return (fds[0].revents & (events | POLLHUP | POLLERR)) != 0;
  }
}

int RequestIo::BodyMillisLeft() const {
  if (options_.body_timeout_ms <= 0) return INT_MAX;
  int64_t allowed_ms = options_.body_timeout_ms;
  if (options_.body_min_rate > 0) allowed_ms += received_ * 1000 / options_.body_min_rate;
  const int64_t spent_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                               SteadyClock::now() - body_start_)
                               .count();
  return static_cast<int>(std::clamp<int64_t>(allowed_ms - spent_ms, 0, INT_MAX));
}

size_t RequestIo::Receive(size_t max) {
  scratch_.resize(kReadChunk);
  max = std::min(max, scratch_.size());
  for (;;) {
    const ssize_t n = recv(c_.fd(), scratch_.data(), max, 0);
    if (n > 0) return static_cast<size_t>(n);
    if (n == 0) return 0;
    if (errno == EINTR) continue;
    if (errno != EAGAIN && errno != EWOULDBLOCK) return 0;
    // The body's deadline moves with what arrived; a trickle runs into it.
    const int left = BodyMillisLeft();
    if (left == 0) {
      timed_out_ = true;
      return 0;
    }
    if (!WaitFor(POLLIN, std::min(options_.read_timeout_ms, left))) {
      timed_out_ = BodyMillisLeft() == 0;
      return 0;
    }
  }
}

bool RequestIo::Send(std::string_view data) {
  while (!data.empty()) {
    const ssize_t n = send(c_.fd(), data.data(), data.size(), MSG_NOSIGNAL);
    if (n > 0) {
      sent_ += n;
      data.remove_prefix(static_cast<size_t>(n));
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n == 0 || (errno != EAGAIN && errno != EWOULDBLOCK) ||
        !WaitFor(POLLOUT, options_.write_timeout_ms)) {
      return false;
    }
  }
  return true;
}

bool RequestIo::PeerOpen() const {
  pollfd fds[2] = {{c_.fd(), POLLRDHUP, 0}, {options_.stop_fd, POLLIN, 0}};
  const int n = poll(fds, options_.stop_fd >= 0 ? 2 : 1, 0);
  if (n < 0) return errno == EINTR;
  return (fds[0].revents & (POLLRDHUP | POLLHUP | POLLERR | POLLNVAL)) == 0 &&
         (fds[1].revents & POLLIN) == 0;
}

bool RequestIo::Deliver(const char* data, size_t size, const DataFn& out) {
  if (received_ + static_cast<int64_t>(size) > options_.max_body_bytes) {
    too_large_ = true;
    return false;
  }
  received_ += static_cast<int64_t>(size);
  return size == 0 || out(data, size);
}

bool RequestIo::ReadBody(const DataFn& out) {
  if (started_) return false;
  started_ = true;
  if (!has_body()) return true;
  if (!chunked_ && remaining_ > static_cast<uint64_t>(options_.max_body_bytes)) {
    too_large_ = true;  // refused before a byte of it is read
    return false;
  }
  if (need_continue_ && !Send("HTTP/1.1 100 Continue\r\n\r\n")) return false;
  body_start_ = SteadyClock::now();
  if (!chunked_) {
    const size_t buffered =
        static_cast<size_t>(std::min<uint64_t>(c_.buffer.size(), remaining_));
    if (buffered > 0) {
      if (!Deliver(c_.buffer.data(), buffered, out)) return false;
      c_.buffer.erase(0, buffered);
      remaining_ -= buffered;
    }
    while (remaining_ > 0) {
      const size_t n =
          Receive(static_cast<size_t>(std::min<uint64_t>(remaining_, kReadChunk)));
      if (n == 0 || !Deliver(scratch_.data(), n, out)) return false;
      remaining_ -= n;
    }
    complete_ = true;
    return true;
  }
  const DataFn deliver = [&](const char* data, size_t size) {
    return Deliver(data, size, out);
  };
  if (!c_.buffer.empty()) {
    const size_t used = chunks_.Feed(c_.buffer.data(), c_.buffer.size(), deliver);
    c_.buffer.erase(0, used);
  }
  while (!chunks_.done()) {
    if (chunks_.failed()) return false;
    const size_t n = Receive(kReadChunk);
    if (n == 0) return false;
    const size_t used = chunks_.Feed(scratch_.data(), n, deliver);
    if (chunks_.done()) c_.buffer.append(scratch_.data() + used, n - used);  // pipelined
  }
  complete_ = true;
  return true;
}

}  // namespace pageflow
