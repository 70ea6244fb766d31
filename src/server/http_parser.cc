#include "server/http_parser.h"

#include <cctype>
#include <cstring>

namespace pageflow {
namespace {

HeadScan Refuse(int status, std::string code, std::string message) {
  HeadScan s;
  s.kind = HeadScan::kError;
  s.error = {status, std::move(code), std::move(message)};
  return s;
}

bool Fail(HttpError* error, int status, std::string code, std::string message) {
  *error = {status, std::move(code), std::move(message)};
  return false;
}

// RFC 9110 tchar: what a method or a header name may be made of.
bool IsTokenChar(unsigned char c) {
  return std::isalnum(c) || std::strchr("!#$%&'*+-.^_`|~", c) != nullptr;
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

bool ParseRequestLine(std::string_view line, RequestHead* out, HttpError* error) {
  const size_t sp1 = line.find(' ');
  const size_t sp2 = sp1 == std::string_view::npos ? sp1 : line.find(' ', sp1 + 1);
  if (sp2 == std::string_view::npos ||
      line.find(' ', sp2 + 1) != std::string_view::npos) {
    return Fail(error, 400, "bad_request", "malformed request line");
  }
  const std::string_view method = line.substr(0, sp1);
  const std::string_view target = line.substr(sp1 + 1, sp2 - sp1 - 1);
  const std::string_view version = line.substr(sp2 + 1);
  if (method.empty() || method.size() > 32)
    return Fail(error, 400, "bad_request", "malformed method");
  for (unsigned char c : method) {
    if (!IsTokenChar(c)) return Fail(error, 400, "bad_request", "malformed method");
  }
  if (version == "HTTP/1.1") {
    out->version_minor = 1;
  } else if (version == "HTTP/1.0") {
    out->version_minor = 0;
  } else if (version.rfind("HTTP/", 0) == 0) {
    return Fail(error, 505, "version_not_supported",
                "only HTTP/1.0 and HTTP/1.1 are served");
  } else {
    return Fail(error, 400, "bad_request", "malformed request line");
  }
  if (target.empty() || target.front() != '/') {
    return Fail(error, 400, "bad_request",
                "the request target must be a path (\"/...\")");
  }
  for (unsigned char c : target) {
    if (c <= 0x20 || c == 0x7f)
      return Fail(error, 400, "bad_request", "control character in the request target");
  }
  std::string_view path = target.substr(0, target.find_first_of("?#"));
  std::string_view query;
  if (const size_t q = target.find('?'); q != std::string_view::npos) {
    query = target.substr(q + 1);
    query = query.substr(0, query.find('#'));
  }
  out->method = std::string(method);
  out->query_string = std::string(query);
  if (!PercentDecode(path, &out->path))
    return Fail(error, 400, "bad_request", "malformed escape in the path");
  return true;
}

bool ParseHeaderLine(std::string_view line, RequestHead* out, HttpError* error) {
  if (line.front() == ' ' || line.front() == '\t') {
    return Fail(error, 400, "bad_request", "folded header lines are not accepted");
  }
  const size_t colon = line.find(':');
  if (colon == std::string_view::npos || colon == 0)
    return Fail(error, 400, "bad_request", "malformed header line");
  const std::string_view name = line.substr(0, colon);
  for (unsigned char c : name) {
    if (!IsTokenChar(c)) return Fail(error, 400, "bad_request", "malformed header name");
  }
  const std::string_view value = Trim(line.substr(colon + 1));
  for (unsigned char c : value) {
    if ((c < 0x20 && c != '\t') || c == 0x7f) {
      return Fail(error, 400, "bad_request", "control character in a header value");
    }
  }
  out->headers.emplace_back(std::string(name), std::string(value));
  return true;
}

}  // namespace

HeadScan HeadScanner::Scan(std::string_view b) {
  while (pos_ < b.size()) {
    const void* nl = std::memchr(b.data() + pos_, '\n', b.size() - pos_);
    const size_t end = nl != nullptr ? static_cast<const char*>(nl) - b.data() : b.size();
    const size_t line_bytes = end - line_start_ + (nl != nullptr ? 1 : 0);
    if (lines_ == 0) {
      if (line_bytes > limits_.max_request_line_bytes) {
        return Refuse(414, "uri_too_long",
                      "the request line exceeds " +
                          std::to_string(limits_.max_request_line_bytes) + " bytes");
      }
    } else {
      if (line_bytes > limits_.max_header_line_bytes) {
        return Refuse(431, "header_too_large",
                      "a header line exceeds " +
                          std::to_string(limits_.max_header_line_bytes) + " bytes");
      }
      if (header_bytes_ + line_bytes >
          limits_.max_header_bytes + 2) {  // + the blank line
        return Refuse(
            431, "header_too_large",
            "the headers exceed " + std::to_string(limits_.max_header_bytes) + " bytes");
      }
    }
    if (nl == nullptr) {
      pos_ = b.size();
      return {};
    }
    pos_ = end + 1;
    const bool blank = line_bytes == 1 || (line_bytes == 2 && b[line_start_] == '\r');
    if (blank && lines_ == 0) {
      // Blank lines before a request line are ignored (RFC 9112 §2.2), a few of them.
      if (pos_ > limits_.max_request_line_bytes)
        return Refuse(400, "bad_request", "too many blank lines");
      line_start_ = pos_;
      continue;
    }
    if (blank) {
      HeadScan done;
      done.kind = HeadScan::kComplete;
      done.head_bytes = pos_;
      return done;
    }
    if (lines_ > 0) {
      header_bytes_ += line_bytes;
      if (lines_ > limits_.max_headers) {
        return Refuse(431, "header_too_large",
                      "more than " + std::to_string(limits_.max_headers) + " headers");
      }
    }
    ++lines_;
    line_start_ = pos_;
  }
  return {};
}

const std::string* RequestHead::Find(std::string_view name) const {
  for (const auto& [k, v] : headers) {
    if (EqualsIgnoreCase(k, name)) return &v;
  }
  return nullptr;
}

int RequestHead::Count(std::string_view name) const {
  int n = 0;
  for (const auto& h : headers) n += EqualsIgnoreCase(h.first, name) ? 1 : 0;
  return n;
}

bool ParseHead(std::string_view head, RequestHead* out, HttpError* error) {
  *out = RequestHead{};
  bool first = true;
  while (!head.empty()) {
    const size_t nl = head.find('\n');
    std::string_view line = head.substr(0, nl);
    head.remove_prefix(nl == std::string_view::npos ? head.size() : nl + 1);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.find('\r') != std::string_view::npos)
      return Fail(error, 400, "bad_request", "stray CR in the head");
    if (line.empty()) {
      if (first) continue;  // blank lines before the request line
      break;                // the end of the head
    }
    if (first) {
      if (!ParseRequestLine(line, out, error)) return false;
      first = false;
    } else if (!ParseHeaderLine(line, out, error)) {
      return false;
    }
  }
  if (first) return Fail(error, 400, "bad_request", "no request line");
  // RFC 9112 §3.2 asks for exactly one Host; only duplicates are refused (hand-written
  // clients omit it, and routing does not use it).
  if (out->Count("Host") > 1)
    return Fail(error, 400, "bad_request", "more than one Host header");
  return true;
}

bool PercentDecode(std::string_view s, std::string* out) {
  out->clear();
  out->reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '%') {
      out->push_back(s[i]);
      continue;
    }
    if (i + 2 >= s.size()) return false;
    const int hi = HexValue(s[i + 1]), lo = HexValue(s[i + 2]);
    if (hi < 0 || lo < 0 || (hi == 0 && lo == 0)) return false;
    out->push_back(static_cast<char>(hi * 16 + lo));
    i += 2;
  }
  return true;
}

bool ParseQuery(std::string_view query, std::multimap<std::string, std::string>* out) {
  while (!query.empty()) {
    const size_t amp = query.find('&');
    const std::string_view pair = query.substr(0, amp);
    query.remove_prefix(amp == std::string_view::npos ? query.size() : amp + 1);
    if (pair.empty()) continue;
    const size_t eq = pair.find('=');
    std::string key, value;
    if (!PercentDecode(pair.substr(0, eq), &key)) return false;
    if (eq != std::string_view::npos && !PercentDecode(pair.substr(eq + 1), &value))
      return false;
    out->emplace(std::move(key), std::move(value));
  }
  return true;
}

int64_t ParseContentLength(std::string_view s) {
  if (s.empty() || s.size() > 18) return -1;
  int64_t v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return -1;
    v = v * 10 + (c - '0');
  }
  return v;
}

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) !=
        std::tolower(static_cast<unsigned char>(b[i])))
      return false;
  }
  return true;
}

}  // namespace pageflow
