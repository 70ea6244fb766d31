// How the server says no: every error is JSON {"error":{"code","message"}}, and a Status
// becomes an HTTP status in exactly one place (SetStatusError).
//
//   if (!settings.ok()) return SetStatusError(res, settings.status());
//   SetError(res, 429, "queue_full", "the job queue is full; retry later");
#pragma once

#include <string>

#include "base/status.h"
#include "server/http_server.h"

namespace pageflow {

void SetError(HttpResponse& res, int status, const std::string& code,
              const std::string& message);
// INVALID_ARGUMENT and CORRUPT -> 400, NOT_FOUND -> 404, UNSUPPORTED -> 415,
// RESOURCE_EXHAUSTED -> 429, CANCELLED and UNAVAILABLE -> 503, anything else -> 500.
void SetStatusError(HttpResponse& res, const Status& status);

}  // namespace pageflow
