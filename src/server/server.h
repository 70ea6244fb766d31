// Server: `pageflow serve` — the HTTP API (docs/http-api.md) over a PageService, with
// admission tied to the memory budget, Prometheus metrics and the embedded web UI.
//
//   StatusOr<std::unique_ptr<Server>> s = Server::Create(options);
//   StatusOr<int> port = (*s)->Bind();
//   (*s)->Run();   // until Stop() from another thread
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "server/http_server.h"
#include "server/metrics.h"
#include "server/page_service.h"

namespace pageflow {

struct ServerOptions {
  HttpServerOptions http;
  PageServiceOptions service;
  // Largest accepted document body, in bytes; larger uploads get 413 before the rest is
  // read. Uploads go to a 0600 spool file as they arrive: only the HTTP library's receive
  // buffer (a few KiB per connection) is in memory.
  int64_t max_upload_bytes = 100ll << 20;
  // When non-empty, /v1/* and /metrics need "Authorization: Bearer TOKEN".
  std::string token;
};

class Server {
 public:
  // Starts the PageService (fixed costs charged, engines loaded) and declares routes.
  static StatusOr<std::unique_ptr<Server>> Create(const ServerOptions& options);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  StatusOr<int> Bind();
  Status Run();
  // Stops listening, cancels running jobs and joins the workers.
  void Stop();

 private:
  explicit Server(const ServerOptions& options);
  void DeclareGates();
  void DeclareProbes();
  void DeclareJobRoutes();
  void DeclarePageRoutes();
  void DeclareWebRoutes();

  ServerOptions options_;
  ServerMetrics metrics_;
  std::unique_ptr<PageService> service_;
  std::unique_ptr<HttpServer> http_;
};

}  // namespace pageflow
