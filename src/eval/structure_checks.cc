#include "eval/structure_checks.h"

#include <unicode/normalizer2.h>
#include <unicode/uchar.h>
#include <unicode/unistr.h>

#include <algorithm>
#include <cctype>
#include <cstring>
#include <fstream>
#include <nlohmann/json.hpp>
#include <optional>

#include "eval/text_metrics.h"

using nlohmann::json;

namespace pageflow {
namespace {

// A page's text is bounded, but spans multiply it: hostile or broken HTML must not make
// a grid of a billion positions. A table stops growing at this count (4 MB of indices),
// far beyond any real table.
constexpr int kMaxSpan = 64;
constexpr size_t kMaxGridPositions = 1 << 20;

bool IsAsciiPunct(char32_t c) { return c < 128 && std::ispunct(static_cast<int>(c)); }
bool IsWordChar(char32_t c) {
  return c != 0 && (u_isalnum(static_cast<UChar32>(c)) != 0);
}

// Replaces HTML tags with a space and decodes the common entities, so that text in an
// HTML table or after a <br> reads as text.
std::string StripHtml(const std::string& s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '<' && i + 1 < s.size() &&
        (std::isalpha(static_cast<unsigned char>(s[i + 1])) || s[i + 1] == '/')) {
      // A tag ends on its own line before any other '<': "<not_contains" in a manual's
      // text must not swallow the page up to the next '>'.
      const size_t end = s.find_first_of("<>\n", i + 1);
      if (end != std::string::npos && s[end] == '>') {
        out += ' ';
        i = end;
        continue;
      }
    }
    if (s[i] == '&') {
      static const std::pair<const char*, const char*> kEntities[] = {
          {"&amp;", "&"}, {"&lt;", "<"},   {"&gt;", ">"},  {"&quot;", "\""},
          {"&#39;", "'"}, {"&apos;", "'"}, {"&nbsp;", " "}};
      bool done = false;
      for (const auto& [name, value] : kEntities) {
        if (s.compare(i, std::strlen(name), name) == 0) {
          out += value;
          i += std::strlen(name) - 1;
          done = true;
          break;
        }
      }
      if (done) continue;
    }
    out += s[i];
  }
  return out;
}

// Quote, dash and ligature folding; empty result: drop the character.
std::u32string FoldChar(char32_t c) {
  switch (c) {
    case 0x2018:
    case 0x2019:
    case 0x201A:
    case 0x201B:
    case 0x2032:
      return U"'";
    case 0x201C:
    case 0x201D:
    case 0x201E:
    case 0x201F:
    case 0x2033:
    case 0x00AB:
    case 0x00BB:
      return U"\"";
    case 0x2010:
    case 0x2011:
    case 0x2012:
    case 0x2013:
    case 0x2014:
    case 0x2015:
    case 0x2212:
    case 0xFE58:
    case 0xFE63:
    case 0xFF0D:
      return U"-";
    case 0x00AD:
    case 0x200B:
    case 0x200C:
    case 0x200D:
    case 0xFEFF:
      return U"";
    case 0x2026:
      return U"...";
    case 0xFB00:
      return U"ff";
    case 0xFB01:
      return U"fi";
    case 0xFB02:
      return U"fl";
    case 0xFB03:
      return U"ffi";
    case 0xFB04:
      return U"ffl";
    case 0xFB05:
    case 0xFB06:
      return U"st";
    default:
      return std::u32string(1, c);
  }
}

std::string Utf8(const std::u32string& s) {
  icu::UnicodeString u;
  for (char32_t c : s) u.append(static_cast<UChar32>(c));
  std::string out;
  u.toUTF8String(out);
  return out;
}

