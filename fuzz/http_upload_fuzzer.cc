// An upload's body as the server reads it: the Content-Type (is it multipart, and its
// boundary), the body through the chunked and multipart decoders fed in pieces, and the
// format sniffed from the first part's bytes. Input: a Content-Type line, "\n", the body.
#include <algorithm>

#include "fuzz_target.h"
#include "input/format.h"
#include "server/http_body.h"

PAGEFLOW_FUZZ_TARGET(http_upload, data) {
  using namespace pageflow;
  const size_t eol = data.find('\n');
  if (eol == std::string_view::npos) return;
  const std::string_view content_type = data.substr(0, eol);
  const std::string_view body = data.substr(eol + 1);
  const size_t piece = 1 + body.size() % 97;

  std::string decoded;  // the chunked decoding, capped like a spool would be
  ChunkedDecoder chunked;
  for (size_t at = 0; at < body.size() && !chunked.done() && !chunked.failed();) {
    const size_t n = std::min(piece, body.size() - at);
    const size_t used = chunked.Feed(body.data() + at, n, [&](const char* p, size_t k) {
      decoded.append(p, std::min(k, size_t{1} << 20));
      return decoded.size() < (size_t{1} << 20);
    });
    fuzz::Check(used <= n, "chunked decoder consumed more than fed");
    if (used < n) break;
    at += n;
  }

  const std::string boundary = MultipartBoundary(content_type);
  if (boundary.empty()) return;
  std::string first_part;
  int parts = 0;
  MultipartParser parser(
      boundary,
      [&](const std::string&, const std::string&, const std::string&) {
        ++parts;
        return true;
      },
      [&](const char* p, size_t k) {
        if (parts == 1) first_part.append(p, std::min(k, size_t{4096}));
        return true;
      });
  for (size_t at = 0; at < body.size(); at += piece) {
    if (!parser.Feed(body.data() + at, std::min(piece, body.size() - at))) break;
  }
  fuzz::Check(parts <= MultipartParser::kMaxParts, "more parts than the limit");
  if (!first_part.empty()) (void)DetectFormat(fuzz::WriteInputFile(first_part, "part"));
}
