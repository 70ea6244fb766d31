// HttpServer's event loop: one thread, epoll. Accepts connections (capped in all and
// per client address), reads request heads under HttpLimits and a deadline, reaps idle
// and slow connections, and hands complete heads to the handler threads. A connection
// here costs its socket and a buffer bounded by the limits — never a thread.
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstring>

#include "base/log.h"
#include "server/http_response.h"
#include "server/http_server_impl.h"

namespace pageflow {
namespace {

// After refusing a request whose body was not read, the connection is closed — but not
// at once: closing a socket with unread bytes sends a reset that can destroy the answer
// before the client reads it. So the event loop reads and drops what still comes for up
// to this long or this many bytes (a "lingering close"), then closes.
constexpr auto kLinger = std::chrono::seconds(2);
constexpr size_t kLingerBytes = 1 << 20;

std::string PeerAddress(const sockaddr_storage& addr) {
  char text[INET6_ADDRSTRLEN] = "";
  if (addr.ss_family == AF_INET) {
    inet_ntop(AF_INET, &reinterpret_cast<const sockaddr_in&>(addr).sin_addr, text,
              sizeof text);
  } else if (addr.ss_family == AF_INET6) {
    inet_ntop(AF_INET6, &reinterpret_cast<const sockaddr_in6&>(addr).sin6_addr, text,
              sizeof text);
  }
  return text;
}

}  // namespace

void HttpServer::Impl::Loop() {
  std::vector<epoll_event> events(256);
  while (!stopping) {
    const int timeout_ms = Reap();
    const int n =
        epoll_wait(epoll_fd, events.data(), static_cast<int>(events.size()), timeout_ms);
    for (int i = 0; i < n && !stopping; ++i) {
      const int fd = events[i].data.fd;
      if (fd == listen_fd) {
        Accept();
      } else if (fd == wake_fd) {
        uint64_t count;
        (void)!read(wake_fd, &count, sizeof count);
        TakeHandedBack();
      } else if (auto it = waiting.find(fd); it != waiting.end()) {
        OnReadable(*it->second);
        if (it->second->phase != Connection::Phase::kLinger) Advance(it->second);
      }
    }
  }
}

void HttpServer::Impl::Accept() {
  for (;;) {
    sockaddr_storage addr{};
    socklen_t len = sizeof addr;
    const int fd = accept4(listen_fd, reinterpret_cast<sockaddr*>(&addr), &len,
                           SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0) {
      if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM) {
        // Out of descriptors: stop accepting for a moment (the kernel's backlog holds
        // clients) instead of spinning on a listener that stays readable.
        LogWarning(std::string("accept: ") + std::strerror(errno) +
                   "; pausing for 100 ms");
        epoll_ctl(epoll_fd, EPOLL_CTL_DEL, listen_fd, nullptr);
        accept_paused_until = SteadyClock::now() + std::chrono::milliseconds(100);
      }
      return;
    }
    const int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one,
               sizeof one);  // DESIGN §8: 291 -> 15,700 req/s
    const std::string peer = PeerAddress(addr);
    const char* refusal = nullptr;
    {
      std::lock_guard<std::mutex> lock(mu);
      if (open_connections >= options.max_connections) {
        refusal = "HTTP/1.1 503 Service Unavailable\r\n";
      } else if (per_client[peer] >= options.max_connections_per_client) {
        refusal = "HTTP/1.1 429 Too Many Requests\r\n";
      } else {
        ++open_connections;
        ++per_client[peer];
      }
    }
    if (refusal != nullptr) {
      // Nothing was read yet; a short answer fits the socket buffer, then close.
      const std::string body =
          JsonError("too_many_connections", "too many open connections; retry later");
      const std::string answer = std::string(refusal) +
                                 "Content-Type: application/json\r\nContent-Length: " +
                                 std::to_string(body.size()) +
                                 "\r\nRetry-After: 1\r\nConnection: close\r\n\r\n" + body;
      (void)!send(fd, answer.data(), answer.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
      close(fd);
      continue;
    }
    auto c = std::make_unique<Connection>(fd, peer, options.limits, [this, peer] {
      std::lock_guard<std::mutex> lock(mu);
      --open_connections;
      if (--per_client[peer] == 0) per_client.erase(peer);
    });
    c->phase = Connection::Phase::kHead;
    c->deadline = SteadyClock::now() + std::chrono::seconds(options.header_timeout_s);
    Watch(std::move(c));
  }
}

void HttpServer::Impl::Watch(std::unique_ptr<Connection> c) {
  epoll_event ev{};
  ev.events = EPOLLIN | EPOLLRDHUP;
  ev.data.fd = c->fd();
  if (epoll_ctl(epoll_fd, EPOLL_CTL_ADD, c->fd(), &ev) != 0) return;  // closes it
  const int fd = c->fd();
  waiting[fd] = std::move(c);
}

void HttpServer::Impl::OnReadable(Connection& c) {
  char data[RequestIo::kReadChunk];
  for (;;) {
    const ssize_t n = recv(c.fd(), data, sizeof data, 0);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return;
    if (n <= 0) {
      c.phase = Connection::Phase::kLinger;
      c.deadline = SteadyClock::time_point{};  // closed by the next Reap
      return;
    }
    if (c.phase == Connection::Phase::kLinger) {
      c.lingered_bytes += static_cast<size_t>(n);
      if (c.lingered_bytes > kLingerBytes) c.deadline = SteadyClock::time_point{};
      continue;
    }
    if (c.phase == Connection::Phase::kIdle) {
      c.phase = Connection::Phase::kHead;
      c.deadline = SteadyClock::now() + std::chrono::seconds(options.header_timeout_s);
    }
    c.buffer.append(data, static_cast<size_t>(n));
    // One read at a time: the scanner refuses a head over the limits, so the buffer
    // never holds more than the limits plus one read.
    return;
  }
}