// Sellers' approximate substring search. Visits every match end whose cost is within
// the budget; returns the first (or, with `last`, the final) one's start.
int64_t Sellers(const std::u32string& needle, const std::u32string& hay, int max_diffs,
                bool last) {
  const size_t m = needle.size();
  if (m == 0) return 0;
  // Column of costs and match starts for needle prefixes 0..m: O(m) memory.
  std::vector<int> cost(m + 1), next_cost(m + 1);
  std::vector<int64_t> start(m + 1, 0), next_start(m + 1);
  for (size_t i = 0; i <= m; ++i) cost[i] = static_cast<int>(i);
  int64_t found = -1;
  if (cost[m] <= max_diffs) found = 0;  // the whole needle deleted: only for tiny needles
  for (size_t j = 0; j < hay.size(); ++j) {
    next_cost[0] = 0;
    next_start[0] = static_cast<int64_t>(j) + 1;
    for (size_t i = 1; i <= m; ++i) {
      int best = cost[i - 1] + (needle[i - 1] == hay[j] ? 0 : 1);
      int64_t from = start[i - 1];
      if (cost[i] + 1 < best) best = cost[i] + 1, from = start[i];
      if (next_cost[i - 1] + 1 < best)
        best = next_cost[i - 1] + 1, from = next_start[i - 1];
      next_cost[i] = best;
      next_start[i] = from;
    }
    std::swap(cost, next_cost);
    std::swap(start, next_start);
    if (cost[m] <= max_diffs) {
      found = start[m];
      if (!last) return found;
    }
  }
  return found;
}

std::u32string Window(const std::u32string& page, const StructureCheck& c) {
  if (c.first_n > 0 && page.size() > static_cast<size_t>(c.first_n))
    return page.substr(0, c.first_n);
  if (c.last_n > 0 && page.size() > static_cast<size_t>(c.last_n)) {
    return page.substr(page.size() - c.last_n);
  }
  return page;
}

// At most 60 bytes for a report, cut at a code point (JSON output must stay UTF-8).
std::string Shorten(const std::string& s) {
  if (s.size() <= 60) return s;
  size_t cut = 57;
  while (cut > 0 && (static_cast<unsigned char>(s[cut]) & 0xC0) == 0x80) --cut;
  return s.substr(0, cut) + "...";
}

// ---- tables ----

std::vector<std::string> SplitLines(const std::string& text) {
  std::vector<std::string> lines;
  size_t start = 0;
  for (size_t i = 0; i <= text.size(); ++i) {
    if (i == text.size() || text[i] == '\n') {
      std::string line = text.substr(start, i - start);
      if (!line.empty() && line.back() == '\r') line.pop_back();
      lines.push_back(std::move(line));
      start = i + 1;
    }
  }
  return lines;
}

std::string Trim(const std::string& s) {
  const size_t a = s.find_first_not_of(" \t");
  if (a == std::string::npos) return "";
  const size_t b = s.find_last_not_of(" \t");
  return s.substr(a, b - a + 1);
}

bool IsDelimiterRow(const std::string& line) {
  const std::string t = Trim(line);
  if (t.find('|') == std::string::npos || t.find('-') == std::string::npos) return false;
  return t.find_first_not_of("|-: \t") == std::string::npos;
}

// Cells of a pipe-table row; "\|" is a literal bar inside a cell.
std::vector<std::string> SplitRow(const std::string& line) {
  std::string t = Trim(line);
  if (!t.empty() && t.front() == '|') t.erase(0, 1);
  if (!t.empty() && t.back() == '|' && (t.size() < 2 || t[t.size() - 2] != '\\'))
    t.pop_back();
  std::vector<std::string> cells;
  std::string cur;
  for (size_t i = 0; i < t.size(); ++i) {
    if (t[i] == '\\' && i + 1 < t.size() && t[i + 1] == '|') {
      cur += '|';
      ++i;
    } else if (t[i] == '|') {
      cells.push_back(Trim(cur));
      cur.clear();
    } else {
      cur += t[i];
    }
  }
  cells.push_back(Trim(cur));
  return cells;
}

// Places cells row by row, skipping positions that spans from above already cover.
void BuildGrid(ParsedTable& t, const std::vector<std::vector<ParsedTable::Cell>>& rows) {
  size_t positions = 0;
  for (size_t ri = 0; ri < rows.size(); ++ri) {
    const auto& row = rows[ri];
    const int r = static_cast<int>(ri);
    if (t.grid.size() <= ri) t.grid.resize(ri + 1);
    int c = 0;
    for (ParsedTable::Cell cell : row) {
      auto& line = t.grid[r];
      while (static_cast<size_t>(c) < line.size() && line[c] != -1) ++c;
      cell.row = r;
      cell.col = c;
      cell.row_span = std::clamp(cell.row_span, 1, kMaxSpan);
      cell.col_span = std::clamp(cell.col_span, 1, kMaxSpan);
      const size_t width = static_cast<size_t>(c + cell.col_span);
      size_t growth = 0;
      for (size_t rr = ri; rr < ri + cell.row_span; ++rr) {
        const size_t have = rr < t.grid.size() ? t.grid[rr].size() : 0;
        growth += have < width ? width - have : 0;
      }
      if (positions + growth > kMaxGridPositions) return;  // the cells placed so far stay
      positions += growth;
      const int index = static_cast<int>(t.cells.size());
      for (int rr = r; rr < r + cell.row_span; ++rr) {
        if (t.grid.size() <= static_cast<size_t>(rr)) t.grid.resize(rr + 1);
        auto& g = t.grid[rr];
        if (g.size() < width) g.resize(width, -1);
        for (int cc = c; cc < c + cell.col_span; ++cc) g[cc] = index;
      }
      c += cell.col_span;
      t.cells.push_back(std::move(cell));
    }
  }
}

