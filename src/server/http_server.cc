#include "server/http_server.h"

#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstring>
#include <thread>

#include "server/http_server_impl.h"

namespace pageflow {

std::string HttpRequest::Header(const std::string& name) const {
  return header_fn ? header_fn(name) : "";
}

std::string HttpRequest::Query(const std::string& name,
                               const std::string& fallback) const {
  auto it = query.find(name);
  return it == query.end() ? fallback : it->second;
}

bool HttpRequest::ReadBody(const BodyReceiver& receiver) const {
  return read_body_fn ? read_body_fn(receiver) : false;
}

bool HttpRequest::ReadMultipart(const PartHeader& header,
                                const BodyReceiver& receiver) const {
  return read_multipart_fn ? read_multipart_fn(header, receiver) : false;
}

HttpServer::HttpServer(HttpServerOptions options)
    : impl_(std::make_unique<Impl>(std::move(options))) {
  impl_->wake_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  impl_->stop_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
}

HttpServer::~HttpServer() {
  Stop();
  for (int fd : {impl_->listen_fd, impl_->wake_fd, impl_->stop_fd, impl_->epoll_fd}) {
    if (fd >= 0) close(fd);
  }
}

void HttpServer::Route(const std::string& method, const std::string& pattern,
                       HttpHandler handler) {
  impl_->routes.push_back(
      {method, std::regex(pattern), std::make_shared<HttpHandler>(std::move(handler))});
}

void HttpServer::SetGate(std::function<bool(HttpRequest&, HttpResponse&)> gate) {
  impl_->gate = std::move(gate);
}
void HttpServer::SetExpectGate(std::function<bool(HttpRequest&, HttpResponse&)> gate) {
  impl_->expect_gate = std::move(gate);
}
void HttpServer::SetResponseObserver(
    std::function<void(const HttpRequest&, const ResponseInfo&)> observer) {
  impl_->observer = std::move(observer);
}

StatusOr<int> HttpServer::Bind() {
  const HttpServerOptions& o = impl_->options;
  const std::string where = o.host + ":" + std::to_string(o.port);
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
  addrinfo* found = nullptr;
  if (getaddrinfo(o.host.empty() ? nullptr : o.host.c_str(),
                  std::to_string(o.port).c_str(), &hints, &found) != 0) {
    return Unavailable("cannot listen on " + where + ": unknown host");
  }
  std::unique_ptr<addrinfo, decltype(&freeaddrinfo)> list(found, &freeaddrinfo);
  for (addrinfo* a = found; a != nullptr; a = a->ai_next) {
    const int fd = socket(a->ai_family, a->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC,
                          a->ai_protocol);
    if (fd < 0) continue;
    const int one = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (bind(fd, a->ai_addr, a->ai_addrlen) == 0 && listen(fd, 1024) == 0) {
      sockaddr_storage bound{};
      socklen_t len = sizeof bound;
      getsockname(fd, reinterpret_cast<sockaddr*>(&bound), &len);
      impl_->listen_fd = fd;
      return ntohs(bound.ss_family == AF_INET6
                       ? reinterpret_cast<sockaddr_in6&>(bound).sin6_port
                       : reinterpret_cast<sockaddr_in&>(bound).sin_port);
    }
    close(fd);
  }
  return Unavailable("cannot listen on " + where + ": " + std::strerror(errno));
}

Status HttpServer::Run() {
  Impl& s = *impl_;
  if (s.listen_fd < 0) return Unavailable("the HTTP server is not bound");
  if (s.stopping) return Status();
  s.epoll_fd = epoll_create1(EPOLL_CLOEXEC);
  epoll_event ev{};
  ev.events = EPOLLIN;
  ev.data.fd = s.listen_fd;
  epoll_ctl(s.epoll_fd, EPOLL_CTL_ADD, s.listen_fd, &ev);
  ev.data.fd = s.wake_fd;
  epoll_ctl(s.epoll_fd, EPOLL_CTL_ADD, s.wake_fd, &ev);
  std::vector<std::thread> handlers;
  for (int i = 0; i < std::max(1, s.options.threads); ++i) {
    handlers.emplace_back([&s] {
      while (std::optional<std::unique_ptr<Connection>> c = s.requests.Pop())
        s.Serve(std::move(*c));
    });
  }
  s.Loop();
  close(s.listen_fd);  // new clients are refused by the kernel from here on
  s.listen_fd = -1;
  s.waiting.clear();
  s.requests.Close();
  for (std::thread& t : handlers) t.join();
  // Closed outside the lock: a Connection's close callback takes `mu` itself.
  std::vector<std::unique_ptr<Connection>> left;
  {
    std::lock_guard<std::mutex> lock(s.mu);
    left.swap(s.handed_back);
  }
  left.clear();
  return Status();
}

void HttpServer::Stop() {
  if (impl_->stopping.exchange(true)) return;
  const uint64_t one = 1;
  (void)!write(impl_->stop_fd, &one, sizeof one);
  (void)!write(impl_->wake_fd, &one, sizeof one);
}

}  // namespace pageflow
