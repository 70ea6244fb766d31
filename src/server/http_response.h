// How HttpServer writes answers: the status line and headers of a response, and the
// JSON error body every refusal carries ({"error":{"code","message"}}).
#pragma once

#include <cstddef>
#include <string>

#include "server/http_server.h"

namespace pageflow {

// {"error":{"code":...,"message":...}} with the message escaped for JSON.
std::string JsonError(const std::string& code, const std::string& message);

const char* ReasonPhrase(int status);

// Status line and headers up to the blank line. `chunked` sends Transfer-Encoding
// instead of Content-Length; `close` adds "Connection: close"; an HTTP/1.0 client that
// stays connected is told "Connection: keep-alive". The handler's own headers are
// written with CR and LF removed; Content-Length, Transfer-Encoding and Connection are
// the server's to set.
std::string ResponseHead(const HttpResponse& res, size_t content_length, bool chunked,
                         bool close, int version_minor);

}  // namespace pageflow
