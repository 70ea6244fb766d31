// HttpServer's handler threads: one request on a connection whose head is complete —
// framing checks, gate, routing (404/405 before any body byte is read), the handler,
// the response — then the connection goes back to the event loop, or is closed.
#include <sys/socket.h>

#include <chrono>
#include <exception>

#include "base/log.h"
#include "server/http_connection.h"
#include "server/http_response.h"
#include "server/http_server_impl.h"

namespace pageflow {
namespace {

void SetError(HttpResponse& res, int status, const std::string& code,
              const std::string& message) {
  res = HttpResponse{};
  res.status = status;
  res.body = JsonError(code, message);
}

bool HasToken(const std::string* header, std::string_view token) {
  if (header == nullptr) return false;
  std::string_view v = *header;
  while (!v.empty()) {
    const size_t comma = v.find(',');
    std::string_view item = v.substr(0, comma);
    while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
    while (!item.empty() && item.back() == ' ') item.remove_suffix(1);
    if (EqualsIgnoreCase(item, token)) return true;
    v.remove_prefix(comma == std::string_view::npos ? v.size() : comma + 1);
  }
  return false;
}

// Writes chunks of a streaming response.
class ChunkedSink final : public StreamSink {
 public:
  explicit ChunkedSink(RequestIo& io) : io_(io) {}
  bool Write(std::string_view data) override {
    if (!open_) return false;
    if (data.empty()) return true;
    char size[24];
    const int n = std::snprintf(size, sizeof size, "%zx\r\n", data.size());
    std::string chunk;
    chunk.reserve(static_cast<size_t>(n) + data.size() + 2);
    chunk.append(size, static_cast<size_t>(n)).append(data).append("\r\n");
    open_ = io_.Send(chunk);
    return open_;
  }
  bool IsOpen() const override { return open_ && io_.PeerOpen(); }

