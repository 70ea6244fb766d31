#include "layout/page_model.h"

namespace pageflow {

const char* BlockKindName(BlockKind kind) {
  switch (kind) {
    case BlockKind::kHeading:
      return "heading";
    case BlockKind::kParagraph:
      return "paragraph";
    case BlockKind::kListItem:
      return "list_item";
    case BlockKind::kTable:
      return "table";
    case BlockKind::kCaption:
      return "caption";
    case BlockKind::kHeader:
      return "header";
    case BlockKind::kFooter:
      return "footer";
    case BlockKind::kPageNumber:
      return "page_number";
  }
  return "paragraph";
}

bool Table::HasSpans() const {
  for (const TableCell& c : cells) {
    if (c.row_span > 1 || c.col_span > 1) return true;
  }
  return false;
}

const TableCell* Table::At(int row, int col) const {
  for (const TableCell& c : cells) {
    if (c.row == row && c.col == col) return &c;
  }
  return nullptr;
}

}  // namespace pageflow
