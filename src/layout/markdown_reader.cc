#include "layout/markdown_reader.h"

#include <algorithm>
#include <cctype>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "layout/geometry.h"

namespace pageflow {
namespace {

bool IsPunct(char c) { return std::ispunct(static_cast<unsigned char>(c)) != 0; }

// Backslash escapes of ASCII punctuation removed: "\#" -> "#".
std::string Unescape(std::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '\\' && i + 1 < s.size() && IsPunct(s[i + 1])) ++i;
    out += s[i];
  }
  return out;
}

bool IsBlank(std::string_view line) { return Trim(line).empty(); }

size_t Indent(std::string_view line) {
  size_t n = 0;
  while (n < line.size() && line[n] == ' ') ++n;
  return n;
}

bool IsFence(std::string_view line) {
  const std::string_view t = Trim(line);
  return t.substr(0, 3) == "```" || t.substr(0, 3) == "~~~";
}

// "## Title ##" -> level 2, "Title"; 0 when not an ATX heading.
int AtxHeading(std::string_view line, std::string* text) {
  if (Indent(line) > 3) return 0;
  line = Trim(line);
  size_t n = 0;
  while (n < line.size() && line[n] == '#') ++n;
  if (n == 0 || n > 6 || (n < line.size() && line[n] != ' ')) return 0;
  std::string_view rest = Trim(line.substr(n));
  // A closing sequence: spaces and '#'s at the end, unless escaped.
  size_t end = rest.size();
  while (end > 0 && rest[end - 1] == '#') --end;
  if (end == 0) {
    rest = {};
  } else if (end < rest.size() && rest[end - 1] == ' ') {
    rest = Trim(rest.substr(0, end));
  }
  *text = Unescape(rest);
  return int(n);
}

bool IsRuleOf(std::string_view line, char c) {
  const std::string_view t = Trim(line);
  return t.size() >= 3 &&
         t.find_first_not_of(std::string(1, c) + " ") == std::string_view::npos;
}

// A list item's marker and text, or false.
bool ListItem(std::string_view line, std::string* marker, std::string* text) {
  std::string_view t = Trim(line);
  size_t n = 0;
  if (!t.empty() && (t[0] == '-' || t[0] == '*' || t[0] == '+')) {
    n = 1;
  } else {
    while (n < t.size() && n < 9 && std::isdigit(static_cast<unsigned char>(t[n]))) ++n;
    if (n == 0 || n >= t.size() || (t[n] != '.' && t[n] != ')')) return false;
    ++n;
  }
  if (n >= t.size() || t[n] != ' ' || IsBlank(t.substr(n))) return false;
  *marker = std::string(t.substr(0, n));
  if (std::isdigit(static_cast<unsigned char>(t[0]))) {
    marker->back() = '.';
  } else {
    *marker = "-";
  }
  *text = Unescape(Trim(t.substr(n)));
  return true;
}

// Cells of a pipe table row: outer pipes dropped, split at unescaped '|'.
std::vector<std::string> PipeCells(std::string_view line) {
  std::string_view t = Trim(line);
  if (!t.empty() && t[0] == '|') t.remove_prefix(1);
  if (!t.empty() && t.back() == '|' && (t.size() < 2 || t[t.size() - 2] != '\\')) {
    t.remove_suffix(1);
  }
  std::vector<std::string> cells;
  std::string cell;
  for (size_t i = 0; i < t.size(); ++i) {
    if (t[i] == '\\' && i + 1 < t.size() && t[i + 1] == '|') {
      cell += '|';
      ++i;
    } else if (t[i] == '|') {
      cells.push_back(Unescape(Trim(cell)));
      cell.clear();
    } else {
      cell += t[i];
    }
  }
  cells.push_back(Unescape(Trim(cell)));
  return cells;
}

