#include "engine/vlm/http_client.h"

#include <curl/curl.h>

#include <mutex>

namespace pageflow {
namespace {

struct CurlDeleter {
  void operator()(CURL* c) const { curl_easy_cleanup(c); }
};
struct SlistDeleter {
  void operator()(curl_slist* l) const { curl_slist_free_all(l); }
};
using CurlPtr = std::unique_ptr<CURL, CurlDeleter>;
using SlistPtr = std::unique_ptr<curl_slist, SlistDeleter>;

constexpr char kConnectionPrefix[] = "connection: ";

std::once_flag g_curl_init;

struct Sink {
  std::string* out;
  int64_t max_bytes;
  bool overflow = false;
};

size_t Write(char* data, size_t size, size_t n, void* user) {
  auto* sink = static_cast<Sink*>(user);
  const size_t bytes = size * n;
  if (static_cast<int64_t>(sink->out->size() + bytes) > sink->max_bytes) {
    sink->overflow = true;
    return 0;  // aborts the transfer
  }
  sink->out->append(data, bytes);
  return bytes;
}

// What makes a request in progress give up: the client's abort flag (the process is
// stopping) or the caller's own question (its page is no longer wanted).
struct AbortCheck {
  const std::atomic<bool>* abort;
  const std::function<bool()>* cancelled;
};

// libcurl calls it about once a second while idle, more often while data flows.
int Progress(void* user, curl_off_t, curl_off_t, curl_off_t, curl_off_t) {
  const auto* check = static_cast<const AbortCheck*>(user);
  if (check->abort != nullptr && check->abort->load()) return 1;
  return check->cancelled != nullptr && *check->cancelled && (*check->cancelled)() ? 1 : 0;
}

Status FromCurl(CURLcode code, const char* errbuf) {
  const std::string detail = errbuf[0] != '\0' ? errbuf : curl_easy_strerror(code);
  switch (code) {
    case CURLE_COULDNT_CONNECT:
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_GOT_NOTHING:
    case CURLE_SEND_ERROR:
    case CURLE_RECV_ERROR:
    case CURLE_PARTIAL_FILE:
      return Unavailable(kConnectionPrefix + detail);
    case CURLE_ABORTED_BY_CALLBACK:
      return Cancelled("request abandoned: the page is no longer wanted");
    case CURLE_OPERATION_TIMEDOUT:
      return Unavailable("request timed out: " + detail);
    default:
      return Unavailable("HTTP request failed: " + detail);
  }
}

}  // namespace

struct HttpClient::Impl {
  HttpClientOptions options;
  CurlPtr curl;
};

HttpClient::HttpClient(HttpClientOptions options) : impl_(std::make_unique<Impl>()) {
  std::call_once(g_curl_init, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
  impl_->options = options;
  impl_->curl.reset(curl_easy_init());
}

HttpClient::~HttpClient() = default;

StatusOr<HttpResponse> HttpClient::Post(const std::string& url, std::string_view body, const std::string& bearer,
                                        int64_t max_answer_bytes, std::string* answer,
                                        const std::function<bool()>& cancelled) {
  CURL* c = impl_->curl.get();
  if (c == nullptr) return Unavailable("libcurl could not be initialized");
  answer->clear();
  Sink sink{answer, max_answer_bytes};
  char errbuf[CURL_ERROR_SIZE] = {0};
  curl_slist* headers = curl_slist_append(nullptr, "Content-Type: application/json");
  headers = curl_slist_append(headers, "Expect:");  // no 100-continue round trip for large bodies
  if (!bearer.empty()) headers = curl_slist_append(headers, ("Authorization: Bearer " + bearer).c_str());
  SlistPtr header_list(headers);
  curl_easy_reset(c);  // keeps the connection cache: the next request reuses the socket
  curl_easy_setopt(c, CURLOPT_URL, url.c_str());
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(c, CURLOPT_POST, 1L);
  curl_easy_setopt(c, CURLOPT_POSTFIELDS, body.data());
  curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body.size()));
  curl_easy_setopt(c, CURLOPT_HTTPHEADER, header_list.get());
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, Write);
  curl_easy_setopt(c, CURLOPT_WRITEDATA, &sink);
  curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
  curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, static_cast<long>(impl_->options.connect_timeout_s));
  curl_easy_setopt(c, CURLOPT_TIMEOUT, static_cast<long>(impl_->options.timeout_s));
  curl_easy_setopt(c, CURLOPT_TCP_NODELAY, 1L);
  const AbortCheck check{impl_->options.abort, &cancelled};
  if (impl_->options.abort != nullptr || cancelled) {
    curl_easy_setopt(c, CURLOPT_NOPROGRESS, 0L);
    curl_easy_setopt(c, CURLOPT_XFERINFOFUNCTION, Progress);
    curl_easy_setopt(c, CURLOPT_XFERINFODATA, &check);
  }
  const CURLcode rc = curl_easy_perform(c);
  if (sink.overflow) {
    return ResourceExhausted("answer longer than " + std::to_string(max_answer_bytes) + " bytes");
  }
  if (rc != CURLE_OK) return FromCurl(rc, errbuf);
  HttpResponse r;
  curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &r.status);
  return r;
}

StatusOr<HttpResponse> HttpClient::Get(const std::string& url, int timeout_s, std::string* answer) {
  CURL* c = impl_->curl.get();
  if (c == nullptr) return Unavailable("libcurl could not be initialized");
  answer->clear();
  Sink sink{answer, 1 << 20};
  char errbuf[CURL_ERROR_SIZE] = {0};
  curl_easy_reset(c);
  curl_easy_setopt(c, CURLOPT_URL, url.c_str());
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, Write);
  curl_easy_setopt(c, CURLOPT_WRITEDATA, &sink);
  curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
  curl_easy_setopt(c, CURLOPT_TIMEOUT, static_cast<long>(timeout_s));
  const CURLcode rc = curl_easy_perform(c);
  if (rc != CURLE_OK) return FromCurl(rc, errbuf);
  HttpResponse r;
  curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &r.status);
  return r;
}

bool IsConnectionError(const Status& status) {
  return status.code() == StatusCode::kUnavailable && status.message().rfind(kConnectionPrefix, 0) == 0;
}

}  // namespace pageflow
