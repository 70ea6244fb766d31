// Writers: the page model as Markdown (the record's `text`, the `md` format) and as plain
// text in reading order (the `txt` format). Furniture is not rendered: it lives in
// PageModel::furniture for the record's metadata.
//
//   std::string md = RenderMarkdown(model);    // "# Title\n\nFirst paragraph...\n"
//   std::string txt = RenderPlainText(model);  // "Title\n\nFirst paragraph...\n"
//   std::string safe = EscapeMarkdownLine("## get the table");  // "\\## get the table"
//
// Pure functions; thread-safe. Output ends with one '\n' unless the body is empty ("").
#pragma once

#include <string>
#include <string_view>

#include "layout/page_model.h"

namespace pageflow {

// Headings as "#" x level, paragraphs and captions separated by blank lines, list items
// one a line ("- " for bullets, "3. " for numbers, "- (a) " for other markers), tables
// as GitHub pipe tables (the first row as the header), or as an HTML <table> when a cell
// spans rows or columns. Text that would read as markup is escaped (see below). A
// paragraph broken off mid-sentence at the foot of a column and carried on at the head
// of the next (a small letter, higher up in another column), or split after a line-end
// hyphen ("prolifer-" / "ation and survival"), is written as one, its hyphen undone
// like a line's (layout/paragraphs.h).
std::string RenderMarkdown(const PageModel& model);

// Text only: blocks separated by blank lines, list items one a line with their marker,
// table rows one a line with cells separated by tabs.
std::string RenderPlainText(const PageModel& model);

// Escapes what would make one line of content read as structure: a leading '#', '>',
// '<', '=', fence ("```", "~~~"), a leading '-', '*' or '+' followed by a space (or
// alone as a rule), and a leading number followed by '.' or ')' and a space.
std::string EscapeMarkdownLine(std::string_view line);

}  // namespace pageflow