 private:
  RequestIo& io_;
  bool open_ = true;
};

}  // namespace

const RouteEntry* HttpServer::Impl::FindRoute(const std::string& method,
                                              const std::string& path,
                                              std::vector<std::string>* groups,
                                              std::string* allowed) const {
  std::smatch match;
  for (const RouteEntry& r : routes) {
    if (!std::regex_match(path, match, r.pattern)) continue;
    if (r.method != method) {
      if (allowed->find(r.method) == std::string::npos)
        *allowed += (allowed->empty() ? "" : ", ") + r.method;
      continue;
    }
    for (size_t i = 1; i < match.size(); ++i) groups->push_back(match[i].str());
    return &r;
  }
  return nullptr;
}

void HttpServer::Impl::Serve(std::unique_ptr<Connection> c) {
  const auto start = std::chrono::steady_clock::now();
  const RequestHead& head = c->head;
  HttpRequest req;
  req.method = head.method;
  req.path = head.path;
  req.remote_addr = c->peer();
  req.header_fn = [&head](const std::string& name) {
    const std::string* v = head.Find(name);
    return v != nullptr ? *v : std::string();
  };
  RequestIo io(*c, {.read_timeout_ms = options.read_timeout_s * 1000,
                    .write_timeout_ms = options.write_timeout_s * 1000,
                    .stop_fd = stop_fd,
                    .max_body_bytes = options.max_body_bytes,
                    .body_timeout_ms = options.body_timeout_s * 1000,
                    .body_min_rate = options.body_min_rate});
  HttpResponse res;
  bool answered = false;  // by a refusal below, before any handler ran
  // Framing (RFC 9112 §6.3): anything ambiguous is refused, never guessed at.
  const std::string* te = head.Find("Transfer-Encoding");
  const int lengths = head.Count("Content-Length");
  const bool chunked = te != nullptr;
  if (te != nullptr &&
      (!EqualsIgnoreCase(*te, "chunked") || head.Count("Transfer-Encoding") > 1)) {
    SetError(res, 501, "not_implemented", "only the chunked transfer coding is accepted");
    answered = true;
  } else if (te != nullptr && lengths > 0) {
    SetError(res, 400, "bad_request", "both Transfer-Encoding and Content-Length");
    answered = true;
  } else if (lengths > 1) {
    SetError(res, 400, "bad_request", "more than one Content-Length");
    answered = true;
  } else if (lengths == 1 && (req.content_length =
                                  ParseContentLength(*head.Find("Content-Length"))) < 0) {
    SetError(res, 400, "bad_request", "malformed Content-Length");
    answered = true;
  }
  io.SetBody(req.content_length, chunked);
  if (!answered && !ParseQuery(head.query_string, &req.query)) {
    SetError(res, 400, "bad_request", "malformed escape in the query string");
    answered = true;
  }
  const std::string* type = head.Find("Content-Type");
  req.multipart = type != nullptr && !MultipartBoundary(*type).empty();
  const bool head_only = req.method == "HEAD";
  bool keep_alive = head.version_minor == 1
                        ? !HasToken(head.Find("Connection"), "close")
                        : HasToken(head.Find("Connection"), "keep-alive");

  // The token gate, then routing: both answer without reading a byte of the body.
  if (!answered && gate) answered = gate(req, res);
  const RouteEntry* route = nullptr;
  if (!answered) {
    std::string allowed;
    route =
        FindRoute(head_only ? "GET" : req.method, req.path, &req.path_params, &allowed);
    if (route == nullptr && !allowed.empty()) {
      SetError(res, 405, "method_not_allowed",
               req.method + " is not allowed on " + req.path + " (use " + allowed + ")");
      res.AddHeader("Allow", allowed);
      answered = true;
    } else if (route == nullptr) {
      SetError(res, 404, "not_found", "no such endpoint: " + req.method + " " + req.path);
      answered = true;
    }
  }
  const std::string* expect = head.Find("Expect");
  if (!answered && io.has_body() && expect != nullptr &&
      EqualsIgnoreCase(*expect, "100-continue")) {
    if (expect_gate && expect_gate(req, res)) {
      answered = true;
    } else {
      io.SetContinue();
    }
  }
  if (!answered) {
    req.read_body_fn = [&io](const BodyReceiver& receiver) {
      return io.ReadBody(receiver);
    };
    req.read_multipart_fn = [&io, type](const PartHeader& header,
                                        const BodyReceiver& receiver) {
      MultipartParser parser(MultipartBoundary(*type), header, receiver);
      return io.ReadBody([&](const char* data, size_t size) {
        return parser.Feed(data, size);
      }) && parser.done();
    };
    try {
      (*route->handler)(req, res);
    } catch (const std::exception& e) {
      LogError("handler for " + req.path + " threw: " + e.what());
      SetError(res, 500, "internal", "internal error");
    }
  }
  if (io.body_too_large()) {
    SetError(
        res, 413, "too_large",
        "the request body exceeds " + std::to_string(options.max_body_bytes) + " bytes");
  }
  if (io.body_timed_out()) {
    SetError(res, 408, "body_timeout",
             "the request body did not arrive in time (at least " +
                 std::to_string(options.body_min_rate) +
                 " bytes a second after the first " +
                 std::to_string(options.body_timeout_s) + " s)");
    res.close_connection = true;
  }
  // A body not read to its end would be parsed as the next request: close, always.
  const bool unread = !io.body_complete();
  for (const auto& [name, value] : res.headers) {
    if (EqualsIgnoreCase(name, "Connection") && HasToken(&value, "close"))
      res.close_connection = true;
  }
  keep_alive = keep_alive && !unread && !res.close_connection && !stopping;

  bool ok;
  if (res.stream && !head_only) {
    ok = io.Send(ResponseHead(res, 0, true, !keep_alive, head.version_minor));
    if (ok) {
      ChunkedSink sink(io);
      try {
        ok = res.stream(sink);
      } catch (const std::exception& e) {
        LogError(std::string("stream aborted: ") + e.what());
        ok = false;
      }
      ok = ok && io.Send("0\r\n\r\n");
    }
  } else {
    std::string out =
        ResponseHead(res, res.body.size(), false, !keep_alive, head.version_minor);
    if (head_only) {
      ok = io.Send(out);
    } else if (res.body.size() <= (64 << 10)) {
      ok = io.Send(out + res.body);  // one write: one packet for small answers
    } else {
      ok = io.Send(out) && io.Send(res.body);
    }
  }
  if (observer) {
    observer(req, ResponseInfo{res.status, io.bytes_sent(),
                               std::chrono::duration<double>(
                                   std::chrono::steady_clock::now() - start)
                                   .count()});
  }
  if (!ok) return;  // the client is gone or stalled: close
  if (keep_alive) return HandBack(std::move(c));
  if (unread && !io.body_timed_out()) {  // a trickling client is not waited for again
    c->phase = Connection::Phase::kLinger;
    return HandBack(std::move(c));
  }
  shutdown(c->fd(), SHUT_WR);
}

}  // namespace pageflow
