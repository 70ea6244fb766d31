// Structure checks: simple facts about a page as a human reads it ("this sentence is
// present", "this running header is absent", "this paragraph comes before that one",
// "this table cell has that neighbour"), checked against a page's output text. The file
// format (NAME.tests.jsonl beside a corpus document) is described in
// docs/structure-checks.md.
//
//   StatusOr<std::vector<StructureCheck>> checks =
//   LoadStructureChecks("doc.tests.jsonl"); CheckOutcome o =
//   RunStructureCheck((*checks)[0], page_markdown);
#pragma once

#include <string>
#include <vector>

#include "base/status.h"

namespace pageflow {

enum class CheckType { kPresent = 0, kAbsent, kOrder, kTable };
constexpr int kCheckTypes = 4;
const char* CheckTypeName(CheckType type);  // "present", "absent", "order", "table"

struct StructureCheck {
  std::string id;
  int page = 1;  // 1-based page of the document
  CheckType type = CheckType::kPresent;
  std::string text;           // present / absent
  std::string before, after;  // order: `before` starts before `after`
  // table: a cell whose text is `cell` and whose neighbours / headings are the given
  // texts (every non-empty one must hold for the same cell).
  std::string cell, up, down, left, right, top_heading, left_heading;
  int max_diffs = 0;            // edit budget (Levenshtein) for each fuzzy match
  int first_n = 0, last_n = 0;  // present/absent: only the page's first/last N characters
  bool case_sensitive = true;
};

// One check from one JSON object; INVALID_ARGUMENT names the missing or bad field.
StatusOr<StructureCheck> ParseStructureCheck(const std::string& json_line);
// Every non-blank line of a tests file; the error names the file and line.
StatusOr<std::vector<StructureCheck>> LoadStructureChecks(const std::string& path);

struct CheckOutcome {
  bool passed = false;
  std::string reason;  // why it failed; empty when passed
};
CheckOutcome RunStructureCheck(const StructureCheck& check, const std::string& page_text);

// Pass counts per check type, summed over checks / pages / items.
struct CheckTally {
  int passed[kCheckTypes] = {};
  int total[kCheckTypes] = {};
  void Add(CheckType type, bool ok);
  CheckTally& operator+=(const CheckTally& o);
  int Passed() const;
  int Total() const;
  double Rate(CheckType type) const;  // 0 when there are no checks of the type
  double Rate() const;                // over every type
};

// The text a check sees: NFC; Markdown emphasis markers and backslash escapes removed;
// curly quotes -> straight, dashes and minus signs -> '-', ligatures expanded (ﬁ -> fi);
// Unicode whitespace runs -> one space; trimmed. Lower-cased unless case_sensitive.
std::u32string NormalizeCheckText(const std::string& utf8, bool case_sensitive = true);

// Where `needle` occurs in `haystack` with at most max_diffs edits (Sellers' algorithm:
// O(|needle| * |haystack|) time, O(|needle|) memory). Returns the start of the leftmost
// best match, or -1. If `last` is set, the start of the rightmost match instead.
int64_t FuzzyFind(const std::u32string& needle, const std::u32string& haystack,
                  int max_diffs, bool last = false);

// A table as a grid: cells spanning rows or columns fill every position they cover, so
// grid[r][c] is an index into `cells` (-1: no cell there).
struct ParsedTable {
  struct Cell {
    std::string text;
    int row = 0, col = 0, row_span = 1, col_span = 1;
  };
  std::vector<Cell> cells;
  std::vector<std::vector<int>> grid;
};
// GitHub pipe tables (a header row, a delimiter row of dashes, body rows) and HTML
// <table> elements (<tr>, <td>/<th> with rowspan/colspan; tags inside cells stripped,
// entities decoded) found anywhere in a page's text.
std::vector<ParsedTable> ParseTables(const std::string& text);

}  // namespace pageflow
