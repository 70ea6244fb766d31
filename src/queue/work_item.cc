#include "queue/work_item.h"

#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <optional>

#include "pipeline/page_selection.h"

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
          {"formats", o.formats}, {"pages_per_range", o.pages_per_range}, {"max_pages", o.max_pages},
          {"layout", o.layout}};
}

// Items of earlier versions have no "boxes" or "pages": each is written only when set,
// so their options key stays the same.
json OptionsJsonWithBoxes(const ItemOptions& o) {
  json j = OptionsJson(o);
  if (o.boxes) j["boxes"] = true;
  if (!o.pages.empty()) j["pages"] = o.pages;
  return j;
}
}  // namespace

std::string OptionsKey(const ItemOptions& options) {
  return OptionsJsonWithBoxes(options).dump();
}

std::string WorkItem::ToJson() const {
  json j = {{"v", 1},
            {"path", path},
            {"relative", relative},
            {"id", id},
            {"first", first},
            {"last", last},
            {"pages", pages},
            {"options", OptionsJsonWithBoxes(options)}};
  return j.dump(-1, ' ', false, json::error_handler_t::replace);
}

namespace {

// Reads j[key] as an integer in [min, max] (default `def` when absent and `def` is set).
// Any other type, a fraction or an out-of-range value is an error naming the field.
Status GetInt(const json& j, const char* key, int64_t min, int64_t max,
              std::optional<int> def, int* out) {
  auto it = j.find(key);
  if (it == j.end()) {
    if (!def) return Corrupt(std::string("work item: missing \"") + key + "\"");
    *out = *def;
    return Status::Ok();
  }
  if (!it->is_number_integer()) {
    return Corrupt(std::string("work item: \"") + key + "\" must be an integer, not " +
                   it->dump().substr(0, 40));
  }
  const bool too_big =
      it->is_number_unsigned() && it->get<uint64_t>() > static_cast<uint64_t>(max);
  const int64_t v = too_big ? max : it->get<int64_t>();
  if (too_big || v < min || v > max) {
    return InvalidArgument(std::string("work item: \"") + key + "\" is " + it->dump() +
                           ", outside " + std::to_string(min) + ".." +
                           std::to_string(max));
  }
  *out = static_cast<int>(v);
  return Status::Ok();
}

Status GetString(const json& j, const char* key, std::optional<std::string> def,
                 std::string* out) {
  auto it = j.find(key);
  if (it == j.end()) {
    if (!def) return Corrupt(std::string("work item: missing \"") + key + "\"");
    *out = *def;
    return Status::Ok();
  }
  if (!it->is_string()) {
    return Corrupt(std::string("work item: \"") + key + "\" must be a string, not " +
                   it->dump().substr(0, 40));
  }
  *out = it->get<std::string>();
  return Status::Ok();
}

// Same bounds as the command line's flags (`pageflow enqueue --help`), a little wider.
constexpr int64_t kMinDpi = 10, kMaxDpi = 2400;
constexpr int64_t kMinMaxDim = 16, kMaxMaxDim = 100000;
// Pages of one document: far beyond any real one.
constexpr int64_t kMaxPages = 100000000;

}  // namespace

