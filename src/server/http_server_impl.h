// HttpServer's insides, shared by its three parts: the API and lifetime
// (http_server.cc), the event loop that accepts connections and reads request heads
// (http_event_loop.cc), and the handler threads that serve complete requests
// (http_exchange.cc). Nothing outside those files includes this.
#pragma once

#include <atomic>
#include <map>
#include <memory>
#include <mutex>
#include <regex>
#include <string>
#include <unordered_map>
#include <vector>

#include "base/bounded_queue.h"
#include "server/http_connection.h"
#include "server/http_server.h"

namespace pageflow {

struct RouteEntry {
  std::string method;
  std::regex pattern;
  std::shared_ptr<HttpHandler> handler;
};

struct HttpServer::Impl {
  HttpServerOptions options;
  std::vector<RouteEntry> routes;
  std::function<bool(HttpRequest&, HttpResponse&)> gate, expect_gate;
  std::function<void(const HttpRequest&, const ResponseInfo&)> observer;

  int listen_fd = -1;
  int wake_fd = -1;  // eventfd: connections handed back to the event loop, or Stop
  int stop_fd = -1;  // eventfd, readable from Stop on: handler waits give up
  std::atomic<bool> stopping{false};

  std::mutex mu;
  std::map<std::string, int> per_client;  // guarded by mu; open connections per address
  int open_connections = 0;               // guarded by mu
  std::vector<std::unique_ptr<Connection>> handed_back;  // guarded by mu

  BoundedQueue<std::unique_ptr<Connection>> requests;  // complete heads for handlers

  // Event loop state (the Run thread only).
  int epoll_fd = -1;
  std::unordered_map<int, std::unique_ptr<Connection>> waiting;
  SteadyClock::time_point accept_paused_until{};

  explicit Impl(HttpServerOptions o)
      : options(std::move(o)),
        requests(static_cast<size_t>(std::max(1, options.pending_connections))) {}

  // Event loop (http_event_loop.cc).
  void Loop();
  void Accept();
  void OnReadable(Connection& c);
  void Advance(std::unique_ptr<Connection>& slot);
  void Refuse(std::unique_ptr<Connection> c, const HttpError& error,
              const HttpRequest* req = nullptr);
  void Watch(std::unique_ptr<Connection> c);
  void TakeHandedBack();
  int Reap();
  void HandBack(std::unique_ptr<Connection> c);
  // Handler threads (http_exchange.cc).
  void Serve(std::unique_ptr<Connection> c);
  const RouteEntry* FindRoute(const std::string& method, const std::string& path,
                              std::vector<std::string>* groups,
                              std::string* allowed) const;
};

}  // namespace pageflow
