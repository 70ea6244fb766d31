#include "server/http_server.h"

#include <httplib.h>

#include <atomic>
#include <cassert>
#include <cstdlib>
#include <exception>
#include <thread>

#include "base/bounded_queue.h"
#include "base/log.h"

namespace pageflow {
namespace {

// httplib's own ThreadPool keeps accepted connections in an unbounded list; this one
// blocks the accept loop instead once `pending` connections wait (the kernel's listen
// backlog then holds the rest).
class BoundedTaskQueue final : public httplib::TaskQueue {
 public:
  BoundedTaskQueue(int threads, int pending) : tasks_(static_cast<size_t>(pending)) {
    for (int i = 0; i < threads; ++i) {
      threads_.emplace_back([this] {
        while (std::optional<std::function<void()>> task = tasks_.Pop()) (*task)();
      });
    }
  }
  ~BoundedTaskQueue() override { shutdown(); }

  void enqueue(std::function<void()> fn) override { tasks_.Push(std::move(fn)); }
  void shutdown() override {
    tasks_.Close();
    for (std::thread& t : threads_) {
      if (t.joinable()) t.join();
    }
  }

 private:
  BoundedQueue<std::function<void()>> tasks_;
  std::vector<std::thread> threads_;
};

class SinkAdapter final : public StreamSink {
 public:
  explicit SinkAdapter(httplib::DataSink& sink) : sink_(sink) {}
  bool Write(std::string_view data) override {
    if (!open_) return false;
    open_ = sink_.write(data.data(), data.size());
    return open_;
  }
  bool IsOpen() const override { return open_ && sink_.is_writable(); }

 private:
  httplib::DataSink& sink_;
  bool open_ = true;
};

std::string JsonError(const std::string& code, const std::string& message) {
  // Plain strings only: codes are fixed words, messages are escaped minimally here.
  std::string escaped;
  for (char c : message) {
    if (c == '"' || c == '\\') escaped += '\\';
    if (static_cast<unsigned char>(c) < 0x20) continue;
    escaped += c;
  }
  return "{\"error\":{\"code\":\"" + code + "\",\"message\":\"" + escaped + "\"}}";
}

HttpRequest Convert(const httplib::Request& r) {
  HttpRequest req;
  req.method = r.method;
  req.path = r.path;
  for (size_t i = 1; i < r.matches.size(); ++i) req.path_params.push_back(r.matches[i].str());
  req.query.insert(r.params.begin(), r.params.end());
  if (r.has_header("Content-Length")) {
    req.content_length = std::strtoll(r.get_header_value("Content-Length").c_str(), nullptr, 10);
  }
  req.multipart = r.is_multipart_form_data();
  req.remote_addr = r.remote_addr;
  req.header_fn = [&r](const std::string& name) { return r.get_header_value(name); };
  return req;
}

void Apply(HttpResponse& from, httplib::Response& to) {
  to.status = from.status;
  for (auto& [k, v] : from.headers) to.set_header(k, v);
  if (from.close_connection) to.set_header("Connection", "close");
  if (from.stream) {
    auto fn = std::make_shared<std::function<bool(StreamSink&)>>(std::move(from.stream));
    to.set_chunked_content_provider(from.content_type, [fn](size_t, httplib::DataSink& sink) {
      SinkAdapter adapter(sink);
      bool ok = false;
      try {
        ok = (*fn)(adapter);
      } catch (const std::exception& e) {
        LogError(std::string("stream aborted: ") + e.what());
      }
      if (ok) sink.done();
      return ok;
    });
  } else {
    to.set_content(from.body, from.content_type);
  }
}

}  // namespace

std::string HttpRequest::Header(const std::string& name) const { return header_fn ? header_fn(name) : ""; }

std::string HttpRequest::Query(const std::string& name, const std::string& fallback) const {
  auto it = query.find(name);
  return it == query.end() ? fallback : it->second;
}

bool HttpRequest::ReadBody(const BodyReceiver& receiver) const {
  return read_body_fn ? read_body_fn(receiver) : false;
}

bool HttpRequest::ReadMultipart(const PartHeader& header, const BodyReceiver& receiver) const {
  return read_multipart_fn ? read_multipart_fn(header, receiver) : false;
}

struct HttpServer::Impl {
  HttpServerOptions options;
  httplib::Server server;
  std::function<bool(HttpRequest&, HttpResponse&)> gate;
  std::function<bool(HttpRequest&, HttpResponse&)> expect_gate;
  int port = -1;
  std::atomic<bool> stop_requested{false};
  std::atomic<bool> run_started{false};
  std::atomic<bool> run_finished{false};

