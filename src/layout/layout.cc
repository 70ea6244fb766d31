#include "layout/layout.h"

#include <algorithm>
#include <cctype>
#include <map>
#include <utility>

#include "layout/geometry.h"
#include "layout/headings.h"
#include "layout/lists.h"
#include "layout/paragraphs.h"
#include "layout/reading_order.h"
#include "layout/tables.h"

namespace pageflow {
namespace {

// "Figure 3:", "Fig. 2.", "Table 1" followed by a caption.
bool IsCaption(std::string_view text) {
  for (std::string_view word : {"Figure ", "Fig. ", "Table ", "FIGURE ", "TABLE "}) {
    if (text.substr(0, word.size()) != word) continue;
    const std::string_view rest = text.substr(word.size());
    return !rest.empty() && std::isdigit(static_cast<unsigned char>(rest[0]));
  }
  return false;
}

Block TableBlock(FoundTable found, std::vector<LayoutLine> lines) {
  Block b;
  b.kind = BlockKind::kTable;
  b.box = found.box;
  b.table = std::move(found.table);
  b.confidence = MeanConfidence(lines);
  b.lines = std::move(lines);
  return b;
}

// A line of at least five dashes, equals signs or underscores (ASCII or typographic
// dashes) and nothing else but spaces: a rule drawn with characters.
bool IsTextRule(std::string_view text) {
  int marks = 0;
  for (size_t i = 0; i < text.size();) {
    const std::string_view rest = text.substr(i);
    if (text[i] == '-' || text[i] == '=' || text[i] == '_') {
      ++marks;
      ++i;
    } else if (rest.rfind("\u2014", 0) == 0 || rest.rfind("\u2013", 0) == 0 ||
               rest.rfind("\u2500", 0) == 0) {
      ++marks;
      i += 3;
    } else if (text[i] == ' ') {
      ++i;
    } else {
      return false;
    }
  }
  return marks >= 5;
}

class PageLayout {
 public:
  PageLayout(const LayoutInput& input, const LayoutOptions& options)
      : input_(input),
        options_(options),
        words_(options.words ? *options.words : WordList::Default()) {}

