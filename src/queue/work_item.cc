#include "queue/work_item.h"

#include <cstdlib>
#include <nlohmann/json.hpp>

namespace pageflow {

using nlohmann::json;

StatusOr<QueueUrl> ParseQueueUrl(const std::string& url) {
  const std::string scheme = "redis://";
  const std::string usage = " (expected redis://HOST:PORT/NAME)";
  if (url.rfind(scheme, 0) != 0) return InvalidArgument("queue URL '" + url + "' must start with redis://" + usage);
  const std::string rest = url.substr(scheme.size());
  const size_t slash = rest.find('/');
  if (slash == std::string::npos || slash + 1 >= rest.size()) {
    return InvalidArgument("queue URL '" + url + "' has no queue NAME" + usage);
  }
  QueueUrl q;
  q.name = rest.substr(slash + 1);
  if (q.name.find_first_of("/ \t") != std::string::npos) {
    return InvalidArgument("queue URL '" + url + "': NAME must not contain '/' or spaces");
  }
  const std::string hostport = rest.substr(0, slash);
  const size_t colon = hostport.rfind(':');
  q.host = hostport.substr(0, colon);
  if (colon != std::string::npos) {
    const std::string port = hostport.substr(colon + 1);
    char* end = nullptr;
    const long p = std::strtol(port.c_str(), &end, 10);
    if (port.empty() || *end != '\0' || p < 1 || p > 65535) {
      return InvalidArgument("queue URL '" + url + "': bad port '" + port + "'");
    }
    q.port = static_cast<int>(p);
  }
  if (q.host.empty()) return InvalidArgument("queue URL '" + url + "' has no host" + usage);
  return q;
}

std::string WorkItem::Key() const {
  if (whole_document()) return id + ":all";
  return id + ":" + std::to_string(first + 1) + "-" + std::to_string(last + 1);
}

namespace {
json OptionsJson(const ItemOptions& o) {
  return {{"engine", o.engine}, {"auto_ocr", o.auto_ocr}, {"lang", o.lang}, {"dpi", o.dpi}, {"max_dim", o.max_dim},
          {"formats", o.formats}, {"pages_per_range", o.pages_per_range}, {"max_pages", o.max_pages}};
}
}  // namespace

std::string OptionsKey(const ItemOptions& options) { return OptionsJson(options).dump(); }

std::string WorkItem::ToJson() const {
  json j = {{"v", 1},         {"path", path},   {"relative", relative}, {"id", id},
            {"first", first}, {"last", last},   {"pages", pages},       {"options", OptionsJson(options)}};
  return j.dump(-1, ' ', false, json::error_handler_t::replace);
}

StatusOr<WorkItem> WorkItem::FromJson(const std::string& text) {
  json j = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object()) return Corrupt("work item is not JSON: " + text.substr(0, 200));
  if (j.value("v", 0) != 1) return Unsupported("work item version " + j.value("v", json()).dump());
  WorkItem item;
  try {
    item.path = j.at("path").get<std::string>();
    item.relative = j.value("relative", "");
    item.id = j.at("id").get<std::string>();
    item.first = j.at("first").get<int>();
    item.last = j.at("last").get<int>();
    item.pages = j.value("pages", 0);
    const json& o = j.at("options");
    item.options.engine = o.at("engine").get<std::string>();
    item.options.auto_ocr = o.value("auto_ocr", "tesseract");
    item.options.lang = o.at("lang").get<std::string>();
    item.options.dpi = o.at("dpi").get<int>();
    item.options.max_dim = o.at("max_dim").get<int>();
    item.options.formats = o.at("formats").get<std::string>();
    item.options.pages_per_range = o.at("pages_per_range").get<int>();
    item.options.max_pages = o.value("max_pages", 0);
  } catch (const json::exception& e) {
    return Corrupt(std::string("work item: ") + e.what());
  }
  if (item.path.empty() || item.id.empty() || item.first < 0 || item.options.pages_per_range < 1) {
    return Corrupt("work item: missing path/id or bad range: " + text.substr(0, 200));
  }
  return item;
}

Status ApplyItemOptions(const ItemOptions& options, RunOptions* run) {
  if (!IsKnownEngine(options.engine)) return InvalidArgument("unknown engine '" + options.engine + "'");
  run->engine.kind = options.engine;
  run->engine.auto_ocr = options.auto_ocr;
  run->engine.lang = options.lang;
  run->render.dpi = options.dpi;
  run->render.max_dim = options.max_dim;
  PF_ASSIGN_OR_RETURN(run->formats, ParseFormats(options.formats));
  run->pages_per_range = options.pages_per_range;
  run->max_pages = options.max_pages;
  return Status::Ok();
}

}  // namespace pageflow
