// A request's job settings: the query parameters of POST /v1/ocr and POST /v1/jobs
// (engine, lang, dpi, layout, boxes, pages) checked and applied over the server's
// defaults, before a byte of the upload is read. What does not parse fully or is out of
// range is refused.
//
//   StatusOr<JobSettings> s = ParseJobSettings(
//       [&](const std::string& k) { return req.Query(k); }, defaults, offered);
#pragma once

#include <functional>
#include <string>

#include "base/status.h"
#include "server/job.h"

namespace pageflow {

// The engines a server offers: is `kind` one, and their names for messages.
struct OfferedEngines {
  std::function<bool(const std::string& kind)> offers;
  std::string list;  // "auto, text-layer, tesseract"
};

// `query(name)` is the parameter's value, "" when absent. INVALID_ARGUMENT, naming the
// parameter, for: an engine that is unknown or not offered (the message lists the
// offered ones), a lang that is not 1-5 names of letters joined by '+' (a space, which
// is what an unescaped '+' in a query decodes to, counts as '+'), a dpi that is not an
// integer in 50..1200, a layout that is not auto or none, a boxes that is not 0 or 1,
// a pages that ParsePageSelection refuses (run's --pages: "16-25,30", "40-").
StatusOr<JobSettings> ParseJobSettings(
    const std::function<std::string(const std::string&)>& query,
    const JobSettings& defaults, const OfferedEngines& offered);

// The boxes parameter: "1"/"true" or "0"/"false"; `absent` when empty.
StatusOr<bool> ParseBoxesParameter(const std::string& value, bool absent);

}  // namespace pageflow