  PageModel Run(FurnitureTracker* tracker) {
    PageModel model;
    model.page_width = input_.page_width;
    model.page_height = input_.page_height;
    model.unit = input_.unit;
    std::vector<LayoutLine> lines;
    std::vector<Box> rulings = input_.rulings;
    for (const LayoutLine& l : input_.lines) {
      LayoutLine line = l;
      NormalizeLine(&line);
      if (line.text.empty()) continue;
      // A rule typed as text ("-----" under a table's header): a ruling, not words.
      if (IsTextRule(line.text)) {
        const int y = (line.box.y0 + line.box.y1) / 2;
        rulings.push_back({line.box.x0, y, line.box.x1, y + 1});
        continue;
      }
      lines.push_back(std::move(line));
    }
    if (lines.empty()) return model;
    lines = SetFurnitureApart(std::move(lines), tracker, &model.furniture);
    std::vector<float> heights;
    for (const LayoutLine& l : lines) heights.push_back(float(l.box.height()));
    line_height_ = std::max(1.0f, Median(heights));
    scale_ = HeadingScale::Of(lines);

    // Tables from rulings are placed in the reading order as one item each.
    std::vector<FoundTable> ruled;
    std::vector<bool> taken(lines.size(), false);
    if (options_.tables && !rulings.empty()) {
      ruled = TablesFromRulings(rulings, lines,
                                {0, 0, input_.page_width, input_.page_height}, words_);
      for (const FoundTable& t : ruled) {
        for (size_t i : t.lines) taken[i] = true;
      }
    }
    // The items of the reading order: lines, or, where an OCR engine segmented the page
    // (Tesseract's blocks are column pieces), whole blocks — steadier than lines whose
    // boxes hug the glyphs across the narrow gutters of a scan; and tables from rulings.
    std::vector<OrderItem> items;
    struct Source {
      std::vector<size_t> lines;  // in the engine's order
      int table = -1;             // >= 0: a table from rulings
    };
    std::vector<Source> source;
    const bool by_block = input_.unit == Unit::kPixels && HasBlocks(lines, taken);
    std::map<int, size_t> item_of_block;
    for (size_t i = 0; i < lines.size(); ++i) {
      if (taken[i]) continue;
      if (by_block) {
        auto [it, fresh] = item_of_block.emplace(lines[i].block_id, items.size());
        if (!fresh) {
          items[it->second].box = Union(items[it->second].box, lines[i].box);
          source[it->second].lines.push_back(i);
          continue;
        }
      }
      items.push_back({lines[i].box, int(lines[i].words.size())});
      source.push_back({{i}, -1});
    }
    if (by_block) {  // a block's words a line, as a line item has
      for (size_t k = 0; k < items.size(); ++k) {
        size_t words = 0;
        for (size_t i : source[k].lines) words += lines[i].words.size();
        items[k].word_count = int(words / std::max<size_t>(1, source[k].lines.size()));
        items[k].lines = int(source[k].lines.size());
      }
    }
    for (size_t t = 0; t < ruled.size(); ++t) {
      items.push_back({ruled[t].box, 3});
      source.push_back({{}, int(t)});
    }
    // Leaves of the XY-cut, their lines joined where they share a baseline.
    std::vector<Segment> segments;
    for (const std::vector<size_t>& group : ReadingOrderGroups(items)) {
      std::vector<LayoutLine> run;
      for (size_t item : group) {
        const Source& s = source[item];
        if (s.table < 0) {
          for (size_t i : s.lines) run.push_back(lines[i]);
          continue;
        }
        PushLines(std::move(run), &segments);
        run.clear();
        segments.push_back({{}, ruled[size_t(s.table)].box, s.table});
      }
      PushLines(std::move(run), &segments);
    }
    // A table's rows are often cut apart by the XY-cut (gaps between rows): tables are
    // looked for over consecutive leaves of one column, paragraphs within each leaf.
    for (size_t s = 0; s < segments.size();) {
      if (segments[s].table >= 0) {
        FoundTable& t = ruled[size_t(segments[s].table)];
        std::vector<LayoutLine> table_lines;
        for (size_t i : t.lines) table_lines.push_back(lines[i]);
        model.blocks.push_back(TableBlock(std::move(t), std::move(table_lines)));
        ++s;
        continue;
      }
      size_t e = s + 1;
      while (e < segments.size() && segments[e].table < 0 &&
             SameColumn(segments[e - 1].box, segments[e].box)) {
        ++e;
      }
      EmitColumn(&segments, s, e, &model.blocks);
      s = e;
    }
    return model;
  }

 private:
  std::vector<LayoutLine> SetFurnitureApart(std::vector<LayoutLine> lines,
                                            FurnitureTracker* tracker,
                                            std::vector<Block>* furniture) const {
    // Nearest the page's edge first: the tracker records a few lines a page.
    std::vector<size_t> order(lines.size());
    for (size_t i = 0; i < order.size(); ++i) order[i] = i;
    const int h = input_.page_height;
    auto edge_distance = [&](size_t i) {
      return std::min(lines[i].box.y0, h - lines[i].box.y1);
    };
    std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) {
      return edge_distance(a) < edge_distance(b);
    });
    std::vector<bool> is_furniture(lines.size(), false);
    for (size_t i : order) {
      const LayoutLine& l = lines[i];
      const Band band = BandOf(l.box, input_.page_width, h, options_.margin_band);
      if (band == Band::kBody) continue;
      BlockKind kind;
      if (IsPageNumber(l.text)) {
        kind = BlockKind::kPageNumber;
      } else if ((band == Band::kSide && l.box.height() > 2 * l.box.width()) ||
                 (IsMarginNote(l.text) &&
                  (band == Band::kSide || AloneOnItsRow(lines, i))) ||
                 (band != Band::kSide && tracker != nullptr &&
                  tracker->Observe(input_.page_index, l.text, l.box, h))) {
        // Vertical text in a side margin: an arXiv stamp, "Downloaded from ...", line
        // numbers.
        kind = band == Band::kBottom ? BlockKind::kFooter : BlockKind::kHeader;
      } else {
        continue;
      }
      is_furniture[i] = true;
      Block b;
      b.kind = kind;
      b.text = l.text;
      b.box = l.box;
      b.confidence = l.confidence;
      b.lines = {l};
      furniture->push_back(std::move(b));
    }
    std::sort(furniture->begin(), furniture->end(), [](const Block& a, const Block& b) {
      return a.box.y0 != b.box.y0 ? a.box.y0 < b.box.y0 : a.box.x0 < b.box.x0;
    });
    std::vector<LayoutLine> body;
    for (size_t i = 0; i < lines.size(); ++i) {
      if (!is_furniture[i]) body.push_back(std::move(lines[i]));
    }
    return body;
  }

