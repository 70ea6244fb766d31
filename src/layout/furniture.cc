#include "layout/furniture.h"

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <cstring>

#include "layout/geometry.h"

namespace pageflow {
namespace {

std::string Lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = char(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

bool AllOf(std::string_view s, const char* set) {
  return !s.empty() && s.find_first_not_of(set) == std::string_view::npos;
}

bool IsNumberOrRoman(std::string_view s) {
  return (AllOf(s, "0123456789") && s.size() <= 4) ||
         (AllOf(s, "ivxlcdm") && s.size() <= 7);
}

bool StartsWith(std::string_view s, std::string_view prefix) {
  return s.substr(0, prefix.size()) == prefix;
}

constexpr std::string_view kMonths[] = {"jan", "feb", "mar", "apr", "may", "jun",
                                        "jul", "aug", "sep", "oct", "nov", "dec"};

// "July 23, 1998", "23 Jul 1998", "1998-07-23", "07/23/1998": a date and nothing else.
bool IsDate(std::string_view lower) {
  if (AllOf(lower, "0123456789-/. ") && lower.size() >= 6 && lower.size() <= 10) {
    return std::count_if(lower.begin(), lower.end(),
                         [](char c) { return c == '-' || c == '/' || c == '.'; }) == 2;
  }
  const std::vector<std::string_view> words = SplitWords(lower);
  if (words.size() < 2 || words.size() > 3) return false;
  bool month = false, year = false;
  for (std::string_view w : words) {
    std::string_view core = w;
    while (!core.empty() && (core.back() == ',' || core.back() == '.'))
      core.remove_suffix(1);
    if (AllOf(core, "0123456789")) {
      year = year || core.size() == 4;
      if (core.size() > 4) return false;
      continue;
    }
    bool is_month = false;
    for (std::string_view m : kMonths) is_month = is_month || StartsWith(core, m);
    if (!is_month) return false;
    month = true;
  }
  return month && year;
}

}  // namespace

Band BandOf(const Box& box, int page_width, int page_height, float share) {
  if (page_height <= 0 || page_width <= 0) return Band::kBody;
  const float cy = 0.5f * float(box.y0 + box.y1);
  if (cy < share * float(page_height)) return Band::kTop;
  if (cy > (1.0f - share) * float(page_height)) return Band::kBottom;
  if (box.x1 <= share * float(page_width) ||
      box.x0 >= (1.0f - share) * float(page_width)) {
    return Band::kSide;
  }
  return Band::kBody;
}

bool IsPageNumber(std::string_view text) {
  std::string s = Lower(Trim(text));
  // Decorations around the number: "- 3 -", "— 3 —", "[3]", "(iv)", "| 3 |".
  const char* kDecor = " -|[]()\t";
  const std::string_view dashes[] = {"\u2013", "\u2014"};
  for (std::string_view d : dashes) {
    for (size_t at; (at = s.find(d)) != std::string::npos;) s.replace(at, d.size(), " ");
  }
  const size_t b = s.find_first_not_of(kDecor);
  if (b == std::string::npos) return false;
  s = s.substr(b, s.find_last_not_of(kDecor) - b + 1);
  for (std::string_view prefix : {"page ", "p. ", "pg. ", "seite "}) {
    if (StartsWith(s, prefix))
      s = std::string(Trim(std::string_view(s).substr(prefix.size())));
  }
  if (IsNumberOrRoman(s)) return true;
  const std::vector<std::string_view> w = SplitWords(s);
  if (w.size() == 3 && (w[1] == "of" || w[1] == "/")) {
    return IsNumberOrRoman(w[0]) && IsNumberOrRoman(w[2]);
  }
  const size_t slash = s.find('/');
  return w.size() == 1 && slash != std::string::npos &&
         IsNumberOrRoman(std::string_view(s).substr(0, slash)) &&
         IsNumberOrRoman(std::string_view(s).substr(slash + 1));
}

bool IsMarginNote(std::string_view text) {
  const std::string s = Lower(Trim(text));
  for (std::string_view prefix : {"downloaded from", "downloaded by", "retrieved from",
                                  "accessed ", "copyright", "\u00a9", "(c) "}) {
    if (StartsWith(s, prefix)) return true;
  }
  for (std::string_view part : {"http://", "https://", "www.", "doi:", "doi.org/",
                                "arxiv:", "issn", "all rights reserved"}) {
    if (s.find(part) != std::string::npos) return true;
  }
  return IsDate(s);
}

std::string NormalizeFurnitureText(std::string_view text) {
  std::string out;
  for (char c : Trim(text)) {
    if (out.size() >= FurnitureTracker::kMaxTextBytes) break;
    const unsigned char u = static_cast<unsigned char>(c);
    if (std::isdigit(u)) {
      if (out.empty() || out.back() != '#') out += '#';
    } else if (std::isspace(u)) {
      if (!out.empty() && out.back() != ' ') out += ' ';
    } else {
      out += char(std::tolower(u));
    }
  }
  while (!out.empty() && out.back() == ' ') out.pop_back();
  return out;
}

namespace {

bool SameLine(std::string_view entry_text, int entry_y, std::string_view key, int y) {
  return entry_text == key && std::abs(entry_y - y) <= 20;
}

}  // namespace

bool FurnitureTracker::Observe(int page, std::string_view text, const Box& box,
                               int page_height) {
  if (page_height <= 0) return false;
  return ObserveAt(page, text, int(500.0 * (box.y0 + box.y1) / page_height));
}

int FurnitureTracker::PagesSeen(std::string_view text, int y) const {
  const std::string key = NormalizeFurnitureText(text);
  std::lock_guard<std::mutex> lock(mu_);
  for (const Entry& e : entries_) {
    if (SameLine(std::string_view(e.text.data(), e.length), e.y_permille, key, y)) return e.pages;
  }
  return 0;
}

bool FurnitureTracker::ObserveAt(int page, std::string_view text, int y) {
  const std::string key = NormalizeFurnitureText(text);
  if (key.empty()) return false;
  std::lock_guard<std::mutex> lock(mu_);
  auto same = [&](const Entry& e) {
    return SameLine(std::string_view(e.text.data(), e.length), e.y_permille, key, y);
  };
  auto it = std::find_if(entries_.begin(), entries_.end(), same);
  if (it != entries_.end()) {
    if (it->last_page != page) {
      it->last_page = page;
      ++it->pages;
    }
    return it->pages >= 2;
  }
  if (page != current_page_) {
    current_page_ = page;
    recorded_on_page_ = 0;
  }
  if (recorded_on_page_ >= kLinesPerPage) return false;
  Entry entry{};
  std::memcpy(entry.text.data(), key.data(), key.size());
  entry.length = uint8_t(key.size());
  entry.y_permille = int16_t(y);
  entry.last_page = page;
  entry.pages = 1;
  if (entries_.size() < kMaxEntries) {
    if (entries_.capacity() == 0) entries_.reserve(kMaxEntries);
    entries_.push_back(entry);
  } else {
    // The oldest line seen once makes room; lines that repeat are kept.
    auto victim = entries_.end();
    for (auto e = entries_.begin(); e != entries_.end(); ++e) {
      if (e->pages == 1 &&
          (victim == entries_.end() || e->last_page < victim->last_page)) {
        victim = e;
      }
    }
    if (victim == entries_.end()) return false;
    *victim = entry;
  }
  ++recorded_on_page_;
  return false;
}

}  // namespace pageflow
