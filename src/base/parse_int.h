// Strict integer parsing for values that come from outside (query parameters, flags):
// the whole text must be a decimal integer within [min, max]. std::atoi("300abc") is
// 300 and std::atoi("4294967596") wraps; these are errors here.
//
//   StatusOr<int> dpi = ParseIntStrict(req.Query("dpi"), 50, 1200);
//   if (!dpi.ok()) return SetStatusError(res, dpi.status().WithContext("dpi"));
#pragma once

#include <cstdint>
#include <string_view>

#include "base/status.h"

namespace pageflow {

// INVALID_ARGUMENT unless `text` is an optional '-' followed by decimal digits only (no
// spaces, no '+', no suffix) and its value lies in [min, max]. The message names the
// range and quotes (a prefix of) the text.
StatusOr<int64_t> ParseInt64Strict(std::string_view text, int64_t min, int64_t max);
StatusOr<int> ParseIntStrict(std::string_view text, int min, int max);

}  // namespace pageflow
