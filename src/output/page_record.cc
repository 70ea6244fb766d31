#include "output/page_record.h"

#include <nlohmann/json.hpp>

#include "layout/markdown_reader.h"
#include "layout/writers.h"

namespace pageflow {

using nlohmann::json;

json PageRecordToJson(const PageRecord& p) {
  json j = {{"page", p.page},     {"text", p.text},
            {"engine", p.engine}, {"confidence", p.confidence},
            {"lines", p.lines},   {"seconds", p.seconds}};
  if (!p.note.empty()) j["note"] = p.note;
  if (!p.error.empty()) j["error"] = p.error;
  if (p.prompt_tokens > 0) j["prompt_tokens"] = p.prompt_tokens;
  if (p.completion_tokens > 0) j["completion_tokens"] = p.completion_tokens;
  if (!p.fallback.empty()) j["fallback"] = p.fallback;
  if (!p.attributes.empty()) j["attributes"] = p.attributes;
  if (p.markdown) j["format"] = "markdown";
  if (!p.furniture.empty()) {
    json f = json::array();
    for (const PageRecord::Furniture& x : p.furniture) f.push_back({{"kind", x.kind}, {"text", x.text}});
    j["furniture"] = std::move(f);
  }
  if (!p.margins.empty()) {
    json m = json::array();
    for (const PageRecord::Margin& x : p.margins) {
      m.push_back({{"at", x.bottom ? "bottom" : "top"}, {"y", x.y_permille}, {"text", x.text}});
    }
    j["margins"] = std::move(m);
  }
  if (p.boxes) j["boxes"] = PageBoxesToJson(*p.boxes);
  return j;
}

StatusOr<PageRecord> PageRecordFromJson(const json& j) {
  if (!j.is_object()) return Corrupt("a page record is not a JSON object");
  PageRecord p;
  try {
    p.page = j.value("page", 0);
    p.text = j.value("text", "");
    p.engine = j.value("engine", "");
    p.confidence = j.value("confidence", 0.0f);
    p.note = j.value("note", "");
    p.error = j.value("error", "");
    p.lines = j.value("lines", 0);
    p.seconds = j.value("seconds", 0.0);
    p.prompt_tokens = j.value("prompt_tokens", int64_t{0});
    p.completion_tokens = j.value("completion_tokens", int64_t{0});
    p.fallback = j.value("fallback", "");
    p.attributes = j.value("attributes", "");
    p.markdown = j.value("format", "") == "markdown";
    if (j.contains("furniture")) {
      const json& f = j.at("furniture");
      if (!f.is_array()) return Corrupt("damaged page record: furniture is not a list");
      for (const json& x : f) {
        if (p.furniture.size() >= PageRecord::kMaxFurniture) break;
        p.furniture.push_back({x.at("kind").get<std::string>(), x.at("text").get<std::string>()});
      }
    }
    if (j.contains("margins")) {
      const json& m = j.at("margins");
      if (!m.is_array()) return Corrupt("damaged page record: margins is not a list");
      for (const json& x : m) {
        if (p.margins.size() >= PageRecord::kMaxMargins) break;
        p.margins.push_back({x.at("at").get<std::string>() == "bottom", x.at("y").get<int>(),
                             x.at("text").get<std::string>()});
      }
    }
  } catch (const json::exception& e) {  // a field of the wrong type
    return Corrupt(std::string("damaged page record: ") + e.what());
  }
  if (j.contains("boxes")) {
    StatusOr<PageBoxes> boxes = PageBoxesFromJson(j.at("boxes"));
    if (!boxes.ok()) return boxes.status();
    p.boxes = std::move(*boxes);
  }
  if (p.page <= 0) return Corrupt("a page record without a page number");
  return p;
}

std::string PageRecordJson(const PageRecord& record) {
  json j = {{"type", "page"}};
  j.update(PageRecordToJson(record));
  return j.dump(-1, ' ', false, json::error_handler_t::replace);
}

StatusOr<PageRecord> ParsePageRecord(std::string_view line) {
  const json j = json::parse(line, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) return Corrupt("a page record is not valid JSON");
  return PageRecordFromJson(j);
}

std::string PageMarkdown(const PageRecord& p) {
  const std::string number = std::to_string(p.page);
  if (!p.error.empty()) return "<!-- page " + number + " failed: " + p.error + " -->\n\n";
  return "<!-- page " + number + " -->\n\n" + p.text + "\n\n";
}

namespace {

// `text` with the top margins before it and the bottom ones after, as paragraphs.
std::string JoinMargins(const std::string& text, const std::vector<PageRecord::Margin>& top,
                        const std::vector<PageRecord::Margin>& bottom) {
  std::string out;
  auto add = [&out](const std::string& piece) {
    if (piece.empty()) return;
    if (!out.empty()) out += "\n\n";
    out += piece;
  };
  for (const PageRecord::Margin& m : top) add(m.text);
  add(text);
  for (const PageRecord::Margin& m : bottom) add(m.text);
  return out;
}

}  // namespace

std::string TextWithMargins(const PageRecord& p) {
  return ResolveMargins(p, [](const PageRecord::Margin&) { return false; }).text;
}

PageRecord ResolveMargins(PageRecord p,
                          const std::function<bool(const PageRecord::Margin&)>& is_furniture) {
  if (p.margins.empty()) return p;
  std::vector<PageRecord::Margin> top, bottom;
  std::vector<PageRecord::Furniture> furniture;
  for (PageRecord::Margin& m : p.margins) {
    if (is_furniture(m)) {
      furniture.push_back({m.bottom ? "footer" : "header", std::move(m.text)});
    } else {
      (m.bottom ? bottom : top).push_back(std::move(m));
    }
  }
  p.text = JoinMargins(p.text, top, bottom);
  p.margins.clear();
  // The page's furniture in order from the top: the headers found here come first.
  size_t headers = 0;
  for (PageRecord::Furniture& f : furniture) {
    const bool header = f.kind == "header";
    if (p.furniture.size() >= PageRecord::kMaxFurniture) break;
    p.furniture.insert(header ? p.furniture.begin() + headers++ : p.furniture.end(), std::move(f));
  }
  return p;
}

std::string PagePlainText(const PageRecord& p, bool first) {
  std::string out = first ? "" : "\f";
  if (!p.error.empty()) return out;
  if (!p.markdown) return out + p.text + "\n";
  std::string plain = RenderPlainText(ParseMarkdown(p.text));
  if (plain.empty()) plain = "\n";
  return out + plain;
}

}  // namespace pageflow
