// HttpServer: the small HTTP surface pageflow's server needs, over cpp-httplib (hidden
// behind a pimpl so no other file includes httplib.h). Handlers never throw; a handler
// that does is answered with 500 and a JSON error body.
//
//   HttpServer http({.host = "127.0.0.1", .port = 0});
//   http.Route("GET", "/healthz", [](HttpRequest& req, HttpResponse& res) { res.SetText(200, "ok"); });
//   StatusOr<int> port = http.Bind();  ...  http.Run();  // until Stop()
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"

namespace pageflow {

// Receives body bytes as they arrive (never the whole body at once); false aborts.
using BodyReceiver = std::function<bool(const char* data, size_t size)>;
// Called for each part of a multipart body before its bytes; false aborts.
using PartHeader = std::function<bool(const std::string& name, const std::string& filename,
                                      const std::string& content_type)>;

struct HttpRequest {
  std::string method;
  std::string path;
  std::vector<std::string> path_params;        // regex groups of the route pattern
  std::multimap<std::string, std::string> query;
  int64_t content_length = -1;                 // -1: not given (chunked or none)
  bool multipart = false;                      // multipart/form-data body
  std::string remote_addr;

  std::string Header(const std::string& name) const;  // "" when absent
  std::string Query(const std::string& name, const std::string& fallback = "") const;
  // Streams the body into `receiver` in chunks of the library's receive buffer (a few
  // KiB). False when the client went away, the body is malformed, or receiver said stop.
  // May be called once; a request whose body is never read is answered with
  // "Connection: close".
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

  void SetText(int code, std::string text, std::string type = "text/plain; charset=utf-8") {
    status = code;
    body = std::move(text);
    content_type = std::move(type);
  }
  void AddHeader(std::string name, std::string value) {
    headers.emplace_back(std::move(name), std::move(value));
  }
};

using HttpHandler = std::function<void(HttpRequest&, HttpResponse&)>;

struct HttpServerOptions {
  std::string host = "127.0.0.1";
  int port = 8080;  // 0: any free port (Bind returns it)
  // Connection threads; each holds one connection (a streaming response holds it for
  // the whole document). Stack only; no request body is buffered by the library.
  int threads = 32;
  // Accepted connections waiting for a thread; beyond this the accept loop blocks and
  // the kernel's backlog holds further clients.
  int pending_connections = 64;
  int read_timeout_s = 30;
  int write_timeout_s = 30;
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
  // Called after each response is written, with its status (counting, logging).
  void SetResponseObserver(std::function<void(const HttpRequest&, int status)> observer);
  // Binds the listening socket; returns the port. UNAVAILABLE if it cannot bind.
  StatusOr<int> Bind();
  // Serves until Stop(); returns once the listener is closed and every connection
  // thread has finished its request.
  Status Run();
  // Closes the listener (also if Run has not started yet). Any thread.
  void Stop();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace pageflow
