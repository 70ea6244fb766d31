// Page selection (--pages 16-25,30): which pages of each document a run does, and how
// they are cut into work items.
//
//   StatusOr<std::vector<PageRange>> sel = ParsePageSelection("16-25,30");
//   for (PageRange r : WorkRanges(page_count, *sel, max_pages, pages_per_range)) ...
#pragma once

#include <string>
#include <vector>

#include "base/status.h"
#include "output/workspace.h"

namespace pageflow {

// "16-25,30" (1-based, inclusive; "7-" = from 7 to the end) into sorted, merged 0-based
// ranges. INVALID_ARGUMENT (naming the bad part) for anything else, for 0, or a range
// that ends before it starts. An empty text selects nothing special: an empty list.
StatusOr<std::vector<PageRange>> ParsePageSelection(const std::string& text);

// The canonical text of a selection ("16-25,30"), for fingerprints and messages.
std::string PageSelectionText(const std::vector<PageRange>& selection);

// The work items of a document of `page_count` pages: the selected pages (all without
// a selection) that exist, the first `max_pages` of them (0 = all), cut into ranges of
// at most `pages_per_range` consecutive pages.
std::vector<PageRange> WorkRanges(int page_count, const std::vector<PageRange>& selection,
                                  int max_pages, int pages_per_range);

}  // namespace pageflow
