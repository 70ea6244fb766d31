#include "output/searchable_pdf.h"

#include <gtest/gtest.h>

namespace pageflow {
namespace {

// A display point (x, y up) mapped by the transform.
std::pair<double, double> Map(const PageTransform& t, double x, double y) {
  return {t.m[0] * x + t.m[2] * y + t.m[4], t.m[1] * x + t.m[3] * y + t.m[5]};
}

TEST(DisplayToUserTest, TopLeftOfTheDisplayedPageForEachRotation) {
  // CropBox [10 20 110 220]: 100 x 200 points.
  const PageTransform t0 = DisplayToUser(10, 20, 110, 220, 0);
  EXPECT_EQ(t0.display_width, 100);
  EXPECT_EQ(Map(t0, 0, 200), std::make_pair(10.0, 220.0));  // top-left: (x0, y1)
  // Rotated 90 clockwise: the display's top-left is the page's bottom-left.
  const PageTransform t90 = DisplayToUser(10, 20, 110, 220, 90);
  EXPECT_EQ(t90.display_width, 200);
  EXPECT_EQ(t90.display_height, 100);
  EXPECT_EQ(Map(t90, 0, 100), std::make_pair(10.0, 20.0));
  EXPECT_EQ(Map(t90, 200, 100), std::make_pair(10.0, 220.0));  // top-right: (x0, y1)
  const PageTransform t180 = DisplayToUser(10, 20, 110, 220, 180);
  EXPECT_EQ(Map(t180, 0, 200), std::make_pair(110.0, 20.0));
  const PageTransform t270 = DisplayToUser(10, 20, 110, 220, -90);
  EXPECT_EQ(Map(t270, 0, 100), std::make_pair(110.0, 220.0));
  EXPECT_EQ(Map(t270, 0, 0), std::make_pair(10.0, 220.0));
}

TEST(SearchablePdfTest, MissingSourceIsAnError) {
  MemoryBudget budget(64 << 20);
  SearchablePdf pdf("/nonexistent/x.pdf", {".", &budget});
  Status st = pdf.Write([](std::string_view) { return Status::Ok(); });
  EXPECT_FALSE(st.ok());
}

}  // namespace
}  // namespace pageflow
