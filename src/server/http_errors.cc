#include "server/http_errors.h"

#include <nlohmann/json.hpp>

namespace pageflow {

using nlohmann::json;

void SetError(HttpResponse& res, int status, const std::string& code,
              const std::string& message) {
  res.status = status;
  res.content_type = "application/json";
  res.body = json{{"error", {{"code", code}, {"message", message}}}}.dump(
      -1, ' ', false, json::error_handler_t::replace);
}

void SetStatusError(HttpResponse& res, const Status& st) {
  switch (st.code()) {
    case StatusCode::kInvalidArgument:
      return SetError(res, 400, "invalid_argument", st.message());
    case StatusCode::kCorrupt:
      return SetError(res, 400, "corrupt", st.message());
    case StatusCode::kNotFound:
      return SetError(res, 404, "not_found", st.message());
    case StatusCode::kUnsupported:
      return SetError(res, 415, "unsupported", st.message());
    case StatusCode::kResourceExhausted:
      return SetError(res, 429, "over_capacity", st.message());
    case StatusCode::kCancelled:
      return SetError(res, 503, "cancelled", st.message());
    case StatusCode::kUnavailable:
      return SetError(res, 503, "unavailable", st.message());
    default:
      return SetError(res, 500, "internal", st.message());
  }
}

}  // namespace pageflow