StatusOr<WorkItem> WorkItem::FromJson(const std::string& text) {
  // No exceptions: every field's type and range is checked, so a damaged message is an
  // error (and dead-lettered by the worker) rather than a throw out of Claim.
  json j = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object()) return Corrupt("work item is not JSON: " + text.substr(0, 200));
  auto v = j.find("v");
  if (v == j.end() || !v->is_number_integer() || v->get<int64_t>() != 1) {
    return Unsupported("work item version " +
                       (v == j.end() ? std::string("(none)") : v->dump().substr(0, 40)) +
                       " (this worker reads version 1)");
  }
  WorkItem item;
  PF_RETURN_IF_ERROR(GetString(j, "path", std::nullopt, &item.path));
  PF_RETURN_IF_ERROR(GetString(j, "relative", std::string(), &item.relative));
  PF_RETURN_IF_ERROR(GetString(j, "id", std::nullopt, &item.id));
  PF_RETURN_IF_ERROR(GetInt(j, "first", 0, kMaxPages, std::nullopt, &item.first));
  PF_RETURN_IF_ERROR(GetInt(j, "last", -1, kMaxPages, std::nullopt, &item.last));
  PF_RETURN_IF_ERROR(GetInt(j, "pages", 0, kMaxPages, 0, &item.pages));
  auto o = j.find("options");
  if (o == j.end() || !o->is_object()) {
    return Corrupt("work item: \"options\" must be an object");
  }
  ItemOptions& opt = item.options;
  PF_RETURN_IF_ERROR(GetString(*o, "engine", std::nullopt, &opt.engine));
  PF_RETURN_IF_ERROR(GetString(*o, "auto_ocr", std::string("tesseract"), &opt.auto_ocr));
  PF_RETURN_IF_ERROR(GetString(*o, "lang", std::nullopt, &opt.lang));
  PF_RETURN_IF_ERROR(GetInt(*o, "dpi", kMinDpi, kMaxDpi, std::nullopt, &opt.dpi));
  PF_RETURN_IF_ERROR(
      GetInt(*o, "max_dim", kMinMaxDim, kMaxMaxDim, std::nullopt, &opt.max_dim));
  PF_RETURN_IF_ERROR(GetString(*o, "formats", std::nullopt, &opt.formats));
  PF_RETURN_IF_ERROR(
      GetInt(*o, "pages_per_range", 1, kMaxPages, std::nullopt, &opt.pages_per_range));
  PF_RETURN_IF_ERROR(GetInt(*o, "max_pages", 0, kMaxPages, 0, &opt.max_pages));
  PF_RETURN_IF_ERROR(GetString(*o, "layout", std::string("auto"), &opt.layout));
  if (o->contains("boxes")) {
    if (!o->at("boxes").is_boolean())
      return Corrupt("work item: \"boxes\" must be true or false");
    opt.boxes = o->at("boxes").get<bool>();
  }
  PF_RETURN_IF_ERROR(GetString(*o, "pages", std::string(), &opt.pages));
  if (StatusOr<std::vector<PageRange>> sel = ParsePageSelection(opt.pages); !sel.ok()) {
    return InvalidArgument("work item: pages: " + sel.status().message());
  }
  bool layout = true;
  if (!ParseLayoutMode(opt.layout, &layout)) {
    return InvalidArgument("work item: layout '" + opt.layout.substr(0, 40) +
                           "' is neither auto nor none");
  }

  if (item.path.empty() || item.path[0] != '/') {
    return InvalidArgument("work item: path '" + item.path.substr(0, 200) +
                           "' is not absolute");
  }
  if (item.id.empty()) return Corrupt("work item: empty id");
  if (item.last >= 0 && item.last < item.first) {
    return InvalidArgument("work item: range " + std::to_string(item.first) + "-" +
                           std::to_string(item.last) + " ends before it starts");
  }
  if (!item.relative.empty()) {
    // Names the md/txt mirror under --out: must stay below it.
    const std::filesystem::path rel =
        std::filesystem::path(item.relative).lexically_normal();
    const std::string first = rel.empty() ? std::string() : rel.begin()->string();
    if (rel.is_absolute() || first == ".." || !rel.has_filename()) {
      return InvalidArgument("work item: relative path '" + item.relative.substr(0, 200) +
                             "' leaves the output directory");
    }
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
  run->formats.boxes = options.boxes;
  run->pages_per_range = options.pages_per_range;
  run->max_pages = options.max_pages;
  PF_ASSIGN_OR_RETURN(run->page_selection, ParsePageSelection(options.pages));
  if (!ParseLayoutMode(options.layout, &run->layout)) {
    return InvalidArgument("unknown layout '" + options.layout + "' (use auto or none)");
  }
  return Status::Ok();
}

}  // namespace pageflow
