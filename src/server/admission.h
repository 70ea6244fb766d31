// Admission of POST /v1/ocr and POST /v1/jobs: check the settings and the content type,
// refuse what can be refused before a byte of the body is read (413 by declared size,
// 429 when the job queue is full), spool the body to a 0600 file as it arrives, sniff
// its format, and submit it (429 when its first page does not fit the budget now).
//
//   std::shared_ptr<Job> job = Admit(req, res, service, metrics, max_upload_bytes);
//   if (!job) return;  // res holds the error
#pragma once

#include <cstdint>
#include <memory>

#include "server/http_server.h"
#include "server/job.h"
#include "server/metrics.h"
#include "server/page_service.h"

namespace pageflow {

// Null when `res` holds the error (JSON, with the status SetStatusError maps to, or
// 413/415/429 with Retry-After); the job otherwise, owning the spooled upload.
std::shared_ptr<Job> Admit(HttpRequest& req, HttpResponse& res, PageService& service,
                           ServerMetrics& metrics, int64_t max_upload_bytes);

// 413 when the declared size is over the limit, 429 when the job queue is full: what can
// be refused without reading the body (also answered to "Expect: 100-continue"). True
// when `res` holds the refusal.
bool RefuseBeforeBody(const HttpRequest& req, HttpResponse& res,
                      const PageService& service, ServerMetrics& metrics,
                      int64_t max_upload_bytes);

}  // namespace pageflow
