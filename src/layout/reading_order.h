// Reading order: a recursive XY-cut over a page's line (and table) boxes, and the
// joining of lines that share a baseline (a form's label and its value).
//
//   std::vector<std::vector<size_t>> groups = ReadingOrderGroups(items);
//   for (const auto& group : groups) ...  // column pieces, in reading order
//   lines = MergeBaselineLines(std::move(lines));
//
// Pure functions over one page's boxes; no state, thread-safe.
#pragma once

#include <cstddef>
#include <vector>

#include "base/text_line.h"
#include "layout/page_model.h"

namespace pageflow {

struct OrderItem {
  Box box;
  int word_count = 1;  // running text has several words a line; labels one or two
  int lines = 1;       // lines it holds (an engine's block holds several)
};

// Splits `items` into groups in reading order. At each level the region is cut
//  1. at a vertical gutter between two columns of running text (each side at least two
//     lines stacked, 1.5 line heights tall, a fifth of the width, a median of three
//     words a line, and lines filling their column) — the leftmost such gutter first;
//  2. else, when the items narrower than 60% of the region would have such a gutter,
//     above and below each full-width item (titles, figures spanning the columns);
//  3. else at the widest horizontal gap of at least 0.75 line heights (smaller gaps are
//     left to paragraph detection: OCR boxes leave uneven gaps between lines);
// and what cannot be cut is one group, its items sorted top to bottom, then left to
// right. Every index of `items` appears in exactly one group.
std::vector<std::vector<size_t>> ReadingOrderGroups(const std::vector<OrderItem>& items);

// Sorts `lines` top to bottom and joins each pair that shares a baseline, has a
// comparable height (within 1.8x) and does not overlap horizontally into one line, left
// part first ("DATE FILED:" + "July 23, 1998"). Lines must be normalized
// (layout/geometry.h).
std::vector<LayoutLine> MergeBaselineLines(std::vector<LayoutLine> lines);

}  // namespace pageflow
