// The HTTP/1.1 request head as it arrives from a socket: HeadScanner over a buffer that
// grows in pieces (the first byte sets the piece size), then ParseHead, the query and
// Content-Length. A head found complete lies within the limits.
#include <algorithm>
#include <map>

#include "fuzz_target.h"
#include "server/http_parser.h"

PAGEFLOW_FUZZ_TARGET(http_request, data) {
  using namespace pageflow;
  if (data.empty()) return;
  const size_t piece = 1 + static_cast<unsigned char>(data[0]) % 64;
  const std::string_view bytes = data.substr(1);
  HttpLimits limits;
  limits.max_request_line_bytes = 512;  // small, so the fuzzer reaches them
  limits.max_header_line_bytes = 256;
  limits.max_header_bytes = 1024;
  limits.max_headers = 8;
  HeadScanner scanner(limits);
  HeadScan scan;
  for (size_t n = std::min(piece, bytes.size());; n = std::min(n + piece, bytes.size())) {
    scan = scanner.Scan(bytes.substr(0, n));
    if (scan.kind != HeadScan::kIncomplete || n == bytes.size()) break;
  }
  if (scan.kind == HeadScan::kError) {
    fuzz::Check(scan.error.status >= 400 && scan.error.status < 500, "refusal not a 4xx");
    return;
  }
  if (scan.kind != HeadScan::kComplete) return;
  fuzz::Check(scan.head_bytes <= bytes.size(), "head longer than the buffer");
  fuzz::Check(
      scan.head_bytes <= limits.max_request_line_bytes + limits.max_header_bytes + 2,
      "head over the limits accepted");
  RequestHead head;
  HttpError error;
  if (!ParseHead(bytes.substr(0, scan.head_bytes), &head, &error)) return;
  fuzz::Check(head.headers.size() <= limits.max_headers, "more headers than the limit");
  std::multimap<std::string, std::string> query;
  (void)ParseQuery(head.query_string, &query);
  if (const std::string* length = head.Find("Content-Length")) {
    const int64_t n = ParseContentLength(*length);
    fuzz::Check(n >= -1, "negative Content-Length");
  }
  (void)head.Count("Transfer-Encoding");
}
