#include "layout/margins.h"

#include <algorithm>
#include <cmath>

#include "layout/furniture.h"
#include "layout/geometry.h"

namespace pageflow {
namespace {

// The band, as a share of the page's height, margin lines lie in: a little wider than
// the layout stage's own (LayoutOptions::margin_band) since these are set apart by their
// place in the finished model, not by the band alone.
constexpr float kMarginBand = 0.08f;
// Where a page number by form may stand, from the page's edge.
constexpr float kPageNumberBand = 0.25f;

// A line's type size: its font size where the source knows it, else its height.
float SizeOf(const TextLine& l) {
  return l.font_size > 0 ? l.font_size : float(l.box.height());
}

bool OneLine(const Block& b) {
  return (b.kind == BlockKind::kParagraph || b.kind == BlockKind::kHeading) &&
         b.lines.size() == 1 && b.box.x1 > b.box.x0 && b.text.size() <= 200;
}

float CentreShare(const Box& box, int page_height) {
  return 0.5f * float(box.y0 + box.y1) / float(std::max(1, page_height));
}

}  // namespace

std::vector<MarginLine> SetMarginsApart(PageModel& model, size_t max_margins) {
  const size_t n = model.blocks.size();
  const int h = model.page_height;
  if (n == 0 || h <= 0 || model.page_width <= 0) return {};
  enum Place { kBody, kTop, kBottom };
  std::vector<Place> place(n, kBody);
  for (size_t i = 0; i < n; ++i) {
    const Block& b = model.blocks[i];
    if (!OneLine(b)) continue;
    const float c = CentreShare(b.box, h);
    if (c < kMarginBand) place[i] = kTop;
    if (c > 1.0f - kMarginBand) place[i] = kBottom;
  }
  // A margin line has none of the body beyond it; dropping one can expose another, so
  // until nothing changes.
  for (bool changed = true; changed;) {
    changed = false;
    for (size_t i = 0; i < n; ++i) {
      if (place[i] == kBody) continue;
      const Box& b = model.blocks[i].box;
      for (size_t j = 0; j < n; ++j) {
        if (place[j] != kBody) continue;
        const Box& o = model.blocks[j].box;
        if (place[i] == kTop ? o.y0 < b.y1 - 1 : o.y1 > b.y0 + 1) {
          place[i] = kBody;
          changed = true;
          break;
        }
      }
    }
  }
  // At most `max_margins`, the nearest the edges first.
  std::vector<size_t> margin;
  for (size_t i = 0; i < n; ++i)
    if (place[i] != kBody) margin.push_back(i);
  auto edge_distance = [&](size_t i) {
    const Box& b = model.blocks[i].box;
    return place[i] == kTop ? b.y0 : h - b.y1;
  };
  std::stable_sort(margin.begin(), margin.end(), [&](size_t a, size_t b) {
    return edge_distance(a) < edge_distance(b);
  });
  for (size_t k = max_margins; k < margin.size(); ++k) place[margin[k]] = kBody;
  if (margin.size() > max_margins) margin.resize(max_margins);

  // What the body is: its type size, its extent and its left edges.
  std::vector<float> sizes;
  std::vector<int> lefts;
  int body_top = h, body_bottom = 0;
  for (size_t i = 0; i < n; ++i) {
    if (place[i] != kBody) continue;
    const Block& b = model.blocks[i];
    for (const TextLine& l : b.lines) {
      sizes.push_back(SizeOf(l));
      lefts.push_back(l.box.x0);
    }
    body_top = std::min(body_top, b.box.y0);
    body_bottom = std::max(body_bottom, b.box.y1);
  }
  const bool has_body = !sizes.empty();
  const float body_size = has_body ? Median(std::move(sizes)) : 0;
  const int align = std::max(2, model.page_width / 100);  // 1% of the width

  std::vector<bool> is_furniture(n, false);
  auto set_apart = [&](size_t i, BlockKind kind) {
    is_furniture[i] = true;
    Block f = model.blocks[i];
    f.kind = kind;
    model.furniture.push_back(std::move(f));
  };
  std::vector<MarginLine> undecided;
  for (size_t i : margin) {
    const Block& b = model.blocks[i];
    const bool bottom = place[i] == kBottom;
    const bool paragraph = b.kind == BlockKind::kParagraph && has_body;
    const bool body_sized = paragraph && SizeOf(b.lines[0]) <= 1.05f * body_size;
    const int gap = bottom ? b.box.y0 - body_bottom : body_top - b.box.y1;
    const bool alone = body_sized && gap >= 1.5f * float(b.box.height());
    const bool aligned = std::any_of(lefts.begin(), lefts.end(), [&](int x) {
      return std::abs(x - b.box.x0) <= align;
    });
    // Running titles are often set a point larger than the text (not as headings).
    const bool running_title = paragraph && SizeOf(b.lines[0]) <= 1.2f * body_size &&
                               !aligned && b.box.width() < model.page_width * 2 / 5;
    if (alone || running_title) {
      set_apart(i, IsPageNumber(b.text) ? BlockKind::kPageNumber
                   : bottom             ? BlockKind::kFooter
                                        : BlockKind::kHeader);
      continue;
    }
    is_furniture[i] = true;  // out of the body either way
    undecided.push_back({bottom, int(1000.0f * CentreShare(b.box, h)), b});
  }
  // A page number by form past the band: the lowest (highest) line of the page, alone on
  // its row, in the bottom (top) quarter.
  for (const bool bottom : {true, false}) {
    size_t pick = n;
    for (size_t i = 0; i < n; ++i) {
      if (is_furniture[i]) continue;
      if (pick == n || (bottom ? model.blocks[i].box.y1 > model.blocks[pick].box.y1
                               : model.blocks[i].box.y0 < model.blocks[pick].box.y0)) {
        pick = i;
      }
    }
    if (pick == n) break;
    const Block& b = model.blocks[pick];
    const float c = CentreShare(b.box, h);
    if (!OneLine(b) || !IsPageNumber(b.text) ||
        (bottom ? c < 1.0f - kPageNumberBand : c > kPageNumberBand)) {
      continue;
    }
    bool alone_on_row = true;
    for (size_t j = 0; j < n && alone_on_row; ++j) {
      alone_on_row = j == pick || is_furniture[j] ||
                     VerticalOverlap(b.box, model.blocks[j].box) <= 0;
    }
    if (alone_on_row) set_apart(pick, BlockKind::kPageNumber);
  }
  std::vector<Block> body;
  body.reserve(n);
  for (size_t i = 0; i < n; ++i) {
    if (!is_furniture[i]) body.push_back(std::move(model.blocks[i]));
  }
  model.blocks = std::move(body);
  std::stable_sort(model.furniture.begin(), model.furniture.end(),
                   [](const Block& a, const Block& b) { return a.box.y0 < b.box.y0; });
  std::stable_sort(
      undecided.begin(), undecided.end(), [](const MarginLine& a, const MarginLine& b) {
        return a.bottom != b.bottom ? !a.bottom : a.y_permille < b.y_permille;
      });
  return undecided;
}

}  // namespace pageflow