std::vector<ParsedTable> ParsePipeTables(const std::string& text) {
  std::vector<ParsedTable> tables;
  const std::vector<std::string> lines = SplitLines(text);
  for (size_t i = 0; i + 1 < lines.size(); ++i) {
    if (lines[i].find('|') == std::string::npos || !IsDelimiterRow(lines[i + 1]))
      continue;
    std::vector<std::vector<ParsedTable::Cell>> rows;
    auto add = [&rows](const std::string& line) {
      std::vector<ParsedTable::Cell> row;
      for (std::string& s : SplitRow(line))
        row.push_back(ParsedTable::Cell{std::move(s)});
      rows.push_back(std::move(row));
    };
    add(lines[i]);
    size_t j = i + 2;
    for (; j < lines.size() && !Trim(lines[j]).empty() &&
           lines[j].find('|') != std::string::npos;
         ++j) {
      add(lines[j]);
    }
    ParsedTable t;
    BuildGrid(t, rows);
    tables.push_back(std::move(t));
    i = j - 1;
  }
  return tables;
}

std::string LowerAscii(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

int SpanAttribute(const std::string& tag, const char* name) {
  const size_t at = tag.find(name);
  if (at == std::string::npos) return 1;
  size_t i = tag.find_first_of("0123456789", at);
  if (i == std::string::npos || i > at + std::strlen(name) + 3) return 1;
  int v = 0;
  for (; i < tag.size() && std::isdigit(static_cast<unsigned char>(tag[i])) && v < 100000;
       ++i) {
    v = v * 10 + (tag[i] - '0');
  }
  return std::max(v, 1);
}

std::vector<ParsedTable> ParseHtmlTables(const std::string& text) {
  std::vector<ParsedTable> tables;
  const std::string lower = LowerAscii(text);
  size_t pos = 0;
  while ((pos = lower.find("<table", pos)) != std::string::npos) {
    std::vector<std::vector<ParsedTable::Cell>> rows;
    std::optional<ParsedTable::Cell> cell;
    std::string cell_raw;
    int depth = 0;
    size_t i = pos;
    auto close_cell = [&] {
      if (!cell) return;
      if (rows.empty()) rows.emplace_back();
      cell->text = Trim(StripHtml(cell_raw));
      rows.back().push_back(std::move(*cell));
      cell.reset();
      cell_raw.clear();
    };
    while (i < lower.size()) {
      if (lower[i] != '<') {
        const size_t next = lower.find('<', i);
        const size_t end = next == std::string::npos ? lower.size() : next;
        if (cell) cell_raw += text.substr(i, end - i);
        i = end;
        continue;
      }
      const size_t close = lower.find('>', i);
      if (close == std::string::npos) break;
      const std::string tag = lower.substr(i, close - i + 1);
      i = close + 1;
      auto is = [&tag](const char* name) {
        const size_t n = std::strlen(name);
        return tag.compare(0, n, name) == 0 &&
               (tag.size() == n || !std::isalpha(static_cast<unsigned char>(tag[n])));
      };
      if (is("<table")) {
        if (++depth > 1 && cell) cell_raw += ' ';  // a nested table reads as text
        continue;
      }
      if (is("</table")) {
        if (--depth == 0) break;
        continue;
      }
      if (depth > 1) {
        if (cell) cell_raw += ' ' + text.substr(i - tag.size(), tag.size());
        continue;
      }
      if (is("<tr")) {
        close_cell();
        rows.emplace_back();
      } else if (is("<td") || is("<th")) {
        close_cell();
        cell = ParsedTable::Cell{};
        cell->row_span = SpanAttribute(tag, "rowspan");
        cell->col_span = SpanAttribute(tag, "colspan");
      } else if (is("</td") || is("</th") || is("</tr")) {
        close_cell();
      } else if (cell) {
        cell_raw += ' ';  // <br>, <b>, ...: a word boundary at most
      }
    }
    close_cell();
    ParsedTable t;
    BuildGrid(t, rows);
    tables.push_back(std::move(t));
    pos = std::max(i, pos + 1);
  }
  return tables;
}

bool SameText(const std::string& a, const std::string& b, const StructureCheck& c) {
  const std::u32string x = NormalizeCheckText(a, c.case_sensitive);
  const std::u32string y = NormalizeCheckText(b, c.case_sensitive);
  if (c.max_diffs == 0) return x == y;
  const int64_t gap = static_cast<int64_t>(x.size()) - static_cast<int64_t>(y.size());
  if (gap > c.max_diffs || -gap > c.max_diffs) return false;
  return EditDistance(x, y) <= c.max_diffs;
}

// Cell indices next to `cell` in a direction (or its headings), spans considered.
std::vector<int> Neighbours(const ParsedTable& t, int index,
                            const std::string& relation) {
  const ParsedTable::Cell& cell = t.cells[index];
  std::vector<int> out;
  auto at = [&t](int r, int c) {
    if (r < 0 || c < 0 || static_cast<size_t>(r) >= t.grid.size()) return -1;
    const auto& row = t.grid[r];
    return static_cast<size_t>(c) < row.size() ? row[c] : -1;
  };
  auto add = [&](int i) {
    if (i >= 0 && i != index && std::find(out.begin(), out.end(), i) == out.end())
      out.push_back(i);
  };
  const int r0 = cell.row, r1 = cell.row + cell.row_span, c0 = cell.col,
            c1 = cell.col + cell.col_span;
  for (int c = c0; c < c1; ++c) {
    if (relation == "up") add(at(r0 - 1, c));
    if (relation == "down") add(at(r1, c));
    if (relation == "top_heading") {
      for (int r = 0; r < r0; ++r) {
        const int i = at(r, c);
        if (i >= 0 && !Trim(t.cells[i].text).empty()) {
          add(i);
          break;
        }
      }
    }
  }
  for (int r = r0; r < r1; ++r) {
    if (relation == "left") add(at(r, c0 - 1));
    if (relation == "right") add(at(r, c1));
    if (relation == "left_heading") {
      for (int c = 0; c < c0; ++c) {
        const int i = at(r, c);
        if (i >= 0 && !Trim(t.cells[i].text).empty()) {
          add(i);
          break;
        }
      }
    }
  }
  return out;
}

CheckOutcome RunTableCheck(const StructureCheck& c, const std::string& page) {
  const std::vector<ParsedTable> tables = ParseTables(page);
  if (tables.empty()) return {false, "no table on the page"};
  const std::pair<const char*, const std::string*> relations[] = {
      {"up", &c.up},
      {"down", &c.down},
      {"left", &c.left},
      {"right", &c.right},
      {"top_heading", &c.top_heading},
      {"left_heading", &c.left_heading}};
  bool cell_found = false;
  std::string failed;
  for (const ParsedTable& t : tables) {
    for (size_t i = 0; i < t.cells.size(); ++i) {
      if (!SameText(t.cells[i].text, c.cell, c)) continue;
      cell_found = true;
      bool all = true;
      for (const auto& [name, want] : relations) {
        if (want->empty()) continue;
        bool ok = false;
        for (int n : Neighbours(t, static_cast<int>(i), name))
          ok = ok || SameText(t.cells[n].text, *want, c);
        if (!ok) {
          all = false;
          failed = name;
          break;
        }
      }
      if (all) return {true, ""};
    }
  }
  if (!cell_found)
    return {false, "cell '" + Shorten(c.cell) + "' not in any of " +
                       std::to_string(tables.size()) + " tables"};
  return {false, "cell '" + Shorten(c.cell) + "' found, but not with that " + failed +
                     " neighbour"};
}

}  // namespace

