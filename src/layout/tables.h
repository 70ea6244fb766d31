// Tables: from ruling lines and cell borders drawn on the page (born-digital PDFs), and
// from words aligned in columns where nothing is drawn (text layers and scans alike).
//
//   std::vector<FoundTable> t = TablesFromRulings(input.rulings, lines, page, words);
//   std::vector<FoundTable> u = TablesFromAlignment(group_lines, line_height);
//   // each: the table's box, its cells, and which of the given lines it took
//
// Pure functions over one page; thread-safe.
#pragma once

#include <cstddef>
#include <vector>

#include "base/text_line.h"
#include "layout/page_model.h"
#include "layout/word_list.h"

namespace pageflow {

struct FoundTable {
  Box box;
  Table table;
  std::vector<size_t> lines;  // indices into the lines given, ascending
};

// Grids: horizontal and vertical rules that cross (a box's four edges count as rules)
// make rows and columns at their distinct positions; a missing inner border between two
// grid cells makes one cell span both. Horizontal rules of the same extent without
// vertical ones (a "booktabs" table) bound a table whose columns come from the words'
// alignment. Lines whose centre lies in a table are taken by it; a word goes to the cell
// holding its centre. Boxes covering most of the page (frames) are ignored.
std::vector<FoundTable> TablesFromRulings(const std::vector<Box>& rulings,
                                          const std::vector<LayoutLine>& lines,
                                          const Box& page, const WordList& words);

// Runs of lines (top to bottom, baseline-merged, as MergeBaselineLines returns them)
// that split into two or more chunks of words at gaps wider than 0.9 line heights, at
// least `min_rows` of them, with at most two one-chunk lines between (a cell's second
// line). Columns are the gaps in the projection of the chunks onto x; a chunk that
// crosses a column gap ends the table. A line with an empty first column, less than half
// a line height under the one above, continues its row (multi-line cells). Not a table:
// chunks of running text (a median of 5 or more words), or label/value pairs (2 columns,
// every left cell ends in ':').
std::vector<FoundTable> TablesFromAlignment(const std::vector<LayoutLine>& lines,
                                            float line_height, size_t min_rows = 3);

}  // namespace pageflow
