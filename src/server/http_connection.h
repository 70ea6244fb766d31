// Connection: one client socket and the bytes read from it but not yet used. RequestIo:
// one request's body and response on a handler thread — blocking reads and writes with
// timeouts over the non-blocking socket, given up when the server stops.
//
// A connection waiting for a request head (or idle between requests, or lingering after
// a refusal) belongs to HttpServer's event loop and costs no thread; only a complete
// request head is handed to a handler thread together with its Connection.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "server/http_body.h"
#include "server/http_parser.h"

namespace pageflow {

using SteadyClock = std::chrono::steady_clock;

class Connection {
 public:
  enum class Phase {
    kHead,    // reading a request head; `deadline` is when it must be complete
    kIdle,    // keep-alive, nothing of a next request yet; closed at `deadline`
    kLinger,  // refused: reading and dropping what the client still sends until
              // `deadline`
  };

  // Owns `fd`; `on_close` runs once it is closed (connection counting).
  Connection(int fd, std::string peer, const HttpLimits& limits,
             std::function<void()> on_close);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  int fd() const { return fd_; }
  const std::string& peer() const { return peer_; }

  // Bytes read and not yet used: the head being scanned, then body bytes and pipelined
  // requests that came with it. Bounded by the head limits plus one read.
  std::string buffer;
  HeadScanner scanner;
  RequestHead head;  // the request being served, once its head is complete
  Phase phase = Phase::kHead;
  SteadyClock::time_point deadline;
  size_t lingered_bytes = 0;

 private:
  int fd_;
  std::string peer_;
  std::function<void()> on_close_;
};

struct RequestIoOptions {
  int read_timeout_ms = 30000;   // longest wait for the next body bytes
  int write_timeout_ms = 30000;  // longest wait for the client to take response bytes
  int stop_fd = -1;              // readable once the server stops: every wait gives up
  int64_t max_body_bytes = 0;    // decoded body bytes a request may send (413 beyond)
  // The body's deadline (HttpServerOptions::body_timeout_s, body_min_rate): this long
  // after the first read, plus received / body_min_rate seconds. 0: none.
  int body_timeout_ms = 0;
  int64_t body_min_rate = 0;  // bytes a second; 0: no rate, the timeout only
};

class RequestIo {
 public:
  static constexpr size_t kReadChunk = 16 << 10;

  RequestIo(Connection& connection, const RequestIoOptions& options);

  // The body's framing, from the head: a Content-Length (-1 when none) or chunked.
  void SetBody(int64_t content_length, bool chunked);
  // "Expect: 100-continue": the interim answer goes out when the body is first read.
  void SetContinue() { need_continue_ = true; }
  bool has_body() const { return chunked_ || remaining_ > 0; }
  bool body_complete() const { return complete_; }
  bool body_too_large() const { return too_large_; }
  // The body did not arrive by its deadline (RequestIoOptions::body_timeout_ms).
  bool body_timed_out() const { return timed_out_; }

  // Streams the body to `out` in chunks of at most kReadChunk. Once per request; false
  // when the client went away or was too slow, the framing is broken, the body exceeds
  // max_body_bytes, or `out` said stop.
  bool ReadBody(const DataFn& out);
  bool Send(std::string_view data);
  // Response bytes sent so far (head and body, as written to the socket).
  int64_t bytes_sent() const { return sent_; }
  // False once the client hung up or the server is stopping.
  bool PeerOpen() const;

 private:
  bool WaitFor(short events, int timeout_ms) const;
  // Some bytes from the socket into scratch_; 0 on EOF, error, timeout or past the
  // body's deadline.
  size_t Receive(size_t max);
  // Milliseconds left until the body's deadline (INT_MAX when there is none).
  int BodyMillisLeft() const;
  bool Deliver(const char* data, size_t size, const DataFn& out);

  Connection& c_;
  RequestIoOptions options_;
  std::vector<char> scratch_;
  bool chunked_ = false, need_continue_ = false, started_ = false, complete_ = false,
       too_large_ = false, timed_out_ = false;
  SteadyClock::time_point body_start_;  // the first read of the body
  uint64_t remaining_ = 0;              // Content-Length bytes still to read
  int64_t received_ = 0;                // decoded body bytes so far
  int64_t sent_ = 0;                    // response bytes written
  ChunkedDecoder chunks_;
};

}  // namespace pageflow