const char* CheckTypeName(CheckType type) {
  switch (type) {
    case CheckType::kPresent:
      return "present";
    case CheckType::kAbsent:
      return "absent";
    case CheckType::kOrder:
      return "order";
    case CheckType::kTable:
      return "table";
  }
  return "?";
}

std::u32string NormalizeCheckText(const std::string& utf8, bool case_sensitive) {
  UErrorCode err = U_ZERO_ERROR;
  const icu::Normalizer2* nfc = icu::Normalizer2::getNFCInstance(err);
  const icu::UnicodeString in = icu::UnicodeString::fromUTF8(StripHtml(utf8));
  icu::UnicodeString normalized = U_SUCCESS(err) ? nfc->normalize(in, err) : in;
  if (U_FAILURE(err)) normalized = in;
  std::u32string folded;
  for (int32_t i = 0; i < normalized.length();) {
    const UChar32 c = normalized.char32At(i);
    i += U16_LENGTH(c);
    folded += FoldChar(static_cast<char32_t>(case_sensitive ? c : u_tolower(c)));
  }
  // Markdown markup, dropped on both sides of a comparison so that emphasis and escapes
  // in the output never decide a check: "\*" is a literal star, "**"/"__" and a star or
  // underscore not inside a word are emphasis.
  std::u32string out;
  bool pending_space = false;
  for (size_t i = 0; i < folded.size(); ++i) {
    char32_t c = folded[i];
    const char32_t prev = i > 0 ? folded[i - 1] : 0;
    const char32_t next = i + 1 < folded.size() ? folded[i + 1] : 0;
    if (c == U'\\' && IsAsciiPunct(next)) {
      c = next;
      ++i;
    } else if (c == U'*' || (c == U'_' && !(IsWordChar(prev) && IsWordChar(next)))) {
      continue;
    }
    if (u_isUWhiteSpace(static_cast<UChar32>(c))) {
      pending_space = !out.empty();
      continue;
    }
    if (pending_space) out += U' ';
    pending_space = false;
    out += c;
  }
  return out;
}

