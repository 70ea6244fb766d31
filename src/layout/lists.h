// List items by their markers: bullets (•, ◦, ▪, ‣, ·, -, –, *), numbers ("1." "2)"),
// letters ("a)" "b."), roman numerals ("iv.") and the same in parentheses ("(a)" "(ii)").
//
//   ListMarker m = ParseListMarker("(iii) the third point");
//   if (m.found) { m.marker == "(iii)"; m.rest == "the third point"; m.ordered == true; }
//   ParseListMarker("3.5 kg of flour").found == false  // a number, not a marker
#pragma once

#include <string_view>

namespace pageflow {

struct ListMarker {
  bool found = false;
  bool ordered = false;     // numbers, letters, numerals; false for bullets
  std::string_view marker;  // as printed, without the following space
  std::string_view rest;    // the item's text after the marker and its spaces
};

// A marker must be followed by a space and some text.
ListMarker ParseListMarker(std::string_view line);

}  // namespace pageflow
