#include "output/page_boxes.h"

#include <algorithm>
#include <cmath>
#include <nlohmann/json.hpp>
#include <stdexcept>

#include "layout/page_model.h"

namespace pageflow {
namespace {

using nlohmann::json;

Box Union(const Box& a, const Box& b) {
  if (a.width() <= 0 && a.height() <= 0) return b;
  if (b.width() <= 0 && b.height() <= 0) return a;
  return {std::min(a.x0, b.x0), std::min(a.y0, b.y0), std::max(a.x1, b.x1),
          std::max(a.y1, b.y1)};
}

bool HasBox(const Box& b) { return b.x1 > b.x0 || b.y1 > b.y0; }

// A line's words; a line given without them (ppocr, or a line the layout stage joined
// from text only) becomes one word spanning the line, so no text is lost.
PageBoxes::Line LineBoxes(const TextLine& l) {
  PageBoxes::Line out;
  out.box = l.box;
  out.baseline = l.baseline;
  out.confidence = l.confidence;
  for (const TextWord& w : l.words) {
    if (w.text.empty()) continue;
    out.words.push_back({w.text, w.box, w.confidence});
    if (!HasBox(l.box)) out.box = Union(out.box, w.box);
  }
  if (out.words.empty() && !l.text.empty())
    out.words.push_back({l.text, l.box, l.confidence});
  return out;
}

void AddBlock(std::string kind, const Box& box, float confidence,
              const std::vector<TextLine>& lines, PageBoxes* out) {
  PageBoxes::Block b;
  b.kind = std::move(kind);
  b.box = box;
  b.confidence = confidence;
  for (const TextLine& l : lines) {
    PageBoxes::Line line = LineBoxes(l);
    if (line.words.empty() || !HasBox(line.box)) continue;
    if (!HasBox(box)) b.box = Union(b.box, line.box);
    b.lines.push_back(std::move(line));
  }
  if (!b.lines.empty()) out->blocks.push_back(std::move(b));
}

double Rounded(float confidence) { return std::round(confidence * 1000.0) / 1000.0; }

json BoxJson(const Box& b) { return json::array({b.x0, b.y0, b.x1, b.y1}); }

Box BoxFrom(const json& j) {
  if (!j.is_array() || j.size() != 4)
    throw std::invalid_argument("a box is not [x0, y0, x1, y1]");
  return {j[0].get<int>(), j[1].get<int>(), j[2].get<int>(), j[3].get<int>()};
}

}  // namespace

PageBoxes BoxesFromModel(const PageModel& model, int dpi) {
  PageBoxes out;
  out.width = model.page_width;
  out.height = model.page_height;
  out.unit = model.unit;
  out.dpi = model.unit == Unit::kPoints ? 72 : dpi;
  for (const Block& b : model.furniture) {
    if (b.kind == BlockKind::kHeader)
      AddBlock(BlockKindName(b.kind), b.box, b.confidence, b.lines, &out);
  }
  for (const Block& b : model.blocks)
    AddBlock(BlockKindName(b.kind), b.box, b.confidence, b.lines, &out);
  for (const Block& b : model.furniture) {
    if (b.kind != BlockKind::kHeader)
      AddBlock(BlockKindName(b.kind), b.box, b.confidence, b.lines, &out);
  }
  return out;
}

PageBoxes BoxesFromLines(const std::vector<TextLine>& lines, int width, int height,
                         Unit unit, int dpi) {
  PageBoxes out;
  out.width = width;
  out.height = height;
  out.unit = unit;
  out.dpi = unit == Unit::kPoints ? 72 : dpi;
  size_t begin = 0;
  for (size_t i = 1; i <= lines.size(); ++i) {
    if (i < lines.size() && !lines[i].block_start &&
        (lines[i].block_id < 0 || lines[i].block_id == lines[begin].block_id)) {
      continue;
    }
    const std::vector<TextLine> block(lines.begin() + long(begin),
                                      lines.begin() + long(i));
    float confidence = 0;
    for (const TextLine& l : block) confidence += l.confidence;
    AddBlock("block", Box{}, block.empty() ? 1.0f : confidence / float(block.size()),
             block, &out);
    begin = i;
  }
  return out;
}

json PageBoxesToJson(const PageBoxes& p) {
  json blocks = json::array();
  for (const PageBoxes::Block& b : p.blocks) {
    json lines = json::array();
    for (const PageBoxes::Line& l : b.lines) {
      json words = json::array();
      for (const PageBoxes::Word& w : l.words) {
        words.push_back({{"text", w.text},
                         {"box", BoxJson(w.box)},
                         {"confidence", Rounded(w.confidence)}});
      }
      lines.push_back({{"box", BoxJson(l.box)},
                       {"baseline", l.baseline},
                       {"confidence", Rounded(l.confidence)},
                       {"words", std::move(words)}});
    }
    blocks.push_back({{"kind", b.kind},
                      {"box", BoxJson(b.box)},
                      {"confidence", Rounded(b.confidence)},
                      {"lines", std::move(lines)}});
  }
  return {{"unit", p.unit == Unit::kPoints ? "pt" : "px"},
          {"dpi", p.dpi},
          {"width", p.width},
          {"height", p.height},
          {"blocks", std::move(blocks)}};
}

StatusOr<PageBoxes> PageBoxesFromJson(const json& j) {
  if (!j.is_object()) return Corrupt("page boxes are not a JSON object");
  PageBoxes p;
  try {
    const std::string unit = j.at("unit").get<std::string>();
    if (unit != "pt" && unit != "px")
      return Corrupt("page boxes: unknown unit '" + unit + "'");
    p.unit = unit == "pt" ? Unit::kPoints : Unit::kPixels;
    p.dpi = j.value("dpi", 0);
    p.width = j.at("width").get<int>();
    p.height = j.at("height").get<int>();
    for (const json& b : j.at("blocks")) {
      PageBoxes::Block block;
      block.kind = b.at("kind").get<std::string>();
      block.box = BoxFrom(b.at("box"));
      block.confidence = b.value("confidence", 1.0f);
      for (const json& l : b.at("lines")) {
        PageBoxes::Line line;
        line.box = BoxFrom(l.at("box"));
        line.baseline = l.value("baseline", -1);
        line.confidence = l.value("confidence", 1.0f);
        for (const json& w : l.at("words")) {
          line.words.push_back({w.at("text").get<std::string>(), BoxFrom(w.at("box")),
                                w.value("confidence", 1.0f)});
        }
        block.lines.push_back(std::move(line));
      }
      p.blocks.push_back(std::move(block));
    }
  } catch (const std::exception& e) {  // json's type errors, and a malformed box
    return Corrupt(std::string("damaged page boxes: ") + e.what());
  }
  return p;
}

int64_t PageBoxesBytes(const PageBoxes& p) {
  int64_t bytes = sizeof(PageBoxes);
  for (const PageBoxes::Block& b : p.blocks) {
    bytes += sizeof(b) + static_cast<int64_t>(b.kind.capacity());
    for (const PageBoxes::Line& l : b.lines) {
      bytes += sizeof(l);
      for (const PageBoxes::Word& w : l.words)
        bytes += sizeof(w) + static_cast<int64_t>(w.text.capacity());
    }
  }
  return bytes;
}

}  // namespace pageflow