  // A date at the top of a form is a value when a label shares its row.
  static bool AloneOnItsRow(const std::vector<LayoutLine>& lines, size_t i) {
    for (size_t j = 0; j < lines.size(); ++j) {
      if (j != i && VerticalOverlap(lines[i].box, lines[j].box) >
                        0.5f * std::min(lines[i].box.height(), lines[j].box.height())) {
        return false;
      }
    }
    return true;
  }

  // Every line not in a table knows its source block, and there are several blocks.
  static bool HasBlocks(const std::vector<LayoutLine>& lines,
                        const std::vector<bool>& taken) {
    int first = -1;
    bool several = false;
    for (size_t i = 0; i < lines.size(); ++i) {
      if (taken[i]) continue;
      if (lines[i].block_id < 0) return false;
      if (first < 0) first = lines[i].block_id;
      several = several || lines[i].block_id != first;
    }
    return several;
  }

  struct Segment {
    std::vector<LayoutLine> lines;  // top to bottom
    Box box;
    int table = -1;  // >= 0: a table from rulings instead of lines
  };

  static void PushLines(std::vector<LayoutLine> lines, std::vector<Segment>* segments) {
    if (lines.empty()) return;
    Segment seg;
    seg.lines = MergeBaselineLines(std::move(lines));
    for (const LayoutLine& l : seg.lines) seg.box = Union(seg.box, l.box);
    segments->push_back(std::move(seg));
  }

  // `b` continues `a` down the same column.
  bool SameColumn(const Box& a, const Box& b) const {
    return HorizontalOverlap(a, b) >= 0.5f * std::min(a.width(), b.width()) &&
           b.y0 >= a.y1 - 0.5f * line_height_ && b.y0 - a.y1 <= 3.0f * line_height_;
  }

  // Segments [begin, end) of one column as blocks: tables over all of them, other lines
  // as paragraphs within their own segment.
  void EmitColumn(std::vector<Segment>* segments, size_t begin, size_t end,
                  std::vector<Block>* blocks) const {
    std::vector<LayoutLine> lines;
    std::vector<size_t> segment_of;
    for (size_t s = begin; s < end; ++s) {
      for (LayoutLine& l : (*segments)[s].lines) {
        lines.push_back(std::move(l));
        segment_of.push_back(s);
      }
    }
    auto emit_text = [&](size_t from, size_t to) {
      while (from < to) {
        size_t stop = from + 1;
        while (stop < to && segment_of[stop] == segment_of[from]) ++stop;
        EmitText({lines.begin() + long(from), lines.begin() + long(stop)}, blocks);
        from = stop;
      }
    };
    std::vector<FoundTable> tables;
    if (options_.tables) tables = TablesFromAlignment(lines, line_height_);
    size_t next = 0;
    for (FoundTable& t : tables) {
      const size_t first = t.lines.front(), last = t.lines.back();
      emit_text(next, first);
      std::vector<LayoutLine> table_lines(lines.begin() + long(first),
                                          lines.begin() + long(last) + 1);
      blocks->push_back(TableBlock(std::move(t), std::move(table_lines)));
      next = last + 1;
    }
    emit_text(next, lines.size());
  }

