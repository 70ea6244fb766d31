#include "layout/ocr_lines.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <utility>

#include "layout/reading_order.h"

namespace pageflow {
namespace {

// The words of a recognized box, each given the share of the box's width its characters
// take (the recognizer reads a box as one string: word boxes are estimated, not seen),
// with the box's score as confidence. Gaps between boxes stay gaps (table columns).
void AddWordsOf(const RecognizedBox& c, TextLine* line) {
  const std::string& text = c.text;
  std::vector<std::pair<size_t, size_t>> tokens;  // [begin, end) byte ranges
  size_t chars = 0;
  for (size_t i = 0; i < text.size();) {
    while (i < text.size() && text[i] == ' ') ++i;
    const size_t b = i;
    while (i < text.size() && text[i] != ' ') ++i;
    if (i > b) tokens.emplace_back(b, i);
  }
  auto code_points = [&](size_t b, size_t e) {
    size_t n = 0;
    for (size_t k = b; k < e; ++k)
      n += (static_cast<unsigned char>(text[k]) & 0xC0) != 0x80;
    return n;
  };
  for (const auto& [b, e] : tokens) chars += code_points(b, e) + 1;
  if (chars <= 1) return;
  const double per_char = (c.x1 - c.x0) / double(chars - 1);
  double x = c.x0;
  for (const auto& [b, e] : tokens) {
    const double width = per_char * double(code_points(b, e));
    TextWord w;
    w.text = text.substr(b, e - b);
    w.box = {static_cast<int>(x), static_cast<int>(c.y0),
             static_cast<int>(std::ceil(x + width)), static_cast<int>(std::ceil(c.y1))};
    w.confidence = c.score;
    line->words.push_back(std::move(w));
    x += width + per_char;
  }
}

// Joins the boxes of one piece into text lines: rows top to bottom (boxes sharing most
// of their height), boxes left to right within a row. A gap of more than a line height
// starts a new paragraph (block_start).
void AppendRows(std::vector<const RecognizedBox*> items, int block_id,
                std::vector<TextLine>* lines) {
  std::sort(items.begin(), items.end(),
            [](const RecognizedBox* a, const RecognizedBox* b) { return a->y0 < b->y0; });
  std::vector<std::vector<const RecognizedBox*>> rows;
  std::vector<std::pair<float, float>> spans;  // each row's y extent
  for (const RecognizedBox* c : items) {
    bool placed = false;
    for (size_t r = rows.size(); r-- > 0 && !placed;) {
      const float overlap =
          std::min(c->y1, spans[r].second) - std::max(c->y0, spans[r].first);
      if (overlap > 0.5f * std::min(c->y1 - c->y0, spans[r].second - spans[r].first)) {
        rows[r].push_back(c);
        spans[r] = {std::min(spans[r].first, c->y0), std::max(spans[r].second, c->y1)};
        placed = true;
      }
      if (r + 3 < rows.size()) break;  // only recent rows can still overlap
    }
    if (!placed) {
      rows.push_back({c});
      spans.emplace_back(c->y0, c->y1);
    }
  }
  std::vector<size_t> order(rows.size());
  std::iota(order.begin(), order.end(), 0);
  std::sort(order.begin(), order.end(),
            [&](size_t a, size_t b) { return spans[a].first < spans[b].first; });
  float previous_bottom = -1, previous_height = 0;
  for (size_t r : order) {
    auto& row = rows[r];
    std::sort(row.begin(), row.end(), [](const RecognizedBox* a, const RecognizedBox* b) {
      return a->x0 < b->x0;
    });
    TextLine line;
    double weighted = 0, chars = 0;
    line.box = {static_cast<int>(row.front()->x0), static_cast<int>(spans[r].first), 0,
                static_cast<int>(std::ceil(spans[r].second))};
    for (const RecognizedBox* c : row) {
      if (!line.text.empty()) line.text += ' ';
      line.text += c->text;
      AddWordsOf(*c, &line);
      line.box.x1 = std::max(line.box.x1, static_cast<int>(std::ceil(c->x1)));
      weighted += double{c->score} * c->text.size();
      chars += c->text.size();
    }
    line.confidence = chars > 0 ? static_cast<float>(weighted / chars) : 0.0f;
    line.block_id = block_id;
    const float height = spans[r].second - spans[r].first;
    line.block_start = previous_bottom < 0 || spans[r].first - previous_bottom >
                                                  std::max(height, previous_height);
    previous_bottom = spans[r].second;
    previous_height = height;
    lines->push_back(std::move(line));
  }
}

int Words(const std::string& text) {
  int n = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    n += text[i] != ' ' && (i == 0 || text[i - 1] == ' ');
  }
  return n;
}

}  // namespace

std::vector<TextLine> LinesFromBoxes(std::vector<RecognizedBox> boxes) {
  std::vector<OrderItem> items;
  items.reserve(boxes.size());
  for (const RecognizedBox& b : boxes) {
    OrderItem item;
    item.box = {static_cast<int>(std::floor(b.x0)), static_cast<int>(std::floor(b.y0)),
                static_cast<int>(std::ceil(b.x1)), static_cast<int>(std::ceil(b.y1))};
    item.word_count = std::max(1, Words(b.text));
    items.push_back(item);
  }
  std::vector<TextLine> lines;
  int block_id = 0;
  for (const std::vector<size_t>& group : ReadingOrderGroups(items)) {
    std::vector<const RecognizedBox*> piece;
    for (size_t i : group) piece.push_back(&boxes[i]);
    AppendRows(std::move(piece), block_id++, &lines);
  }
  return lines;
}

}  // namespace pageflow
