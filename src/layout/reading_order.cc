#include "layout/reading_order.h"

#include <algorithm>
#include <cstdlib>

#include "layout/geometry.h"

namespace pageflow {
namespace {

using Indices = std::vector<size_t>;

class XyCut {
 public:
  explicit XyCut(const std::vector<OrderItem>& items) : items_(items) {
    std::vector<float> heights;
    for (const OrderItem& item : items) {
      heights.push_back(float(item.box.height()) / float(std::max(1, item.lines)));
    }
    line_height_ = std::max(1.0f, Median(std::move(heights)));
  }

  void Cut(Indices idx, std::vector<Indices>* groups) const {
    if (idx.size() < 2) {
      if (!idx.empty()) groups->push_back(std::move(idx));
      return;
    }
    Box region = items_[idx[0]].box;
    for (size_t i : idx) region = Union(region, items_[i].box);

    Indices left, right;
    if (VerticalCut(idx, region, &left, &right)) {
      Cut(std::move(left), groups);
      Cut(std::move(right), groups);
      return;
    }
    std::vector<Indices> bands;
    if (CutAtFullWidth(idx, region, &bands) || HorizontalCut(idx, &bands)) {
      for (Indices& band : bands) Cut(std::move(band), groups);
      return;
    }
    SortTopDown(&idx);
    groups->push_back(std::move(idx));
  }

 private:
  // Whether items [begin, end) of `idx` look like a column of running text (`one`), or
  // like running text in one or more columns (the side right of a first gutter: the
  // recursion cuts it further).
  bool IsTextColumn(const Indices& idx, size_t begin, size_t end, const Box& region,
                    bool one = true) const {
    Box side = items_[idx[begin]].box;
    std::vector<float> widths, words;
    int lines = 0;
    for (size_t k = begin; k < end; ++k) {
      const OrderItem& item = items_[idx[k]];
      side = Union(side, item.box);
      widths.push_back(float(item.box.width()));
      words.push_back(float(item.word_count));
      lines += item.lines;
    }
    // Lines stacked, not side by side: the boxes of one skewed row of a scan (a fax
    // header: date, time, sender, page) have gaps between them but are no columns.
    return lines >= 2 && side.height() >= kStackedLines * line_height_ &&
           side.width() >= 0.2f * region.width() &&
           (!one || Median(std::move(widths)) >= 0.5f * side.width()) &&
           Median(std::move(words)) >= 3;
  }

  bool VerticalCut(Indices idx, const Box& region, Indices* left, Indices* right) const {
    std::sort(idx.begin(), idx.end(),
              [this](size_t a, size_t b) { return items_[a].box.x0 < items_[b].box.x0; });
    int reach = items_[idx[0]].box.x1;
    for (size_t i = 1; i < idx.size(); ++i) {
      const int gap = items_[idx[i]].box.x0 - reach;
      // Gutters of papers set in 9-10 pt are 10-12 pt wide: under a line's height.
      if (gap > 0.6f * line_height_ && IsTextColumn(idx, 0, i, region) &&
          IsTextColumn(idx, i, idx.size(), region, /*one=*/false)) {
        left->assign(idx.begin(), idx.begin() + long(i));
        right->assign(idx.begin() + long(i), idx.end());
        return true;
      }
      reach = std::max(reach, items_[idx[i]].box.x1);
    }
    return false;
  }

  // A column's lines reach at least this many line heights down the page: two lines.
  static constexpr float kStackedLines = 1.5f;

  // Items at least this share of the region wide span its columns (titles, figures,
  // footnotes under both columns); a column is under half the width.
  static constexpr float kWideShare = 0.5f;

  bool CutAtFullWidth(const Indices& idx, const Box& region,
                      std::vector<Indices>* bands) const {
    Indices narrow, wide;
    for (size_t i : idx) {
      (items_[i].box.width() >= kWideShare * region.width() ? wide : narrow).push_back(i);
    }
    Indices left, right;
    if (wide.empty() || narrow.size() < 4 ||
        !VerticalCut(narrow, region, &left, &right)) {
      return false;
    }
    Indices sorted = idx;
    std::sort(sorted.begin(), sorted.end(), [this](size_t a, size_t b) {
      return Center(items_[a].box) < Center(items_[b].box);
    });
    Indices band;
    for (size_t i : sorted) {
      if (items_[i].box.width() >= kWideShare * region.width()) {
        if (!band.empty()) bands->push_back(std::move(band));
        band.clear();
        bands->push_back({i});
      } else {
        band.push_back(i);
      }
    }
    if (!band.empty()) bands->push_back(std::move(band));
    return bands->size() > 1;
  }

