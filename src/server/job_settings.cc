#include "server/job_settings.h"

#include <charconv>
#include <regex>

namespace pageflow {
namespace {

constexpr int kMinDpi = 50, kMaxDpi = 1200;

StatusOr<int> ParseInt(const std::string& name, const std::string& text, int min, int max) {
  int value = 0;
  const char* end = text.data() + text.size();
  const auto [ptr, ec] = std::from_chars(text.data(), end, value);
  if (ec != std::errc() || ptr != end || value < min || value > max) {
    return InvalidArgument(name + " must be an integer between " + std::to_string(min) + " and " +
                           std::to_string(max) + ", not '" + text.substr(0, 40) + "'");
  }
  return value;
}

}  // namespace

StatusOr<JobSettings> ParseJobSettings(const std::function<std::string(const std::string&)>& query,
                                       const JobSettings& defaults, const OfferedEngines& offered) {
  JobSettings settings = defaults;
  const std::string engine = query("engine");
  if (!engine.empty()) {
    if (!offered.offers(engine)) {
      return InvalidArgument("engine '" + engine.substr(0, 40) + "' is not offered by this server (use " +
                             offered.list + ")");
    }
    settings.engine.kind = engine;
  }
  std::string lang = query("lang");
  if (!lang.empty()) {
    for (char& c : lang) {
      if (c == ' ') c = '+';
    }
    static const std::regex kLang("[A-Za-z_]{2,20}(\\+[A-Za-z_]{2,20}){0,4}");
    if (lang.size() > 120 || !std::regex_match(lang, kLang)) {
      return InvalidArgument("lang must look like eng or eng+deu (up to 5 languages)");
    }
    settings.engine.lang = lang;
  }
  const std::string dpi = query("dpi");
  if (!dpi.empty()) {
    PF_ASSIGN_OR_RETURN(settings.render.dpi, ParseInt("dpi", dpi, kMinDpi, kMaxDpi));
  }
  return settings;
}

}  // namespace pageflow
