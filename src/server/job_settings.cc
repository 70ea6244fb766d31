#include "server/job_settings.h"

#include <regex>

#include "base/parse_int.h"
#include "pipeline/page_selection.h"
#include "pipeline/run_options.h"

namespace pageflow {
namespace {

constexpr int kMinDpi = 50, kMaxDpi = 1200;

}  // namespace

StatusOr<bool> ParseBoxesParameter(const std::string& value, bool absent) {
  if (value.empty()) return absent;
  if (value == "1" || value == "true") return true;
  if (value == "0" || value == "false") return false;
  return InvalidArgument("boxes must be 0 or 1");
}

StatusOr<JobSettings> ParseJobSettings(
    const std::function<std::string(const std::string&)>& query,
    const JobSettings& defaults, const OfferedEngines& offered) {
  JobSettings settings = defaults;
  const std::string engine = query("engine");
  if (!engine.empty()) {
    if (!offered.offers(engine)) {
      return InvalidArgument("engine '" + engine.substr(0, 40) +
                             "' is not offered by this server (use " + offered.list +
                             ")");
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
    StatusOr<int> value = ParseIntStrict(dpi, kMinDpi, kMaxDpi);
    if (!value.ok()) return value.status().WithContext("dpi");
    settings.render.dpi = *value;
  }
  const std::string layout = query("layout");
  if (!layout.empty() && !ParseLayoutMode(layout, &settings.layout)) {
    return InvalidArgument("layout must be auto or none");
  }
  StatusOr<bool> boxes = ParseBoxesParameter(query("boxes"), settings.boxes);
  if (!boxes.ok()) return boxes.status();
  settings.boxes = *boxes;
  const std::string pages = query("pages");
  if (!pages.empty()) {
    StatusOr<std::vector<PageRange>> selection =
        ParsePageSelection(pages.substr(0, 1000));
    if (!selection.ok()) return selection.status().WithContext("pages");
    settings.pages = std::move(*selection);
  }
  return settings;
}

}  // namespace pageflow
