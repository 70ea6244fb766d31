// The layout stage: one page's lines and words in, a page model out (reading order,
// paragraphs with hyphenation undone, headings with levels, list items, tables, captions,
// and page furniture set apart). Shared by every engine; writers render its result.
//
//   FurnitureTracker tracker;                                 // one per document
//   PageModel model = Analyze(input, LayoutOptions{}, &tracker);
//   std::string md = RenderMarkdown(model);                   // layout/writers.h
//
// Contract: never fails; an empty or degenerate input (no lines, zero page size) gives a
// model with no blocks. Every word of the input ends up in exactly one line of one body
// block or of `furniture` (lines sharing a baseline may be joined into one; empty lines
// are dropped). Boxes keep the input's unit.
// Memory: works on one page's lines only and keeps nothing after returning; the model
// holds a copy of the page's text and words (about the input's size), which the caller
// charges to the page's reservation. The word list (WordList::Default(), ~1.1 MB) is
// loaded once per process; the tracker is bounded (furniture.h: about 3.6 KB).
// Thread-safety: Analyze may run on many pages at once; a tracker must not be shared by
// pages laid out concurrently (one per document, used by its worker).
#pragma once

#include "layout/furniture.h"
#include "layout/page_model.h"
#include "layout/word_list.h"

namespace pageflow {

struct LayoutOptions {
  // Share of the page's height at the top and at the bottom (and of its width at each
  // side) where running headers, footers and page numbers are looked for. Default 0.07:
  // running heads of journals and LaTeX articles sit 4-6.5% from the edge. No effect on
  // memory.
  float margin_band = 0.07f;
  // Find tables (from rulings and from aligned words). Default on.
  bool tables = true;
  // The words that tell a line-end hyphen to drop ("docu-ment"); nullptr (default):
  // WordList::Default(). Not owned; must outlive the call.
  const WordList* words = nullptr;
};

// Lays out one page. `tracker` (may be null: furniture by position and form only)
// remembers the document's margin lines so that repeated ones are found from the second
// page on; pages must be given in order for that.
PageModel Analyze(const LayoutInput& input, const LayoutOptions& options,
                  FurnitureTracker* tracker = nullptr);

}  // namespace pageflow
