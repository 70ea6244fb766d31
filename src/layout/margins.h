// Page margins: the lines alone at the top and bottom edges of a page (running headers,
// footers, page numbers), set apart from the body after the layout stage has ordered
// it. Some are furniture by their place and form alone; the others are kept aside for
// the document's assembly to decide from its other pages (PageRecord::margins).
//
//   std::vector<MarginLine> undecided = SetMarginsApart(model, PageRecord::kMaxMargins);
//   // model.blocks: the body; model.furniture: what is furniture already
#pragma once

#include <cstddef>
#include <vector>

#include "layout/page_model.h"

namespace pageflow {

struct MarginLine {
  bool bottom = false;  // at the page's foot (a footer), else its head
  int y_permille = 0;   // the line's centre, thousandths of the page's height
  Block block;          // one line
};

// Margin lines are one-line paragraphs or headings whose centre lies in the top (or
// bottom) 8% of the page and with no line of the body above (below) them — wherever
// reading order put them: a running header beside the page number in the top corner,
// a journal footer at the foot of the left column. At most `max_margins` of them, the
// nearest the edges first. Then:
//  - furniture at once (into model.furniture): a margin line that is not a heading
//    and either in the body's type size or smaller and set apart from the body by a gap
//    of 1.5 times its height, or at most 1.2 times the body's size, short (under 2/5 of
//    the page's width) and aligned with none of the body's left edges (a running title
//    in the corner or centred over the text, not the last line of a paragraph carried
//    over from the page before);
//  - a page number by its form ("6", "- 12 -") that is the lowest (highest) line of the
//    page in its bottom (top) quarter, alone on its row: furniture too, whatever the
//    margin band (LaTeX sets page numbers high above the paper's edge);
//  - the rest are removed from the body and returned: whether they repeat on other
//    pages decides (the document's assembly).
// model.furniture ends sorted from the top of the page.
std::vector<MarginLine> SetMarginsApart(PageModel& model, size_t max_margins);

}  // namespace pageflow
