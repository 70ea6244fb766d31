// The layout stage's input (one page's lines and words with boxes, and what the source
// knows about them) and its output, the page model every writer renders.
//
//   LayoutInput in{.page_width = 612, .page_height = 792, .unit = Unit::kPoints};
//   in.lines.push_back({.text = "Introduction", .box = {72, 80, 200, 96}});
//   PageModel model = Analyze(in, LayoutOptions{});  // see layout/layout.h
//
// Memory: both hold one page's text only (a few KB to a few hundred KB); the caller
// charges them to the page's reservation. Nothing here keeps a document's text.
#pragma once

#include <string>
#include <vector>

#include "base/text_line.h"

namespace pageflow {

// One page's words and lines as sources and engines give them (base/text_line.h).
using LayoutWord = TextWord;
using LayoutLine = TextLine;

struct LayoutInput {
  int page_width = 0;  // in `unit`; must be > 0
  int page_height = 0;
  Unit unit = Unit::kPixels;
  int page_index = 0;  // 0-based page of the document (for cross-page furniture)
  std::vector<LayoutLine> lines;  // any order
  // Ruling lines and rectangles drawn on the page (PDF vector graphics), as boxes. A
  // thin box is a line; a larger one contributes its four edges (cell borders).
  std::vector<Box> rulings;
};

enum class BlockKind {
  kHeading,
  kParagraph,
  kListItem,
  kTable,
  kCaption,
  // Page furniture: never in PageModel::blocks, only in PageModel::furniture.
  kHeader,
  kFooter,
  kPageNumber,
};

// "heading", "paragraph", "list_item", "table", "caption", "header", "footer",
// "page_number": the names the record's metadata uses.
const char* BlockKindName(BlockKind kind);

struct TableCell {
  int row = 0, col = 0;  // 0-based, of the top-left grid position
  int row_span = 1, col_span = 1;
  std::string text;  // lines joined with a space
  Box box;           // {} when unknown (parsed Markdown)
};

struct Table {
  int rows = 0, cols = 0;
  std::vector<TableCell> cells;  // row-major by (row, col); grid positions covered by a
                                 // span have no cell of their own
  bool HasSpans() const;
  // The cell whose top-left is (row, col), or nullptr.
  const TableCell* At(int row, int col) const;
};

struct Block {
  BlockKind kind = BlockKind::kParagraph;
  int level = 0;       // headings: 1 (largest) .. 6; otherwise 0
  std::string text;    // lines joined (hyphenation undone); list items without marker;
                       // tables: empty. May hold '\n' only for verbatim text (parsed
                       // code blocks).
  std::string marker;  // list items: the marker as printed ("•", "3.", "(a)")
  Box box;             // {} when unknown (parsed Markdown)
  std::vector<LayoutLine> lines;  // the source lines, in reading order
  float confidence = 1.0f;        // character-weighted mean of the lines'
  Table table;                    // kTable only
};

struct PageModel {
  int page_width = 0, page_height = 0;
  Unit unit = Unit::kPixels;
  std::vector<Block> blocks;     // the body, in reading order
  std::vector<Block> furniture;  // headers, footers, page numbers: not in the body
};

}  // namespace pageflow
