#include "base/parse_int.h"

#include <charconv>
#include <string>

namespace pageflow {

StatusOr<int64_t> ParseInt64Strict(std::string_view text, int64_t min, int64_t max) {
  const std::string shown =
      "'" + std::string(text.substr(0, 32)) + (text.size() > 32 ? "...'" : "'");
  const std::string range =
      "a whole number from " + std::to_string(min) + " to " + std::to_string(max);
  int64_t value = 0;
  const char* end = text.data() + text.size();
  // from_chars accepts exactly [-]digits and reports overflow instead of wrapping.
  const std::from_chars_result r = std::from_chars(text.data(), end, value, 10);
  if (text.empty() || r.ptr != end ||
      (r.ec != std::errc() && r.ec != std::errc::result_out_of_range)) {
    return InvalidArgument("expected " + range + ", got " + shown);
  }
  if (r.ec == std::errc::result_out_of_range || value < min || value > max) {
    return InvalidArgument(shown + " is out of range: expected " + range);
  }
  return value;
}

StatusOr<int> ParseIntStrict(std::string_view text, int min, int max) {
  StatusOr<int64_t> v = ParseInt64Strict(text, min, max);
  if (!v.ok()) return v.status();
  return static_cast<int>(*v);
}

}  // namespace pageflow
