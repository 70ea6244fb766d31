#include "pipeline/page_selection.h"

#include <algorithm>
#include <climits>
#include <cstdint>
#include <sstream>

namespace pageflow {
namespace {

constexpr int kToEnd = INT_MAX - 1;  // "7-": to the last page, whatever it is

bool ParsePage(const std::string& s, int* page) {
  if (s.empty() || s.size() > 9 ||
      s.find_first_not_of("0123456789") != std::string::npos) {
    return false;
  }
  *page = std::stoi(s);
  return *page >= 1;
}

}  // namespace

StatusOr<std::vector<PageRange>> ParsePageSelection(const std::string& text) {
  std::vector<PageRange> ranges;
  std::stringstream ss(text);
  std::string part;
  while (std::getline(ss, part, ',')) {
    part.erase(std::remove(part.begin(), part.end(), ' '), part.end());
    if (part.empty()) continue;
    const size_t dash = part.find('-');
    int first = 0, last = 0;
    bool ok;
    if (dash == std::string::npos) {
      ok = ParsePage(part, &first);
      last = first;
    } else {
      ok = ParsePage(part.substr(0, dash), &first);
      const std::string tail = part.substr(dash + 1);
      if (tail.empty()) {
        last = kToEnd + 1;
      } else {
        ok = ok && ParsePage(tail, &last);
      }
    }
    if (!ok || last < first) {
      return InvalidArgument(
          "'" + part +
          "' is not a page or a range of pages (use e.g. 16-25,30 or 40-; "
          "pages count from 1)");
    }
    ranges.push_back(PageRange{first - 1, last - 1});
  }
  std::sort(ranges.begin(), ranges.end(),
            [](const PageRange& a, const PageRange& b) { return a.first < b.first; });
  std::vector<PageRange> merged;
  for (const PageRange& r : ranges) {
    if (!merged.empty() && r.first <= merged.back().last + 1) {
      merged.back().last = std::max(merged.back().last, r.last);
    } else {
      merged.push_back(r);
    }
  }
  return merged;
}

std::string PageSelectionText(const std::vector<PageRange>& selection) {
  std::string out;
  for (const PageRange& r : selection) {
    if (!out.empty()) out += ',';
    out += std::to_string(r.first + 1);
    if (r.last >= kToEnd) {
      out += '-';
    } else if (r.last != r.first) {
      out += '-' + std::to_string(r.last + 1);
    }
  }
  return out;
}

std::vector<PageRange> WorkRanges(int page_count, const std::vector<PageRange>& selection,
                                  int max_pages, int pages_per_range) {
  std::vector<PageRange> wanted = selection;
  if (wanted.empty()) wanted.push_back(PageRange{0, page_count - 1});
  int budget = max_pages > 0 ? max_pages : INT_MAX;
  std::vector<PageRange> out;
  for (const PageRange& w : wanted) {
    const int first = w.first;
    const int last = std::min(w.last, page_count - 1);
    for (int p = first; p <= last && budget > 0;) {
      const int end = static_cast<int>(std::min<int64_t>(
          {last, int64_t{p} + pages_per_range - 1, int64_t{p} + budget - 1}));
      out.push_back(PageRange{p, end});
      budget -= end - p + 1;
      p = end + 1;
    }
  }
  return out;
}

}  // namespace pageflow