  bool HorizontalCut(Indices idx, std::vector<Indices>* bands) const {
    SortByTop(&idx);
    int bottom = items_[idx[0]].box.y1;
    float widest = 0.75f * line_height_;
    size_t cut = 0;
    for (size_t i = 1; i < idx.size(); ++i) {
      const int gap = items_[idx[i]].box.y0 - bottom;
      if (gap >= widest) {
        widest = float(gap);
        cut = i;
      }
      bottom = std::max(bottom, items_[idx[i]].box.y1);
    }
    if (cut == 0) return false;
    bands->emplace_back(idx.begin(), idx.begin() + long(cut));
    bands->emplace_back(idx.begin() + long(cut), idx.end());
    return true;
  }

  static int Center(const Box& b) { return (b.y0 + b.y1) / 2; }

  void SortByTop(Indices* idx) const {
    std::sort(idx->begin(), idx->end(),
              [this](size_t a, size_t b) { return items_[a].box.y0 < items_[b].box.y0; });
  }

  // Top to bottom; items on one row (overlapping by half the smaller height) left to
  // right.
  void SortTopDown(Indices* idx) const {
    std::stable_sort(idx->begin(), idx->end(), [this](size_t a, size_t b) {
      const Box& p = items_[a].box;
      const Box& q = items_[b].box;
      if (VerticalOverlap(p, q) > 0.5f * std::min(p.height(), q.height()))
        return p.x0 < q.x0;
      return Center(p) < Center(q);
    });
  }

  const std::vector<OrderItem>& items_;
  float line_height_ = 1.0f;
};

// Two lines of running text far apart on one baseline are two columns, not a label and
// its value: a label or a value is short.
bool AcrossAGutter(const LayoutLine& a, const LayoutLine& b, int height) {
  const int gap = std::max(b.box.x0 - a.box.x1, a.box.x0 - b.box.x1);
  constexpr size_t kLongLine = 24;  // characters: longer than most labels and values
  return gap > 1.5f * height && Utf8Length(a.text) >= kLongLine &&
         Utf8Length(b.text) >= kLongLine;
}

bool SameBaseline(const LayoutLine& a, const LayoutLine& b) {
  const int min_height = std::min(a.box.height(), b.box.height());
  const int max_height = std::max(a.box.height(), b.box.height());
  // Comparable heights: a label and its value, not a body line and a rotated margin note.
  return max_height <= 1.8f * min_height &&
         VerticalOverlap(a.box, b.box) >= 0.5f * min_height &&
         std::abs(a.baseline - b.baseline) <= 0.3f * max_height &&
         // Touching is not overlapping: boxes rounded outwards share an edge unit.
         HorizontalOverlap(a.box, b.box) <= std::max(1, min_height / 4) &&
         !AcrossAGutter(a, b, min_height);
}

}  // namespace

std::vector<std::vector<size_t>> ReadingOrderGroups(const std::vector<OrderItem>& items) {
  std::vector<Indices> groups;
  Indices all(items.size());
  for (size_t i = 0; i < items.size(); ++i) all[i] = i;
  XyCut(items).Cut(std::move(all), &groups);
  return groups;
}

std::vector<LayoutLine> MergeBaselineLines(std::vector<LayoutLine> lines) {
  std::sort(lines.begin(), lines.end(),
            [](const LayoutLine& a, const LayoutLine& b) { return a.box.x0 < b.box.x0; });
  std::vector<LayoutLine> rows;
  std::vector<bool> taken(lines.size(), false);
  for (size_t i = 0; i < lines.size(); ++i) {
    if (taken[i]) continue;
    LayoutLine row = std::move(lines[i]);
    // Left to right, so each joined part is to the right of what the row holds.
    for (size_t j = i + 1; j < lines.size(); ++j) {
      if (!taken[j] && SameBaseline(row, lines[j])) {
        AppendLine(&row, std::move(lines[j]));
        taken[j] = true;
      }
    }
    rows.push_back(std::move(row));
  }
  std::stable_sort(rows.begin(), rows.end(),
                   [](const LayoutLine& a, const LayoutLine& b) {
                     return a.box.y0 + a.box.y1 < b.box.y0 + b.box.y1;
                   });
  return rows;
}

}  // namespace pageflow
