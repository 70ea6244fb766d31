// POST /v1/ocr and /v1/jobs settings: the query string (engine, lang, dpi, layout,
// boxes) decoded and checked over the server's defaults. Accepted settings are in range.
#include <map>

#include "fuzz_target.h"
#include "server/http_parser.h"
#include "server/job_settings.h"

PAGEFLOW_FUZZ_TARGET(job_settings, data) {
  using namespace pageflow;
  std::multimap<std::string, std::string> query;
  if (!ParseQuery(data, &query)) return;
  JobSettings defaults;
  defaults.engine.kind = "auto";
  const OfferedEngines offered{[](const std::string& k) {
                                 return k == "auto" || k == "tesseract" ||
                                        k == "text-layer";
                               },
                               "auto, text-layer, tesseract"};
  StatusOr<JobSettings> s = ParseJobSettings(
      [&](const std::string& k) {
        auto it = query.find(k);
        return it == query.end() ? std::string() : it->second;
      },
      defaults, offered);
  if (s.ok()) {
    fuzz::Check(s->render.dpi >= 50 && s->render.dpi <= 1200,
                "dpi out of range accepted");
    fuzz::Check(offered.offers(s->engine.kind), "an engine not offered accepted");
  }
  for (const auto& [key, value] : query) (void)ParseBoxesParameter(value, value.empty());
}
