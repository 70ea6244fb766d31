// HttpServer: the small HTTP/1.1 surface pageflow's server needs, with every byte a
// client sends bounded before it is read (docs/http-api.md, "Limits"). One event-loop
// thread (epoll) accepts connections and reads request heads under strict limits and a
// deadline, so slow or idle clients cost no thread; a complete head goes to a bounded
// pool of handler threads, which read the body (streamed, never buffered) and write the
// response. Handlers never throw; a handler that does is answered with 500 and a JSON
// error body.
//
//   HttpServer http({.host = "127.0.0.1", .port = 0});
//   http.Route("GET", "/healthz", [](HttpRequest& req, HttpResponse& res) {
//   res.SetText(200, "ok"); }); StatusOr<int> port = http.Bind();  ...  http.Run();  //
//   until Stop()
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "server/http_parser.h"

namespace pageflow {

// Receives body bytes as they arrive (never the whole body at once); false aborts.
using BodyReceiver = std::function<bool(const char* data, size_t size)>;
// Called for each part of a multipart body before its bytes; false aborts.
using PartHeader =
    std::function<bool(const std::string& name, const std::string& filename,
                       const std::string& content_type)>;

struct HttpRequest {
  std::string method;
  std::string path;
  std::vector<std::string> path_params;  // regex groups of the route pattern
  // Percent-decoded; '+' stays '+' (RFC 3986: only HTML form bodies mean a space by it),
  // so "lang=eng+deu" arrives as "eng+deu". Clients send a space as %20.
  std::multimap<std::string, std::string> query;
  int64_t content_length = -1;  // -1: not given (chunked or none)
  bool multipart = false;       // multipart/form-data body
  std::string remote_addr;

  std::string Header(const std::string& name) const;  // "" when absent
  std::string Query(const std::string& name, const std::string& fallback = "") const;
  // Streams the body into `receiver` in chunks of at most 16 KiB. False when the client
  // went away or stalled, the body is malformed or over HttpServerOptions::max_body_bytes
  // (then answered 413 whatever the handler says), or receiver said stop. May be called
  // once; after a request whose body was not read to its end the connection is closed.
  bool ReadBody(const BodyReceiver& receiver) const;
  // Like ReadBody for multipart/form-data: part headers, then that part's bytes.
  bool ReadMultipart(const PartHeader& header, const BodyReceiver& receiver) const;

  // Set by the server for the handler.
  std::function<std::string(const std::string&)> header_fn;
  std::function<bool(const BodyReceiver&)> read_body_fn;
  std::function<bool(const PartHeader&, const BodyReceiver&)> read_multipart_fn;
};

// What a streaming response writes to. Write returns false once the client is gone.
class StreamSink {
 public:
  virtual ~StreamSink() = default;
  virtual bool Write(std::string_view data) = 0;
  virtual bool IsOpen() const = 0;
};

struct HttpResponse {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;
  // When set, the body is produced by this function in chunked encoding after the
  // handler returns, on the connection's thread; it writes until done and returns true,
  // or returns false to abort the connection.
  std::function<bool(StreamSink&)> stream;
  bool close_connection = false;

  void SetText(int code, std::string text,
               std::string type = "text/plain; charset=utf-8") {
    status = code;
    body = std::move(text);
    content_type = std::move(type);
  }
  void AddHeader(std::string name, std::string value) {
    headers.emplace_back(std::move(name), std::move(value));
  }
};

using HttpHandler = std::function<void(HttpRequest&, HttpResponse&)>;

// What was answered, for the response observer.
struct ResponseInfo {
  int status = 0;
  int64_t bytes = 0;   // head and body as sent
  double seconds = 0;  // from the parsed head to the last byte sent
};

struct HttpServerOptions {
  std::string host = "127.0.0.1";
  int port = 8080;  // 0: any free port (Bind returns it)
  // Handler threads; each serves one request at a time (a streaming response holds it
  // for the whole document). Waiting for a request head takes no thread. Memory: a
  // stack and one 16 KiB receive buffer each; no request body is buffered.
  int threads = 32;
  // Complete request heads waiting for a handler thread; beyond this a request gets 503
  // with Retry-After (its head is at most `limits`' bytes).
  int pending_connections = 64;
  // Seconds a handler waits for the next body bytes, or for the client to take response
  // bytes, before giving up on the connection.
  int read_timeout_s = 30;
  int write_timeout_s = 30;

  // The rest was added for issue 14; defaults hold for callers that do not set them.
  // Request line / header line / total header / header count limits (414, 431).
  HttpLimits limits;
  // Seconds a request's line and headers may take to arrive, counted from the accept
  // (or from the first byte of a later request on a kept-alive connection); then the
  // connection is closed. Slow clients cost a buffer of at most `limits`, no thread.
  int header_timeout_s = 10;
  // Seconds an idle keep-alive connection is kept, and how many are kept at most (the
  // oldest idle one is closed first).
  int keep_alive_timeout_s = 5;
  int max_idle_connections = 128;
  // Open connections in all (accepted beyond it: 503 and closed) and per client
  // address (429 and closed). Each costs a socket and up to ~90 KiB of head buffer.
  int max_connections = 512;
  int max_connections_per_client = 32;
  // A request body must arrive at an average of at least body_min_rate bytes a second
  // once body_timeout_s seconds have passed since its first read: its deadline is
  // body_timeout_s + received / body_min_rate seconds after that read, whatever the
  // pauses between bytes. Past it: 408, the connection is closed and the handler's
  // read fails (an upload's spool file is removed).
  int body_timeout_s = 10;
  int64_t body_min_rate = 16 << 10;
  // Largest request body any route may read, in bytes (decoded when chunked; multipart
  // framing and every field count). Beyond it: 413 and the connection is closed.
  int64_t max_body_bytes = (100ll << 20) + (64 << 10);
};

class HttpServer {
 public:
  explicit HttpServer(HttpServerOptions options);
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // pattern is an ECMAScript regex over the path ("/v1/jobs/([0-9a-f]+)").
  void Route(const std::string& method, const std::string& pattern, HttpHandler handler);
  // Runs before routing; returning true means it answered the request itself.
  void SetGate(std::function<bool(HttpRequest&, HttpResponse&)> gate);
  // For "Expect: 100-continue" requests, runs before the client sends its body:
  // returning true answers (e.g. 413, 429) so the body is never sent.
  void SetExpectGate(std::function<bool(HttpRequest&, HttpResponse&)> gate);
  // Called after each response is written, with its status, the bytes sent and the
  // seconds from the request's head to the end of the answer (counting, logging).
  void SetResponseObserver(
      std::function<void(const HttpRequest&, const ResponseInfo&)> observer);
  // Binds the listening socket; returns the port. UNAVAILABLE if it cannot bind.
  StatusOr<int> Bind();
  // Serves until Stop(); returns once the listener is closed and every handler thread
  // has finished its request (waits for a client's bytes give up at Stop).
  Status Run();
  // Closes the listener (also if Run has not started yet). Any thread.
  void Stop();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace pageflow