int64_t FuzzyFind(const std::u32string& needle, const std::u32string& haystack,
                  int max_diffs, bool last) {
  return Sellers(needle, haystack, std::max(max_diffs, 0), last);
}

std::vector<ParsedTable> ParseTables(const std::string& text) {
  std::vector<ParsedTable> tables = ParsePipeTables(text);
  for (ParsedTable& t : ParseHtmlTables(text)) tables.push_back(std::move(t));
  return tables;
}

CheckOutcome RunStructureCheck(const StructureCheck& c, const std::string& page_text) {
  if (c.type == CheckType::kTable) return RunTableCheck(c, page_text);
  const std::u32string page = NormalizeCheckText(page_text, c.case_sensitive);
  if (c.type == CheckType::kOrder) {
    const std::u32string before = NormalizeCheckText(c.before, c.case_sensitive);
    const std::u32string after = NormalizeCheckText(c.after, c.case_sensitive);
    const int64_t b = FuzzyFind(before, page, c.max_diffs);
    if (b < 0) return {false, "'before' text not found: '" + Shorten(c.before) + "'"};
    const int64_t a = FuzzyFind(after, page, c.max_diffs, /*last=*/true);
    if (a < 0) return {false, "'after' text not found: '" + Shorten(c.after) + "'"};
    if (b < a) return {true, ""};
    return {false, "'" + Shorten(c.after) + "' comes before '" + Shorten(c.before) + "'"};
  }
  const std::u32string text = NormalizeCheckText(c.text, c.case_sensitive);
  const int64_t at = FuzzyFind(text, Window(page, c), c.max_diffs);
  if (c.type == CheckType::kPresent) {
    if (at >= 0) return {true, ""};
    return {false, "not found: '" + Shorten(c.text) + "'"};
  }
  if (at < 0) return {true, ""};
  const std::u32string window = Window(page, c);
  return {false, "found: '" + Shorten(Utf8(window.substr(at, text.size()))) + "'"};
}

