#include "layout/tables.h"

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <numeric>

#include "layout/geometry.h"
#include "layout/paragraphs.h"
#include "layout/reading_order.h"

namespace pageflow {
namespace {

// A rule: a horizontal one at y = pos from lo to hi, or a vertical one at x = pos.
struct Rule {
  int pos, lo, hi;
};

// Rules of a grid may miss each other by a pixel or two where they should meet.
constexpr int kTolerance = 3;

void CollectRules(const std::vector<Box>& rulings, const Box& page, std::vector<Rule>* h,
                  std::vector<Rule>* v) {
  for (const Box& b : rulings) {
    const int w = b.width(), ht = b.height();
    if (w <= 0 && ht <= 0) continue;
    if (ht <= kTolerance && w > 3 * std::max(1, ht)) {
      h->push_back({(b.y0 + b.y1) / 2, b.x0, b.x1});
    } else if (w <= kTolerance && ht > 3 * std::max(1, w)) {
      v->push_back({(b.x0 + b.x1) / 2, b.y0, b.y1});
    } else if (w > 0.9f * page.width() && ht > 0.5f * page.height()) {
      continue;  // a page frame
    } else {
      h->push_back({b.y0, b.x0, b.x1});
      h->push_back({b.y1, b.x0, b.x1});
      v->push_back({b.x0, b.y0, b.y1});
      v->push_back({b.x1, b.y0, b.y1});
    }
  }
}

bool Crosses(const Rule& h, const Rule& v) {
  return v.pos >= h.lo - kTolerance && v.pos <= h.hi + kTolerance &&
         h.pos >= v.lo - kTolerance && h.pos <= v.hi + kTolerance;
}

// Distinct positions, nearby ones (within the tolerance) merged, ascending.
std::vector<int> Distinct(std::vector<int> positions) {
  std::sort(positions.begin(), positions.end());
  std::vector<int> out;
  for (int p : positions) {
    if (out.empty() || p - out.back() > kTolerance) out.push_back(p);
  }
  return out;
}

bool Covers(const std::vector<Rule>& rules, int pos, int at) {
  for (const Rule& r : rules) {
    if (std::abs(r.pos - pos) <= kTolerance && r.lo - kTolerance <= at &&
        at <= r.hi + kTolerance) {
      return true;
    }
  }
  return false;
}

size_t Find(std::vector<size_t>& parent, size_t i) {
  while (parent[i] != i) i = parent[i] = parent[parent[i]];
  return i;
}

// Text of the words whose centres lie in `box`, in reading order.
std::string TextIn(const std::vector<LayoutLine>& lines, const std::vector<size_t>& taken,
                   const Box& box, const WordList& words) {
  std::vector<LayoutLine> parts;
  for (size_t li : taken) {
    for (const LayoutWord& w : lines[li].words) {
      if (!Contains(box, (w.box.x0 + w.box.x1) / 2, (w.box.y0 + w.box.y1) / 2)) continue;
      LayoutLine part;
      part.text = w.text;
      part.words = {w};
      part.box = w.box;
      part.baseline = lines[li].baseline;
      part.confidence = w.confidence;
      parts.push_back(std::move(part));
    }
  }
  return JoinLineTexts(MergeBaselineLines(std::move(parts)), words);
}

FoundTable GridTable(const std::vector<Rule>& h, const std::vector<Rule>& v,
                     const std::vector<LayoutLine>& lines, const WordList& words) {
  std::vector<int> ys, xs;
  for (const Rule& r : h) ys.push_back(r.pos);
  for (const Rule& r : v) xs.push_back(r.pos);
  ys = Distinct(std::move(ys));
  xs = Distinct(std::move(xs));
  FoundTable t;
  t.box = {xs.front(), ys.front(), xs.back(), ys.back()};
  const int rows = int(ys.size()) - 1, cols = int(xs.size()) - 1;
  for (size_t i = 0; i < lines.size(); ++i) {
    const Box& b = lines[i].box;
    if (Contains(t.box, (b.x0 + b.x1) / 2, (b.y0 + b.y1) / 2)) t.lines.push_back(i);
  }
  // Grid cells joined where the border between them is missing.
  std::vector<size_t> parent(size_t(rows * cols));
  std::iota(parent.begin(), parent.end(), 0);
  for (int r = 0; r < rows; ++r) {
    const int mid_y = (ys[r] + ys[r + 1]) / 2;
    for (int c = 0; c < cols; ++c) {
      const int mid_x = (xs[c] + xs[c + 1]) / 2;
      const size_t id = size_t(r * cols + c);
      if (c + 1 < cols && !Covers(v, xs[c + 1], mid_y)) {
        parent[Find(parent, id + 1)] = Find(parent, id);
      }
      if (r + 1 < rows && !Covers(h, ys[r + 1], mid_x)) {
        parent[Find(parent, id + size_t(cols))] = Find(parent, id);
      }
    }
  }
  t.table.rows = rows;
  t.table.cols = cols;
  std::vector<bool> done(parent.size(), false);
  for (int r = 0; r < rows; ++r) {
    for (int c = 0; c < cols; ++c) {
      const size_t root = Find(parent, size_t(r * cols + c));
      if (done[root]) continue;
      done[root] = true;
      int r1 = r, c1 = c;  // the group's bottom-right grid cell
      for (size_t k = 0; k < parent.size(); ++k) {
        if (Find(parent, k) != root) continue;
        r1 = std::max(r1, int(k) / cols);
        c1 = std::max(c1, int(k) % cols);
      }
      TableCell cell;
      cell.row = r;
      cell.col = c;
      cell.row_span = r1 - r + 1;
      cell.col_span = c1 - c + 1;
      cell.box = {xs[c], ys[r], xs[c1 + 1], ys[r1 + 1]};
      cell.text = TextIn(lines, t.lines, cell.box, words);
      t.table.cells.push_back(std::move(cell));
    }
  }
  return t;
}

// Chunks of a line: its words split at gaps wider than `gap`, as x ranges and texts.
struct Chunk {
  int x0, x1;
  std::string text;
  size_t words;
};

std::vector<Chunk> ChunksOf(const LayoutLine& line, float gap) {
  std::vector<Chunk> chunks;
  std::vector<LayoutWord> sorted = line.words;
  std::sort(sorted.begin(), sorted.end(),
            [](const LayoutWord& a, const LayoutWord& b) { return a.box.x0 < b.box.x0; });
  for (const LayoutWord& w : sorted) {
    if (chunks.empty() || w.box.x0 - chunks.back().x1 > gap) {
      chunks.push_back({w.box.x0, w.box.x1, w.text, 1});
    } else {
      Chunk& c = chunks.back();
      c.x1 = std::max(c.x1, w.box.x1);
      c.text += ' ';
      c.text += w.text;
      ++c.words;
    }
  }
  return chunks;
}

// A header set on two lines whose first line leaves the first column empty ("" /
// "Compress" / "Decompress" over "Flag" / "usage" / "usage"): one header row, each
// column's two pieces joined. Only when the table has rows besides, the lines are close
// and neither holds a number.
void MergeTwoLineHeader(Table* t, const std::vector<Box>& row_boxes, float line_height) {
  if (t->rows < 3 || row_boxes.size() < 2) return;
  const TableCell* first = t->At(0, 0);
  const TableCell* second = t->At(1, 0);
  if ((first != nullptr && !first->text.empty()) || second == nullptr ||
      second->text.empty() || row_boxes[1].y0 - row_boxes[0].y1 > 0.5f * line_height) {
    return;
  }
  for (const TableCell& c : t->cells) {
    if (c.row > 1) break;
    if (std::any_of(c.text.begin(), c.text.end(),
                    [](char ch) { return std::isdigit(static_cast<unsigned char>(ch)); }))
      return;
  }
  std::vector<TableCell> merged;
  for (int col = 0; col < t->cols; ++col) {
    const TableCell* top = t->At(0, col);
    const TableCell* bottom = t->At(1, col);
    TableCell cell = bottom != nullptr ? *bottom : TableCell{};
    cell.row = 0;
    cell.col = col;
    if (top != nullptr && !top->text.empty()) {
      cell.text = cell.text.empty() ? top->text : top->text + " " + cell.text;
      cell.box = Union(cell.box, top->box);
    }
    merged.push_back(std::move(cell));
  }
  for (TableCell& c : t->cells) {
    if (c.row < 2) continue;
    c.row -= 1;
    merged.push_back(std::move(c));
  }
  t->cells = std::move(merged);
  t->rows -= 1;
}

// A table from lines [begin, end) of `lines` with their chunks, or none (rows == 0).
// Columns come from the lines of two or more chunks; a line of one chunk (a cell's
// second line) must fit in one column. A line with nothing in the first column, close
// under the line above, continues that row (multi-line cells).
FoundTable AlignedTableOf(const std::vector<LayoutLine>& lines,
                          const std::vector<std::vector<Chunk>>& chunks, size_t begin,
                          size_t end, float line_height, bool header_aware) {
  // With rows of three or more cells, columns come from the fullest rows: a header's
  // cell spanning a gutter ("Decompress" over "-s usage" and "Corpus size") would join
  // two columns. Lines above the first full row are the header; their cells go to the
  // column they overlap most.
  size_t most = 0, full_rows = 0;
  for (size_t i = begin; i < end; ++i) most = std::max(most, chunks[i].size());
  for (size_t i = begin; i < end; ++i) full_rows += chunks[i].size() == most ? 1 : 0;
  const bool by_full_rows = header_aware && most >= 3 && full_rows >= 2;
  size_t first_full = begin;
  while (by_full_rows && chunks[first_full].size() != most) ++first_full;
  std::vector<std::pair<int, int>> spans;
  std::vector<float> words_per_chunk;
  for (size_t i = begin; i < end; ++i) {
    if (chunks[i].size() < 2 || (by_full_rows && chunks[i].size() != most)) continue;
    for (const Chunk& c : chunks[i]) {
      spans.push_back({c.x0, c.x1});
      words_per_chunk.push_back(float(c.words));
    }
  }
  if (Median(words_per_chunk) >= 5) return {};
  std::sort(spans.begin(), spans.end());
  std::vector<std::pair<int, int>> columns;
  for (const auto& s : spans) {
    if (columns.empty() || s.first > columns.back().second) {
      columns.push_back(s);
    } else {
      columns.back().second = std::max(columns.back().second, s.second);
    }
  }
  if (columns.size() < 2) return {};
  FoundTable t;
  t.table.cols = int(columns.size());
  bool all_labels = columns.size() == 2;
  std::vector<TableCell> row;
  std::vector<Box> row_boxes;  // each row's lines
  auto flush = [&]() {
    if (row.empty()) return;
    row_boxes.push_back({});
    for (const TableCell& c : row) row_boxes.back() = Union(row_boxes.back(), c.box);
    if (row[0].text.empty() || row[0].text.back() != ':') all_labels = false;
    for (size_t col = 0; col < row.size(); ++col) {
      row[col].row = t.table.rows;
      row[col].col = int(col);
      t.table.cells.push_back(std::move(row[col]));
    }
    ++t.table.rows;
    row.clear();
  };
  for (size_t i = begin; i < end; ++i) {
    std::vector<TableCell> cells(columns.size());
    const bool header = i < first_full;
    for (const Chunk& c : chunks[i]) {
      size_t col = 0;
      if (header) {
        int best = -1;
        for (size_t k = 0; k < columns.size(); ++k) {
          const int overlap =
              std::min(c.x1, columns[k].second) - std::max(c.x0, columns[k].first);
          if (overlap > best) {
            best = overlap;
            col = k;
          }
        }
      } else {
        while (col + 1 < columns.size() && c.x0 > columns[col].second) ++col;
        // A chunk reaching into the next column's range: not this table's line.
        if (col + 1 < columns.size() && c.x1 >= columns[col + 1].first) return {};
      }
      TableCell& cell = cells[col];
      if (!cell.text.empty()) cell.text += ' ';
      cell.text += c.text;
      cell.box = Union(cell.box, {c.x0, lines[i].box.y0, c.x1, lines[i].box.y1});
    }
    const bool continues = !row.empty() && cells[0].text.empty() &&
                           lines[i].box.y0 - lines[i - 1].box.y1 <= 0.5f * line_height;
    if (!continues) {
      flush();
      row = std::move(cells);
    } else {
      for (size_t col = 0; col < row.size(); ++col) {
        if (cells[col].text.empty()) continue;
        if (!row[col].text.empty()) row[col].text += ' ';
        row[col].text += cells[col].text;
        row[col].box = Union(row[col].box, cells[col].box);
      }
    }
    t.lines.push_back(i);
    t.box = Union(t.box, lines[i].box);
  }
  flush();
  if (all_labels || t.table.rows < 2) return {};
  MergeTwoLineHeader(&t.table, row_boxes, line_height);
  return t;
}

FoundTable AlignedTable(const std::vector<LayoutLine>& lines,
                        const std::vector<std::vector<Chunk>>& chunks, size_t begin,
                        size_t end, float line_height) {
  // Columns from the fullest rows first; a row that then fits no column (a description
  // run into the next column, split only at a narrower gutter) falls back to columns
  // from every row.
  FoundTable t = AlignedTableOf(lines, chunks, begin, end, line_height, true);
  if (t.table.rows == 0)
    t = AlignedTableOf(lines, chunks, begin, end, line_height, false);
  return t;
}

}  // namespace

namespace {

// A grid is a table when text fills at least two of its cells: a framed heading or a
// boxed caption is not one.
bool MostlyFilled(const Table& t) {
  size_t filled = 0;
  for (const TableCell& c : t.cells) filled += c.text.empty() ? 0 : 1;
  return filled >= 2;
}

}  // namespace

std::vector<FoundTable> TablesFromRulings(const std::vector<Box>& rulings,
                                          const std::vector<LayoutLine>& lines,
                                          const Box& page, const WordList& words) {
  std::vector<Rule> h, v;
  CollectRules(rulings, page, &h, &v);
  // Components of crossing rules: index i < h.size() is a horizontal rule.
  std::vector<size_t> parent(h.size() + v.size());
  std::iota(parent.begin(), parent.end(), 0);
  // The verticals within a horizontal's reach are found by position (testing every pair
  // cost 2% of a text-layer run's CPU on pages of many rules), and joined in index
  // order, as a test of every pair would: the same components with the same roots.
  // (Two indexes a rule: within what the page's layout reservation counts for rulings.)
  std::vector<size_t> by_pos(v.size());
  std::iota(by_pos.begin(), by_pos.end(), 0);
  std::sort(by_pos.begin(), by_pos.end(),
            [&v](size_t a, size_t b) { return v[a].pos < v[b].pos; });
  std::vector<size_t> crossing;
  for (size_t i = 0; i < h.size(); ++i) {
    auto first = std::lower_bound(by_pos.begin(), by_pos.end(), h[i].lo - kTolerance,
                                  [&v](size_t a, int pos) { return v[a].pos < pos; });
    crossing.clear();
    for (auto it = first; it != by_pos.end() && v[*it].pos <= h[i].hi + kTolerance;
         ++it) {
      if (Crosses(h[i], v[*it])) crossing.push_back(*it);
    }
    std::sort(crossing.begin(), crossing.end());
    for (size_t j : crossing) parent[Find(parent, h.size() + j)] = Find(parent, i);
  }
  // Each component's members in one pass (a pass over every rule for each component was
  // quadratic: pages of many short rules spent 1% of a text-layer run's CPU there).
  std::vector<std::vector<size_t>> component(parent.size());
  for (size_t k = 0; k < parent.size(); ++k) component[Find(parent, k)].push_back(k);
  std::vector<FoundTable> tables;
  std::vector<bool> in_grid(h.size(), false);
  for (size_t root = 0; root < parent.size(); ++root) {
    const std::vector<size_t>& members = component[root];
    if (members.empty()) continue;
    std::vector<Rule> gh, gv;
    for (size_t k : members) {
      (k < h.size() ? gh : gv).push_back(k < h.size() ? h[k] : v[k - h.size()]);
    }
    if (gh.size() < 2 || gv.size() < 2) continue;
    FoundTable t = GridTable(gh, gv, lines, words);
    if (t.table.rows * t.table.cols < 2 || t.lines.empty() || !MostlyFilled(t.table))
      continue;
    for (size_t k : members) {
      if (k < h.size()) in_grid[k] = true;
    }
    tables.push_back(std::move(t));
  }
  // Rules alone (no verticals): consecutive rules of about the same extent.
  std::vector<Rule> lone;
  for (size_t i = 0; i < h.size(); ++i) {
    if (!in_grid[i]) lone.push_back(h[i]);
  }
  std::sort(lone.begin(), lone.end(),
            [](const Rule& a, const Rule& b) { return a.pos < b.pos; });
  for (size_t i = 0; i + 1 < lone.size();) {
    size_t j = i + 1;
    const int width = lone[i].hi - lone[i].lo;
    while (j < lone.size() && std::abs(lone[j].lo - lone[i].lo) <= 0.1f * width &&
           std::abs(lone[j].hi - lone[i].hi) <= 0.1f * width) {
      ++j;
    }
    if (j - i < 2) {
      ++i;
      continue;
    }
    const Box region = {lone[i].lo - kTolerance, lone[i].pos, lone[i].hi + kTolerance,
                        lone[j - 1].pos};
    std::vector<size_t> inside;
    std::vector<LayoutLine> rows;
    for (size_t k = 0; k < lines.size(); ++k) {
      const Box& b = lines[k].box;
      if (Contains(region, (b.x0 + b.x1) / 2, (b.y0 + b.y1) / 2)) {
        inside.push_back(k);
        rows.push_back(lines[k]);
      }
    }
    std::vector<float> heights;
    for (const LayoutLine& l : rows) heights.push_back(float(l.box.height()));
    rows = MergeBaselineLines(std::move(rows));
    std::vector<FoundTable> found =
        TablesFromAlignment(rows, Median(heights), /*min_rows=*/2);
    if (found.size() == 1 && found[0].lines.size() == rows.size()) {
      found[0].lines = inside;
      found[0].box = Union(found[0].box, region);
      tables.push_back(std::move(found[0]));
    }
    i = j;
  }
  return tables;
}

std::vector<FoundTable> TablesFromAlignment(const std::vector<LayoutLine>& lines,
                                            float line_height, size_t min_rows) {
  std::vector<std::vector<Chunk>> chunks, fine;
  for (const LayoutLine& l : lines) {
    chunks.push_back(ChunksOf(l, 0.9f * line_height));
    // Wider than a word space (about a quarter of the line height): a narrow gutter.
    fine.push_back(ChunksOf(l, 0.35f * line_height));
  }
  std::vector<FoundTable> tables;
  size_t i = 0;
  while (i < lines.size()) {
    if (chunks[i].size() < 2) {
      ++i;
      continue;
    }
    // The run: lines of two or more chunks, with at most two one-chunk lines between.
    size_t last = i, multi = 1, strict_end = i + 1;
    while (strict_end < lines.size() && chunks[strict_end].size() >= 2) ++strict_end;
    for (size_t j = i + 1; j < lines.size() && j - last <= 2; ++j) {
      if (chunks[j].size() >= 2) {
        last = j;
        ++multi;
      }
    }
    FoundTable t;
    if (multi >= min_rows) t = AlignedTable(lines, chunks, i, last + 1, line_height);
    // A stray line that does not fit the columns: the strict run of aligned lines alone.
    if (t.table.rows == 0 && strict_end - i >= min_rows && last + 1 != strict_end) {
      t = AlignedTable(lines, chunks, i, strict_end, line_height);
    }
    if (t.table.rows > 0) {
      // Columns closer than the gap that found the table ("Int  Italic, oblique or
      // roman"): the same rows cut at the narrower gutters every row leaves free.
      FoundTable narrow = AlignedTable(lines, fine, i, t.lines.back() + 1, line_height);
      if (narrow.table.rows == t.table.rows && narrow.table.cols > t.table.cols &&
          narrow.lines == t.lines) {
        t = std::move(narrow);
      }
      i = t.lines.back() + 1;
      tables.push_back(std::move(t));
    } else {
      i = strict_end;
    }
  }
  return tables;
}

}  // namespace pageflow
