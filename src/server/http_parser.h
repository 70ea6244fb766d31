// Strict HTTP/1.1 request-head parsing with byte limits, for HttpServer. Nothing here
// touches a socket: HeadScanner looks at the bytes a connection has buffered so far and
// says "need more", "complete (N bytes)" or "refuse with 400/414/431", so the caller
// never buffers more than the limits allow (docs/http-api.md, "Limits").
//
//   HeadScanner scanner(limits);
//   HeadScan s = scanner.Scan(buffered);        // after each read; buffered only grows
//   if (s.kind == HeadScan::kComplete) { RequestHead head; ParseHead(buffered.substr(0,
//       s.head_bytes), &head, &error); ... }
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace pageflow {

struct HttpLimits {
  // Longest request line ("GET /path?query HTTP/1.1"), CRLF included; beyond: 414.
  size_t max_request_line_bytes = 8 << 10;
  // Longest single header line; beyond: 431.
  size_t max_header_line_bytes = 8 << 10;
  // All header lines together (not the request line); beyond: 431.
  size_t max_header_bytes = 64 << 10;
  // Header lines; beyond: 431.
  size_t max_headers = 100;
};

// An answer that refuses a request before it reaches a handler.
struct HttpError {
  int status = 400;
  std::string code;     // JSON error code, e.g. "bad_request"
  std::string message;  // for people
};

struct HeadScan {
  enum Kind { kIncomplete, kComplete, kError };
  Kind kind = kIncomplete;
  size_t head_bytes = 0;  // kComplete: bytes up to and including the blank line
  HttpError error;        // kError
};

// Finds the end of a request head in a buffer that grows between calls, checking every
// limit as lines arrive (each byte is looked at once).
class HeadScanner {
 public:
  explicit HeadScanner(const HttpLimits& limits) : limits_(limits) {}
  HeadScan Scan(std::string_view buffered);
  // For the next request on the connection (the buffer is then restarted too).
  void Reset() { *this = HeadScanner(limits_); }

 private:
  HttpLimits limits_;
  size_t pos_ = 0;         // next byte to look at
  size_t line_start_ = 0;  // where the current line starts
  size_t lines_ = 0;       // complete lines seen (the request line is line 0)
  size_t header_bytes_ = 0;
};

struct RequestHead {
  std::string method;
  std::string path;                                          // percent-decoded
  std::string query_string;                                  // raw, after '?'
  int version_minor = 1;                                     // HTTP/1.x
  std::vector<std::pair<std::string, std::string>> headers;  // as sent, values trimmed

  // First value of a header, matched case-insensitively; nullptr when absent.
  const std::string* Find(std::string_view name) const;
  // How many times a header appears.
  int Count(std::string_view name) const;
};

// Parses a head HeadScanner found complete. False (with `error`) when it is malformed.
bool ParseHead(std::string_view head, RequestHead* out, HttpError* error);

// Percent-decodes `s`. '+' stays '+': in a URL (RFC 3986) it is an ordinary character;
// only HTML form bodies (application/x-www-form-urlencoded) use it for a space, so
// `lang=eng+deu` arrives as "eng+deu". Send a space as %20. False on a bad escape or
// an encoded NUL.
bool PercentDecode(std::string_view s, std::string* out);

// Splits "a=1&b=x%20y" into decoded pairs (see PercentDecode). False when an escape is
// malformed.
bool ParseQuery(std::string_view query, std::multimap<std::string, std::string>* out);

// A Content-Length value: digits only, at most 18 of them. -1 when malformed.
int64_t ParseContentLength(std::string_view s);

bool EqualsIgnoreCase(std::string_view a, std::string_view b);

}  // namespace pageflow
