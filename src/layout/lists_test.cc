#include "layout/lists.h"

#include <gtest/gtest.h>

namespace pageflow {
namespace {

TEST(ListMarkerTest, FindsMarkers) {
  struct Case {
    const char* line;
    const char* marker;
    const char* rest;
    bool ordered;
  };
  const Case cases[] = {
      {"• first point", "•", "first point", false},
      {"- dash item", "-", "dash item", false},
      {"* star item", "*", "star item", false},
      {"1. numbered", "1.", "numbered", true},
      {"12) twelfth", "12)", "twelfth", true},
      {"a) lettered", "a)", "lettered", true},
      {"(iv) roman", "(iv)", "roman", true},
      {"iii. roman", "iii.", "roman", true},
      {"(b)  spaced", "(b)", "spaced", true},
  };
  for (const Case& c : cases) {
    const ListMarker m = ParseListMarker(c.line);
    EXPECT_TRUE(m.found) << c.line;
    EXPECT_EQ(m.marker, c.marker) << c.line;
    EXPECT_EQ(m.rest, c.rest) << c.line;
    EXPECT_EQ(m.ordered, c.ordered) << c.line;
  }
}

TEST(ListMarkerTest, IgnoresTextThatOnlyLooksLikeOne) {
  for (const char* line : {"3.5 kg of flour", "-5 degrees", "1.", "- ", "Mr. Smith",
                           "(see above) later", "2024. A year", "word", ""}) {
    EXPECT_FALSE(ParseListMarker(line).found) << line;
  }
}

}  // namespace
}  // namespace pageflow