bool IsDelimiterRow(std::string_view line) {
  if (line.find('-') == std::string_view::npos) return false;
  for (const std::string& c : PipeCells(line)) {
    if (c.empty() || c.find_first_not_of(":-") != std::string::npos ||
        c.find('-') == std::string::npos) {
      return false;
    }
  }
  return true;
}

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = char(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string DecodeEntities(std::string_view s) {
  static const std::pair<std::string_view, std::string_view> kEntities[] = {
      {"&amp;", "&"}, {"&lt;", "<"},   {"&gt;", ">"},  {"&quot;", "\""},
      {"&#39;", "'"}, {"&apos;", "'"}, {"&nbsp;", " "}};
  std::string out;
  for (size_t i = 0; i < s.size();) {
    bool matched = false;
    if (s[i] == '&') {
      for (const auto& [name, value] : kEntities) {
        if (s.substr(i, name.size()) == name) {
          out += value;
          i += name.size();
          matched = true;
          break;
        }
      }
    }
    if (!matched) out += s[i++];
  }
  return out;
}

// The text of an HTML fragment: tags dropped (<br> as a space), entities decoded,
// whitespace collapsed.
std::string HtmlText(std::string_view html) {
  std::string text;
  for (size_t i = 0; i < html.size(); ++i) {
    if (html[i] == '<') {
      const size_t close = html.find('>', i);
      if (close == std::string_view::npos) break;
      text += ' ';
      i = close;
    } else {
      text += html[i];
    }
  }
  std::string out;
  for (char c : DecodeEntities(text)) {
    const bool space = std::isspace(static_cast<unsigned char>(c)) != 0;
    if (space && (out.empty() || out.back() == ' ')) continue;
    out += space ? ' ' : c;
  }
  while (!out.empty() && out.back() == ' ') out.pop_back();
  return out;
}

int SpanAttribute(std::string_view tag, std::string_view name) {
  const size_t at = tag.find(name);
  if (at == std::string_view::npos) return 1;
  size_t i = at + name.size();
  while (i < tag.size() &&
         (tag[i] == '=' || tag[i] == '"' || tag[i] == '\'' || tag[i] == ' ')) {
    ++i;
  }
  int n = 0;
  while (i < tag.size() && std::isdigit(static_cast<unsigned char>(tag[i])) && n < 1000) {
    n = n * 10 + (tag[i++] - '0');
  }
  return std::max(1, std::min(n, 1000));
}

// The next place of one tag in a text read front to back: a search is repeated only
// once the reader has passed the last place found, so a tag that never comes (no <th>
// in a table of <td>s) is looked for once, not once a cell (that made reading a long
// table quadratic: 2% of a text-layer run's CPU went to it).
class NextTag {
 public:
  NextTag(const std::string& text, std::string_view tag) : text_(text), tag_(tag) {}
  // The first place of the tag at or after `pos`.
  size_t From(size_t pos) {
    // The last answer holds if it was searched from at most `pos` and is not behind it.
    const bool holds = searched_from_ <= pos && (at_ == std::string::npos || at_ >= pos);
    if (!holds) {
      at_ = text_.find(tag_, pos);
      searched_from_ = pos;
    }
    return at_;
  }

 private:
  const std::string& text_;
  std::string_view tag_;
  size_t at_ = 0;
  size_t searched_from_ = std::string::npos;  // none yet
};

Table ParseHtmlTable(std::string_view html) {
  const std::string lower = Lower(html);
  Table table;
  std::set<std::pair<int, int>> occupied;
  NextTag tr_open(lower, "<tr"), tr_close(lower, "</tr"), td_open(lower, "<td"),
      td_close(lower, "</td"), th_open(lower, "<th"), th_close(lower, "</th");
  int row = -1;
  for (size_t pos = 0;;) {
    const size_t tr = tr_open.From(pos);
    const size_t cell = std::min(td_open.From(pos), th_open.From(pos));
    if (cell == std::string::npos && tr == std::string::npos) break;
    if (tr != std::string::npos && tr < cell) {
      ++row;
      pos = tr + 3;
      continue;
    }
    if (row < 0) row = 0;
    const size_t tag_end = lower.find('>', cell);
    if (tag_end == std::string::npos) break;
    size_t end =
        std::min({td_close.From(tag_end), th_close.From(tag_end), td_open.From(tag_end),
                  th_open.From(tag_end), tr_open.From(tag_end), tr_close.From(tag_end)});
    if (end == std::string::npos) end = lower.size();
    TableCell c;
    const std::string_view tag = std::string_view(lower).substr(cell, tag_end - cell);
    c.row = row;
    c.row_span = SpanAttribute(tag, "rowspan");
    c.col_span = SpanAttribute(tag, "colspan");
    c.col = 0;
    while (occupied.count({row, c.col})) ++c.col;
    for (int r = 0; r < c.row_span; ++r) {
      for (int k = 0; k < c.col_span; ++k) occupied.insert({row + r, c.col + k});
    }
    c.text = HtmlText(html.substr(tag_end + 1, end - tag_end - 1));
    table.rows = std::max(table.rows, row + c.row_span);
    table.cols = std::max(table.cols, c.col + c.col_span);
    table.cells.push_back(std::move(c));
    pos = end;
  }
  std::stable_sort(table.cells.begin(), table.cells.end(),
                   [](const TableCell& a, const TableCell& b) {
                     return a.row != b.row ? a.row < b.row : a.col < b.col;
                   });
  return table;
}

class Reader {
 public:
  PageModel Read(std::string_view markdown) {
    std::vector<std::string_view> lines;
    for (size_t start = 0; start <= markdown.size();) {
      size_t end = markdown.find('\n', start);
      if (end == std::string_view::npos) end = markdown.size();
      std::string_view line = markdown.substr(start, end - start);
      if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
      lines.push_back(line);
      start = end + 1;
    }
    for (size_t i = 0; i < lines.size();) i = Step(lines, i);
    Close();
    return std::move(model_);
  }

 private:
  // Reads the construct starting at lines[i]; returns the index after it.
  size_t Step(const std::vector<std::string_view>& lines, size_t i) {
    const std::string_view line = lines[i];
    std::string text, marker;
    if (IsBlank(line)) {
      Close();
      return i + 1;
    }
    if (IsFence(line)) {
      Close();
      const std::string_view fence = Trim(line).substr(0, 3);
      std::string code;
      size_t j = i + 1;
      for (; j < lines.size() && Trim(lines[j]).substr(0, 3) != fence; ++j) {
        if (!code.empty() || j > i + 1) code += '\n';
        code += std::string(lines[j]);
      }
      Add(BlockKind::kParagraph, code);
      Close();
      return std::min(j + 1, lines.size());
    }
    if (const int level = AtxHeading(line, &text)) {
      Close();
      Add(BlockKind::kHeading, text).level = level;
      Close();
      return i + 1;
    }
    if (open_ && open_kind_ == BlockKind::kParagraph &&
        (IsRuleOf(line, '=') || IsRuleOf(line, '-'))) {
      Block& b = model_.blocks.back();
      b.kind = BlockKind::kHeading;
      b.level = Trim(line)[0] == '=' ? 1 : 2;
      Close();
      return i + 1;
    }
    if (IsRuleOf(line, '-') || IsRuleOf(line, '*') || IsRuleOf(line, '_')) {
      Close();
      return i + 1;
    }
    if (Lower(Trim(line)).rfind("<table", 0) == 0) {
      Close();
      std::string html;
      size_t j = i;
      for (; j < lines.size(); ++j) {
        html += std::string(lines[j]);
        html += '\n';
        if (Lower(lines[j]).find("</table>") != std::string::npos) break;
      }
      Block& b = Add(BlockKind::kTable, "");
      b.table = ParseHtmlTable(html);
      Close();
      return std::min(j + 1, lines.size());
    }
    if (line.find('|') != std::string_view::npos && i + 1 < lines.size() &&
        IsDelimiterRow(lines[i + 1])) {
      Close();
      Block& b = Add(BlockKind::kTable, "");
      size_t j = i;
      for (int row = 0; j < lines.size() && !IsBlank(lines[j]) &&
                        lines[j].find('|') != std::string_view::npos;
           ++j) {
        if (j == i + 1) continue;  // the delimiter row
        const std::vector<std::string> cells = PipeCells(lines[j]);
        for (size_t c = 0; c < cells.size(); ++c) {
          TableCell cell;
          cell.row = row;
          cell.col = int(c);
          cell.text = cells[c];
          b.table.cells.push_back(std::move(cell));
        }
        b.table.cols = std::max(b.table.cols, int(cells.size()));
        b.table.rows = ++row;
      }
      Close();
      return j;
    }
    if (ListItem(line, &marker, &text)) {
      Close();
      Add(BlockKind::kListItem, text).marker = marker;
      return i + 1;
    }
    std::string_view content = Trim(line);
    if (!content.empty() && content[0] == '>') content = Trim(content.substr(1));
    if (open_) {
      Block& b = model_.blocks.back();
      b.text += ' ';
      b.text += Unescape(content);
    } else {
      Add(BlockKind::kParagraph, Unescape(content));
    }
    return i + 1;
  }

  Block& Add(BlockKind kind, std::string text) {
    Block b;
    b.kind = kind;
    b.text = std::move(text);
    model_.blocks.push_back(std::move(b));
    open_ = true;
    open_kind_ = kind;
    return model_.blocks.back();
  }

  void Close() { open_ = false; }

  PageModel model_;
  bool open_ = false;  // lines of text continue the last block
  BlockKind open_kind_ = BlockKind::kParagraph;
};

}  // namespace

PageModel ParseMarkdown(std::string_view markdown) { return Reader().Read(markdown); }

}  // namespace pageflow