  void EmitText(std::vector<LayoutLine> lines, std::vector<Block>* blocks) const {
    if (lines.empty()) return;
    const size_t n = lines.size();
    std::vector<int> level(n);
    std::vector<ListMarker> marker(n);
    std::vector<LineBreak> hints(n, LineBreak::kAuto);
    int list_x0 = -1;  // the open list item's left edge
    // A line with a wide gap inside is a form's row ("DATE FILED:   July 23, 1998"):
    // each such row stays a paragraph of its own, as on the page.
    std::vector<bool> spread(n);
    for (size_t i = 0; i < n; ++i) spread[i] = IsSpread(lines[i]);
    for (size_t i = 0; i < n; ++i) level[i] = scale_.Level(lines[i]);
    // Without fonts, a full-width "heading" set close to body lines is a body line made
    // tall by a superscript (when the source gave no word boxes to see it).
    for (size_t i = 0; i < n && !scale_.uses_fonts(); ++i) {
      if (level[i] == 0 || !scale_.IsWide(lines[i])) continue;
      const bool body_above =
          i > 0 && level[i - 1] == 0 &&
          lines[i].box.y0 - lines[i - 1].box.y1 <= 0.3f * line_height_;
      const bool body_below =
          i + 1 < n && level[i + 1] == 0 &&
          lines[i + 1].box.y0 - lines[i].box.y1 <= 0.3f * line_height_;
      if (body_above || body_below) level[i] = 0;
    }
    for (size_t i = 0; i < n; ++i) {
      if (level[i] == 0) marker[i] = ParseListMarker(lines[i].text);
      if (i > 0) {
        const float gap = float(lines[i].box.y0 - lines[i - 1].box.y1);
        const bool close = gap <= 0.6f * line_height_;
        if (level[i] > 0) {
          hints[i] = (level[i] == level[i - 1] && close) ? LineBreak::kContinue
                                                         : LineBreak::kStart;
        } else if (level[i - 1] > 0 || marker[i].found || spread[i] || spread[i - 1]) {
          hints[i] = LineBreak::kStart;
        } else if (list_x0 >= 0 && close &&
                   lines[i].box.x0 > list_x0 + 0.5f * line_height_) {
          hints[i] = LineBreak::kContinue;  // an item's indented second line
        }
      }
      if (marker[i].found) {
        list_x0 = lines[i].box.x0;
      } else if (i == 0 || hints[i] != LineBreak::kContinue) {
        list_x0 = -1;
      }
    }
    std::vector<size_t> starts = ParagraphStarts(lines, hints, line_height_);
    starts.push_back(n);
    for (size_t p = 0; p + 1 < starts.size(); ++p) {
      const size_t begin = starts[p], end = starts[p + 1];
      Block b;
      b.lines.assign(lines.begin() + long(begin), lines.begin() + long(end));
      for (const LayoutLine& l : b.lines) b.box = Union(b.box, l.box);
      b.confidence = MeanConfidence(b.lines);
      std::vector<std::string_view> texts;
      for (const LayoutLine& l : b.lines) texts.push_back(l.text);
      if (level[begin] > 0) {
        b.kind = BlockKind::kHeading;
        b.level = level[begin];
      } else if (marker[begin].found) {
        b.kind = BlockKind::kListItem;
        b.marker = std::string(marker[begin].marker);
        texts[0] = marker[begin].rest;
      } else {
        b.kind = BlockKind::kParagraph;
      }
      b.text = JoinLines(texts, words_);
      if (b.kind == BlockKind::kParagraph && IsCaption(b.text))
        b.kind = BlockKind::kCaption;
      blocks->push_back(std::move(b));
    }
  }

  // Some gap between words wider than two line heights and three times the line's
  // usual gap (estimated word boxes of a wide line have equal gaps: not spread).
  bool IsSpread(const LayoutLine& line) const {
    std::vector<float> gaps;
    for (size_t i = 1; i < line.words.size(); ++i) {
      gaps.push_back(float(line.words[i].box.x0 - line.words[i - 1].box.x1));
    }
    const float usual = Median(gaps);
    for (float gap : gaps) {
      if (gap > 2.0f * line_height_ && gap > 3.0f * usual) return true;
    }
    return false;
  }

  const LayoutInput& input_;
  const LayoutOptions& options_;
  const WordList& words_;
  float line_height_ = 1.0f;
  HeadingScale scale_;
};

}  // namespace

PageModel Analyze(const LayoutInput& input, const LayoutOptions& options,
                  FurnitureTracker* tracker) {
  return PageLayout(input, options).Run(tracker);
}

}  // namespace pageflow