  // Runs a handler; a throwing handler is a bug, answered with 500.
  void Invoke(const HttpHandler& handler, HttpRequest& req, httplib::Response& out) {
    HttpResponse res;
    try {
      handler(req, res);
    } catch (const std::exception& e) {
      LogError("handler for " + req.path + " threw: " + e.what());
      res = HttpResponse{};
      res.status = 500;
      res.body = JsonError("internal", "internal error");
    }
    Apply(res, out);
  }
};

HttpServer::HttpServer(HttpServerOptions options) : impl_(std::make_unique<Impl>()) {
  impl_->options = std::move(options);
  httplib::Server& s = impl_->server;
  s.set_tcp_nodelay(true);  // DESIGN §8: 291 -> 15,700 req/s on this machine
  s.set_read_timeout(impl_->options.read_timeout_s);
  s.set_write_timeout(impl_->options.write_timeout_s);
  const int threads = impl_->options.threads, pending = impl_->options.pending_connections;
  s.new_task_queue = [threads, pending] { return new BoundedTaskQueue(threads, pending); };
  s.set_pre_routing_handler([impl = impl_.get()](const httplib::Request& r, httplib::Response& out) {
    if (!impl->gate) return httplib::Server::HandlerResponse::Unhandled;
    HttpRequest req = Convert(r);
    HttpResponse res;
    if (!impl->gate(req, res)) return httplib::Server::HandlerResponse::Unhandled;
    // Answered without reading any body: the connection cannot be reused.
    res.close_connection = res.close_connection || req.content_length > 0 || r.has_header("Transfer-Encoding");
    Apply(res, out);
    return httplib::Server::HandlerResponse::Handled;
  });
  s.set_expect_100_continue_handler([impl = impl_.get()](const httplib::Request& r, httplib::Response& out) {
    HttpRequest req = Convert(r);
    HttpResponse res;
    if ((impl->gate && impl->gate(req, res)) || (impl->expect_gate && impl->expect_gate(req, res))) {
      Apply(res, out);
      return res.status;  // the library closes the connection after this answer
    }
    return 100;
  });
  s.set_error_handler([](const httplib::Request& r, httplib::Response& out) {
    if (!out.body.empty()) return;
    if (out.status == 404) {
      out.set_content(JsonError("not_found", "no such endpoint: " + r.method + " " + r.path), "application/json");
      return;
    }
    out.set_content(JsonError("http_error", "HTTP status " + std::to_string(out.status)), "application/json");
  });
}

HttpServer::~HttpServer() { Stop(); }

void HttpServer::Route(const std::string& method, const std::string& pattern, HttpHandler handler) {
  Impl* impl = impl_.get();
  auto h = std::make_shared<HttpHandler>(std::move(handler));
  auto with_body = [impl, h](const httplib::Request& r, httplib::Response& out,
                             const httplib::ContentReader& reader) {
    HttpRequest req = Convert(r);
    bool read = false;
    req.read_body_fn = [&](const BodyReceiver& receiver) {
      read = true;
      return reader([&](const char* data, size_t size) { return receiver(data, size); });
    };
    req.read_multipart_fn = [&](const PartHeader& header, const BodyReceiver& receiver) {
      read = true;
      return reader(
          [&](const httplib::MultipartFormData& part) {
            return header(part.name, part.filename, part.content_type);
          },
          [&](const char* data, size_t size) { return receiver(data, size); });
    };
    impl->Invoke(*h, req, out);
    // A body left unread (or half read) would be parsed as the next request.
    if (!read && (req.content_length > 0 || r.has_header("Transfer-Encoding"))) {
      out.set_header("Connection", "close");
    }
  };
  auto without_body = [impl, h](const httplib::Request& r, httplib::Response& out) {
    HttpRequest req = Convert(r);
    impl->Invoke(*h, req, out);
  };
  httplib::Server& s = impl->server;
  if (method == "GET") s.Get(pattern, without_body);
  else if (method == "POST") s.Post(pattern, with_body);
  else if (method == "PUT") s.Put(pattern, with_body);
  else if (method == "DELETE") s.Delete(pattern, with_body);
  else assert(false && "unsupported method");
}

void HttpServer::SetGate(std::function<bool(HttpRequest&, HttpResponse&)> gate) { impl_->gate = std::move(gate); }
void HttpServer::SetResponseObserver(std::function<void(const HttpRequest&, int status)> observer) {
  impl_->server.set_logger([observer = std::move(observer)](const httplib::Request& r, const httplib::Response& out) {
    observer(Convert(r), out.status);
  });
}

void HttpServer::SetExpectGate(std::function<bool(HttpRequest&, HttpResponse&)> gate) {
  impl_->expect_gate = std::move(gate);
}

StatusOr<int> HttpServer::Bind() {
  httplib::Server& s = impl_->server;
  const std::string& host = impl_->options.host;
  if (impl_->options.port == 0) {
    impl_->port = s.bind_to_any_port(host);
  } else {
    impl_->port = s.bind_to_port(host, impl_->options.port) ? impl_->options.port : -1;
  }
  if (impl_->port <= 0) {
    return Unavailable("cannot listen on " + host + ":" + std::to_string(impl_->options.port));
  }
  return impl_->port;
}

Status HttpServer::Run() {
  impl_->run_started = true;
  Status st;
  if (!impl_->stop_requested && !impl_->server.listen_after_bind() && !impl_->stop_requested) {
    st = Unavailable("the HTTP listener stopped unexpectedly");
  }
  impl_->run_finished = true;
  return st;
}

void HttpServer::Stop() {
  impl_->stop_requested = true;
  // httplib's stop() does nothing until listen has begun; a Run that started before
  // stop_requested was set gets up to a second to get there.
  for (int i = 0; i < 1000 && impl_->run_started && !impl_->run_finished && !impl_->server.is_running(); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  impl_->server.stop();
}

}  // namespace pageflow
