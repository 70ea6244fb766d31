#include "layout/lists.h"

#include <cctype>

#include "layout/geometry.h"

namespace pageflow {
namespace {

constexpr std::string_view kBullets[] = {"•", "◦", "▪", "‣", "·", "●", "○", "■",
                                         "□", "➢", "►", "-", "–", "—", "*", "+"};

bool IsRoman(std::string_view s) {
  if (s.empty() || s.size() > 5) return false;
  for (char c : s) {
    if (std::string_view("ivxlc").find(c) == std::string_view::npos) return false;
  }
  return true;
}

// "12", "a", "iv": the inside of an ordered marker.
bool IsOrdinal(std::string_view s) {
  if (s.empty()) return false;
  bool digits = s.size() <= 3;
  for (char c : s) digits = digits && std::isdigit(static_cast<unsigned char>(c));
  if (digits) return true;
  if (s.size() == 1 && std::islower(static_cast<unsigned char>(s[0]))) return true;
  return IsRoman(s);
}

ListMarker Found(std::string_view line, size_t marker_end, bool ordered) {
  if (marker_end >= line.size() || line[marker_end] != ' ') return {};
  std::string_view rest = Trim(line.substr(marker_end));
  if (rest.empty()) return {};
  return {true, ordered, line.substr(0, marker_end), rest};
}

}  // namespace

ListMarker ParseListMarker(std::string_view line) {
  line = Trim(line);
  for (std::string_view bullet : kBullets) {
    if (line.substr(0, bullet.size()) == bullet) return Found(line, bullet.size(), false);
  }
  if (!line.empty() && line[0] == '(') {
    const size_t close = line.find(')');
    if (close != std::string_view::npos && IsOrdinal(line.substr(1, close - 1))) {
      return Found(line, close + 1, true);
    }
    return {};
  }
  const size_t end = line.find_first_of(".)");
  if (end == std::string_view::npos || end == 0) return {};
  if (!IsOrdinal(line.substr(0, end))) return {};
  return Found(line, end + 1, true);
}

}  // namespace pageflow