// Looks for a complete head in what the connection has buffered; hands it to a handler
// thread, refuses it, or leaves it waiting for more.
void HttpServer::Impl::Advance(std::unique_ptr<Connection>& slot) {
  Connection& c = *slot;
  if (c.phase != Connection::Phase::kHead || c.buffer.empty()) return;
  const HeadScan scan = c.scanner.Scan(c.buffer);
  if (scan.kind == HeadScan::kIncomplete) return;
  const int fd = c.fd();
  std::unique_ptr<Connection> owned = std::move(slot);
  waiting.erase(fd);
  epoll_ctl(epoll_fd, EPOLL_CTL_DEL, fd, nullptr);
  if (scan.kind == HeadScan::kError) return Refuse(std::move(owned), scan.error);
  HttpError error;
  if (!ParseHead(std::string_view(owned->buffer).substr(0, scan.head_bytes), &owned->head,
                 &error)) {
    return Refuse(std::move(owned), error);
  }
  owned->buffer.erase(0, scan.head_bytes);
  owned->scanner.Reset();
  // The event loop is the only producer, so this Push never blocks.
  if (requests.size() >= requests.capacity()) {
    HttpRequest req;
    req.method = owned->head.method;
    req.path = owned->head.path;
    return Refuse(std::move(owned), {503, "busy", "every handler is busy; retry later"},
                  &req);
  }
  requests.Push(std::move(owned));
}

void HttpServer::Impl::Refuse(std::unique_ptr<Connection> c, const HttpError& error,
                              const HttpRequest* req) {
  HttpResponse res;
  res.status = error.status;
  res.body = JsonError(error.code, error.message);
  if (error.status == 503) res.AddHeader("Retry-After", "1");
  const std::string answer =
      ResponseHead(res, res.body.size(), false, true, 1) + res.body;
  (void)!send(c->fd(), answer.data(), answer.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
  if (observer) {
    observer(req != nullptr ? *req : HttpRequest{},
             ResponseInfo{error.status, static_cast<int64_t>(answer.size()), 0});
  }
  shutdown(c->fd(), SHUT_WR);
  c->phase = Connection::Phase::kLinger;
  c->deadline = SteadyClock::now() + kLinger;
  c->buffer.clear();
  Watch(std::move(c));
}

void HttpServer::Impl::HandBack(std::unique_ptr<Connection> c) {
  if (stopping) return;  // closes it
  std::lock_guard<std::mutex> lock(mu);
  handed_back.push_back(std::move(c));
  const uint64_t one = 1;
  (void)!write(wake_fd, &one, sizeof one);
}

void HttpServer::Impl::TakeHandedBack() {
  std::vector<std::unique_ptr<Connection>> back;
  {
    std::lock_guard<std::mutex> lock(mu);
    back.swap(handed_back);
  }
  const SteadyClock::time_point now = SteadyClock::now();
  for (std::unique_ptr<Connection>& c : back) {
    if (c->phase == Connection::Phase::kLinger) {
      shutdown(c->fd(), SHUT_WR);
      c->deadline = now + kLinger;
    } else if (!c->buffer.empty()) {  // the next request came with the last one
      c->phase = Connection::Phase::kHead;
      c->deadline = now + std::chrono::seconds(options.header_timeout_s);
    } else {
      c->phase = Connection::Phase::kIdle;
      c->deadline = now + std::chrono::seconds(options.keep_alive_timeout_s);
    }
    const int fd = c->fd();
    Watch(std::move(c));
    if (auto it = waiting.find(fd); it != waiting.end()) Advance(it->second);
  }
  // Too many idle keep-alive connections: the ones idle longest go first.
  int idle = 0;
  for (auto& [fd, c] : waiting) idle += c->phase == Connection::Phase::kIdle ? 1 : 0;
  while (idle-- > options.max_idle_connections) {
    auto oldest = waiting.end();
    for (auto it = waiting.begin(); it != waiting.end(); ++it) {
      if (it->second->phase == Connection::Phase::kIdle &&
          (oldest == waiting.end() || it->second->deadline < oldest->second->deadline)) {
        oldest = it;
      }
    }
    if (oldest == waiting.end()) break;
    waiting.erase(oldest);  // deregistered from epoll by its close
  }
}

// Closes connections past their deadline; returns milliseconds until the next one.
int HttpServer::Impl::Reap() {
  const SteadyClock::time_point now = SteadyClock::now();
  if (accept_paused_until != SteadyClock::time_point{} && now >= accept_paused_until) {
    epoll_event ev{};
    ev.events = EPOLLIN;
    ev.data.fd = listen_fd;
    epoll_ctl(epoll_fd, EPOLL_CTL_ADD, listen_fd, &ev);
    accept_paused_until = {};
  }
  SteadyClock::time_point next = now + std::chrono::seconds(60);
  if (accept_paused_until != SteadyClock::time_point{})
    next = std::min(next, accept_paused_until);
  for (auto it = waiting.begin(); it != waiting.end();) {
    if (it->second->deadline <= now) {
      it = waiting.erase(it);
      continue;
    }
    next = std::min(next, it->second->deadline);
    ++it;
  }
  return static_cast<int>(
             std::chrono::duration_cast<std::chrono::milliseconds>(next - now).count()) +
         1;
}

}  // namespace pageflow
