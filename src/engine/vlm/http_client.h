// HttpClient: one libcurl easy handle, reused across requests so the connection to the
// inference server stays alive. Used by one thread at a time (one per vlm engine).
//
//   HttpClient http({.connect_timeout_s = 10, .timeout_s = 600});
//   StatusOr<HttpResponse> r = http.Post(url, body, "Bearer KEY", 1 << 20, &answer);
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "base/status.h"

namespace pageflow {

struct HttpClientOptions {
  int connect_timeout_s = 10;
  int timeout_s = 600;  // whole request
  const std::atomic<bool>* abort = nullptr;  // when it becomes true, a request in progress fails CANCELLED
};

struct HttpResponse {
  long status = 0;  // HTTP status code
};

class HttpClient {
 public:
  explicit HttpClient(HttpClientOptions options);
  ~HttpClient();
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  // POSTs `body` (application/json; not copied) and stores the response body in *answer
  // (cleared first; the caller reserves its capacity). A response longer than
  // max_answer_bytes is cut off: RESOURCE_EXHAUSTED. Could not connect, connection
  // dropped: UNAVAILABLE with "connection:" in the message (see IsConnectionError).
  // Timeout: UNAVAILABLE ("timed out"). Any HTTP status is returned as a response.
  // `cancelled` (optional) is asked about once a second while the request is in
  // progress; when it says true the request is dropped: CANCELLED.
  StatusOr<HttpResponse> Post(const std::string& url, std::string_view body, const std::string& bearer,
                              int64_t max_answer_bytes, std::string* answer,
                              const std::function<bool()>& cancelled = nullptr);
  // GET with a short timeout; the status code, or UNAVAILABLE.
  StatusOr<HttpResponse> Get(const std::string& url, int timeout_s, std::string* answer);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// True for errors meaning "the server is not there" (refused, reset, no answer at all).
bool IsConnectionError(const Status& status);

}  // namespace pageflow
