#include "layout/writers.h"

#include <algorithm>
#include <cctype>
#include <vector>

#include "layout/geometry.h"
#include "layout/lists.h"
#include "layout/paragraphs.h"
#include "layout/word_list.h"

namespace pageflow {
namespace {

bool IsDigit(char c) { return std::isdigit(static_cast<unsigned char>(c)) != 0; }

std::string OneLine(std::string_view text) {
  std::string out;
  for (char c : Trim(text)) out += (c == '\n' || c == '\r' || c == '\t') ? ' ' : c;
  return out;
}

std::string EscapeCell(std::string_view text) {
  std::string out;
  for (char c : OneLine(text)) {
    if (c == '|') out += '\\';
    out += c;
  }
  return out;
}

std::string EscapeHtml(std::string_view text) {
  std::string out;
  for (char c : OneLine(text)) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

// Each line of `text` escaped (verbatim blocks keep their line breaks).
std::string EscapeText(std::string_view text) {
  std::string out;
  size_t start = 0;
  while (start <= text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    if (start > 0) out += '\n';
    out += EscapeMarkdownLine(text.substr(start, end - start));
    start = end + 1;
  }
  return out;
}

std::string HeadingMarkdown(const Block& b) {
  std::string text = EscapeMarkdownLine(OneLine(b.text));
  // "# C #": a closing sequence would eat the '#'.
  if (!text.empty() && text.back() == '#') text.insert(text.size() - 1, "\\");
  const int level = b.level < 1 ? 1 : (b.level > 6 ? 6 : b.level);
  return std::string(size_t(level), '#') + " " + text;
}

std::string ListItemMarkdown(const Block& b) {
  std::string_view marker = b.marker;
  const bool numbered = marker.size() >= 2 && IsDigit(marker[0]) &&
                        (marker.back() == '.' || marker.back() == ')') &&
                        std::all_of(marker.begin(), marker.end() - 1, IsDigit);
  const std::string text = EscapeMarkdownLine(OneLine(b.text));
  if (numbered) return std::string(marker.substr(0, marker.size() - 1)) + ". " + text;
  const ListMarker parsed = ParseListMarker(std::string(marker) + " x");
  if (marker.empty() || (parsed.found && !parsed.ordered)) return "- " + text;
  return "- " + std::string(marker) + " " + OneLine(b.text);
}

std::string PipeTable(const Table& t) {
  std::string out;
  for (int r = 0; r < t.rows; ++r) {
    out += '|';
    for (int c = 0; c < t.cols; ++c) {
      const TableCell* cell = t.At(r, c);
      out += ' ';
      out += cell ? EscapeCell(cell->text) : "";
      out += " |";
    }
    out += '\n';
    if (r == 0) {
      out += '|';
      for (int c = 0; c < t.cols; ++c) out += " --- |";
      out += '\n';
    }
  }
  if (!out.empty()) out.pop_back();
  return out;
}

std::string HtmlTable(const Table& t) {
  std::string out = "<table>\n";
  for (int r = 0; r < t.rows; ++r) {
    out += "<tr>";
    for (const TableCell& cell : t.cells) {
      if (cell.row != r) continue;
      out += "<td";
      if (cell.row_span > 1) out += " rowspan=\"" + std::to_string(cell.row_span) + "\"";
      if (cell.col_span > 1) out += " colspan=\"" + std::to_string(cell.col_span) + "\"";
      out += ">" + EscapeHtml(cell.text) + "</td>";
    }
    out += "</tr>\n";
  }
  return out + "</table>";
}

// `next` carries on the sentence `prev` broke off: both are paragraphs, `next` starts
// with a small letter, and either `prev` ends mid-sentence (a letter, a comma or a
// line-end hyphen) at the foot of a column and `next` stands in another column,
// starting higher up than `prev` ends, or `prev` ends with a line-end hyphen and `next`
// is its next line down (a paragraph break the source put inside a word).
bool Continues(const Block& prev, const Block& next) {
  if (prev.kind != BlockKind::kParagraph || next.kind != BlockKind::kParagraph)
    return false;
  const std::string_view end = Trim(prev.text), start = Trim(next.text);
  if (end.size() < 2 || start.empty()) return false;
  if (std::islower(static_cast<unsigned char>(start[0])) == 0) return false;
  if (prev.box.x1 <= prev.box.x0 || next.box.x1 <= next.box.x0) return false;
  const unsigned char last = static_cast<unsigned char>(end.back());
  const auto letter = [](unsigned char c) { return std::isalpha(c) || c >= 0x80; };
  const bool hyphen =
      last == '-' && letter(static_cast<unsigned char>(end[end.size() - 2]));
  const bool mid_sentence = hyphen || letter(last) || last == ',';
  const int overlap = HorizontalOverlap(prev.box, next.box);
  const bool other_column = next.box.y0 < prev.box.y1 &&
                            overlap < std::min(prev.box.width(), next.box.width()) / 2;
  const int line_height = prev.box.height() / std::max<int>(1, int(prev.lines.size()));
  const bool next_line = overlap > 0 && next.box.y0 >= prev.box.y1 - line_height / 2 &&
                         next.box.y0 <= prev.box.y1 + line_height;
  return (mid_sentence && other_column) || (hyphen && next_line);
}

template <typename RenderBlock>
std::string Render(const PageModel& model, RenderBlock render) {
  std::string out;
  const Block* prev = nullptr;
  for (const Block& b : model.blocks) {
    std::string piece = render(b);
    if (piece.empty()) continue;
    if (prev != nullptr && Continues(*prev, b)) {
      // One paragraph: joined as two lines of it (a hyphen removed when the word is one).
      const size_t para = out.rfind("\n\n");
      const size_t from = para == std::string::npos ? 0 : para + 2;
      const std::string joined =
          JoinLines({std::string_view(out).substr(from), piece}, WordList::Default());
      out.replace(from, std::string::npos, joined);
      prev = &b;
      continue;
    }
    if (prev != nullptr) {
      const bool list =
          prev->kind == BlockKind::kListItem && b.kind == BlockKind::kListItem;
      out += list ? "\n" : "\n\n";
    }
    out += piece;
    prev = &b;
  }
  if (!out.empty()) out += '\n';
  return out;
}

}  // namespace

std::string EscapeMarkdownLine(std::string_view line) {
  std::string s(line);
  if (s.empty()) return s;
  const char c = s[0];
  if (c == '#' || c == '>' || c == '<' || c == '=' || c == '`' || c == '~' || c == '|') {
    return "\\" + s;
  }
  if (c == '-' || c == '*' || c == '+' || c == '_') {
    const bool rule = s.find_first_not_of(std::string(1, c) + " ") == std::string::npos;
    if (rule || (s.size() >= 2 && s[1] == ' ')) return "\\" + s;
    return s;
  }
  size_t i = 0;
  while (i < s.size() && i < 9 && IsDigit(s[i])) ++i;
  if (i > 0 && i < s.size() && (s[i] == '.' || s[i] == ')') &&
      (i + 1 == s.size() || s[i + 1] == ' ')) {
    s.insert(i, "\\");
  }
  return s;
}

std::string RenderMarkdown(const PageModel& model) {
  return Render(model, [](const Block& b) -> std::string {
    switch (b.kind) {
      case BlockKind::kHeading:
        return HeadingMarkdown(b);
      case BlockKind::kListItem:
        return ListItemMarkdown(b);
      case BlockKind::kTable:
        if (b.table.rows == 0 || b.table.cols == 0) return "";
        return b.table.HasSpans() ? HtmlTable(b.table) : PipeTable(b.table);
      case BlockKind::kParagraph:
      case BlockKind::kCaption:
        return EscapeText(Trim(b.text));
      default:
        return "";  // furniture never reaches the body
    }
  });
}

std::string RenderPlainText(const PageModel& model) {
  return Render(model, [](const Block& b) -> std::string {
    switch (b.kind) {
      case BlockKind::kListItem:
        return b.marker.empty() ? OneLine(b.text) : b.marker + " " + OneLine(b.text);
      case BlockKind::kTable: {
        std::string out;
        for (int r = 0; r < b.table.rows; ++r) {
          if (r > 0) out += '\n';
          for (int c = 0; c < b.table.cols; ++c) {
            if (c > 0) out += '\t';
            const TableCell* cell = b.table.At(r, c);
            if (cell) out += OneLine(cell->text);
          }
        }
        return out;
      }
      case BlockKind::kHeading:
      case BlockKind::kParagraph:
      case BlockKind::kCaption:
        return std::string(Trim(b.text));
      default:
        return "";
    }
  });
}

}  // namespace pageflow
