// Page furniture: running headers, footers and page numbers, found by position (the top
// and bottom bands of the page), by form ("12", "Page 3 of 10", "- iv -", "Downloaded
// from ...", a URL, DOI or date alone in a margin) and by repetition across a document's
// pages (FurnitureTracker: same text, digits aside, at about the same height).
//
//   FurnitureTracker tracker;  // one per document
//   if (IsPageNumber("- 3 -")) ...
//   bool repeats = tracker.Observe(page_index, "Journal of Foo, vol. 12", box, height);
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "base/text_line.h"
#include "layout/page_model.h"

namespace pageflow {

enum class Band { kBody, kTop, kBottom, kSide };

// Where a line sits: its centre in the top or bottom `share` of the page's height, or
// the whole line in the left or right `share` of its width (side margins).
Band BandOf(const Box& box, int page_width, int page_height, float share);

// "12", "Page 3", "page 3 of 10", "- 3 -", "[3]", "3 / 10", "iv", "xii".
bool IsPageNumber(std::string_view text);
// Margin text that is furniture by its form: "Downloaded from ...", copyright lines,
// URLs, DOIs, arXiv identifiers, ISSNs, and dates alone.
bool IsMarginNote(std::string_view text);

// Lowercased ASCII, runs of digits as one '#', whitespace collapsed, at most
// FurnitureTracker::kMaxTextBytes bytes: "Page 12 of 30" -> "page # of #".
std::string NormalizeFurnitureText(std::string_view text);

// Remembers a document's margin lines to tell which repeat from page to page. Bounded:
// at most kMaxEntries entries of sizeof(Entry) (56) bytes, about 3.6 KB per document,
// whatever the document's length; at most kLinesPerPage lines are recorded per page.
// When full, an entry seen on one page only (the oldest) makes room; repeated ones stay.
// A header is found from its second page on: the first page's copy went out already.
// Thread-safe: one tracker per document, shared by the workers laying out its pages;
// pages seen a little out of order (two workers) only delay what repetition finds.
class FurnitureTracker {
 public:
  static constexpr size_t kMaxEntries = 64;
  static constexpr size_t kMaxTextBytes = 45;
  static constexpr int kLinesPerPage = 6;

  // Records a margin line of page `page` and returns whether the same normalized text
  // was seen at about the same height (within 2% of the page) on another page.
  bool Observe(int page, std::string_view text, const Box& box, int page_height);
  // The same with the line's centre given in thousandths of the page's height.
  bool ObserveAt(int page, std::string_view text, int y_permille);
  // On how many distinct pages this text was seen at about this height (0: never, or
  // forgotten to make room).
  int PagesSeen(std::string_view text, int y_permille) const;

  size_t size() const {
    std::lock_guard<std::mutex> lock(mu_);
    return entries_.size();
  }
  // What the tracker holds, in bytes (the object and its entries' storage).
  size_t MemoryBytes() const {
    return sizeof(*this) + entries_.capacity() * sizeof(Entry);
  }

 private:
  struct Entry {
    int32_t last_page;
    int32_t pages;       // distinct pages it was seen on
    int16_t y_permille;  // centre, thousandths of the page height
    uint8_t length;
    std::array<char, kMaxTextBytes> text;
  };
  static_assert(sizeof(Entry) == 56, "the bound stated above");

  mutable std::mutex mu_;
  std::vector<Entry> entries_;  // capacity <= kMaxEntries
  int current_page_ = -1;
  int recorded_on_page_ = 0;
};

}  // namespace pageflow