StatusOr<StructureCheck> ParseStructureCheck(const std::string& line) {
  const json j = json::parse(line, nullptr, /*allow_exceptions=*/false);
  if (!j.is_object()) return InvalidArgument("not a JSON object");
  StructureCheck c;
  auto str = [&j](const char* key, std::string* out) -> Status {
    if (!j.contains(key) || j[key].is_null()) return Status::Ok();
    if (!j[key].is_string())
      return InvalidArgument(std::string("'") + key + "' must be a string");
    *out = j[key].get<std::string>();
    return Status::Ok();
  };
  auto num = [&j](const char* key, int* out) -> Status {
    if (!j.contains(key) || j[key].is_null()) return Status::Ok();
    if (!j[key].is_number_integer() || j[key].get<int64_t>() < 0 ||
        j[key].get<int64_t>() > 1000000) {
      return InvalidArgument(std::string("'") + key + "' must be a non-negative integer");
    }
    *out = j[key].get<int>();
    return Status::Ok();
  };
  std::string type;
  for (auto [key, out] : {std::pair{"id", &c.id},
                          {"type", &type},
                          {"text", &c.text},
                          {"before", &c.before},
                          {"after", &c.after},
                          {"cell", &c.cell},
                          {"up", &c.up},
                          {"down", &c.down},
                          {"left", &c.left},
                          {"right", &c.right},
                          {"top_heading", &c.top_heading},
                          {"left_heading", &c.left_heading}}) {
    PF_RETURN_IF_ERROR(str(key, out));
  }
  PF_RETURN_IF_ERROR(num("page", &c.page));
  PF_RETURN_IF_ERROR(num("max_diffs", &c.max_diffs));
  PF_RETURN_IF_ERROR(num("first_n", &c.first_n));
  PF_RETURN_IF_ERROR(num("last_n", &c.last_n));
  if (j.contains("case_sensitive")) {
    if (!j["case_sensitive"].is_boolean())
      return InvalidArgument("'case_sensitive' must be true or false");
    c.case_sensitive = j["case_sensitive"].get<bool>();
  }
  const std::string who = c.id.empty() ? "check" : "check '" + c.id + "'";
  if (!j.contains("page") || c.page < 1)
    return InvalidArgument(who + ": 'page' (1-based) is required");
  if (type == "present" || type == "absent") {
    c.type = type == "present" ? CheckType::kPresent : CheckType::kAbsent;
    if (c.text.empty())
      return InvalidArgument(who + ": a " + type + " check needs 'text'");
  } else if (type == "order") {
    c.type = CheckType::kOrder;
    if (c.before.empty() || c.after.empty())
      return InvalidArgument(who + ": an order check needs 'before' and 'after'");
  } else if (type == "table") {
    c.type = CheckType::kTable;
    if (c.cell.empty()) return InvalidArgument(who + ": a table check needs 'cell'");
    if (c.up.empty() && c.down.empty() && c.left.empty() && c.right.empty() &&
        c.top_heading.empty() && c.left_heading.empty()) {
      return InvalidArgument(who +
                             ": a table check needs one of up, down, left, right, "
                             "top_heading, left_heading");
    }
  } else {
    return InvalidArgument(who + ": unknown 'type' '" + type +
                           "' (use present, absent, order or table)");
  }
  return c;
}

StatusOr<std::vector<StructureCheck>> LoadStructureChecks(const std::string& path) {
  std::ifstream in(path);
  if (!in) return NotFound("cannot read structure checks '" + path + "'");
  std::vector<StructureCheck> checks;
  std::string line;
  for (int n = 1; std::getline(in, line); ++n) {
    if (Trim(line).empty()) continue;
    StatusOr<StructureCheck> c = ParseStructureCheck(line);
    if (!c.ok())
      return InvalidArgument(path + ":" + std::to_string(n) + ": " +
                             c.status().message());
    if (c->id.empty()) c->id = "line " + std::to_string(n);
    checks.push_back(std::move(*c));
  }
  return checks;
}

void CheckTally::Add(CheckType type, bool ok) {
  ++total[static_cast<int>(type)];
  if (ok) ++passed[static_cast<int>(type)];
}

CheckTally& CheckTally::operator+=(const CheckTally& o) {
  for (int i = 0; i < kCheckTypes; ++i) {
    passed[i] += o.passed[i];
    total[i] += o.total[i];
  }
  return *this;
}

int CheckTally::Passed() const {
  int n = 0;
  for (int p : passed) n += p;
  return n;
}

int CheckTally::Total() const {
  int n = 0;
  for (int t : total) n += t;
  return n;
}

double CheckTally::Rate(CheckType type) const {
  const int i = static_cast<int>(type);
  return total[i] > 0 ? static_cast<double>(passed[i]) / total[i] : 0;
}

double CheckTally::Rate() const {
  return Total() > 0 ? static_cast<double>(Passed()) / Total() : 0;
}

}  // namespace pageflow
