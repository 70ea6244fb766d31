#include "server/page_image.h"

#include <gtest/gtest.h>

#include "testing/test_util.h"

namespace pageflow {
namespace {

// Width and height from a PNG's IHDR.
bool PngSize(const std::string& png, int* w, int* h) {
  if (png.size() < 24 || png.compare(0, 8, "\x89PNG\r\n\x1a\n") != 0) return false;
  auto be32 = [&](size_t at) {
    return (static_cast<uint8_t>(png[at]) << 24) |
           (static_cast<uint8_t>(png[at + 1]) << 16) |
           (static_cast<uint8_t>(png[at + 2]) << 8) | static_cast<uint8_t>(png[at + 3]);
  };
  *w = static_cast<int>(be32(16));
  *h = static_cast<int>(be32(20));
  return true;
}

class PageImageTest : public ::testing::Test {
 protected:
  void SetUp() override {
    pdf_ = dir_.path() + "/a.pdf";
    testing::WriteTestPdf(pdf_, {{.lines = {"First page"}}, {.lines = {"Second page"}}});
  }
  testing::TempDir dir_;
  std::string pdf_;
  MemoryBudget budget_{512ll << 20};
};

TEST_F(PageImageTest, RendersAPdfPageAtTheAskedWidthAndGivesTheBytesBack) {
  int w = 0, h = 0;
  {
    StatusOr<PageImage> image = RenderPageImage(pdf_, 1, 300, {}, &budget_, "test");
    ASSERT_OK(image);
    ASSERT_TRUE(PngSize(image->png, &w, &h));
    EXPECT_EQ(w, 300);
    EXPECT_NEAR(h, 300.0 * 792 / 612, 1);
    EXPECT_EQ(image->width, w);
    // Only the PNG stays paid for, not the raster or the PDF library's allowance.
    EXPECT_EQ(budget_.Stats().reserved_bytes,
              static_cast<int64_t>(image->png.capacity()));
  }
  EXPECT_EQ(budget_.Stats().reserved_bytes, 0);
  // Wider than served: capped.
  StatusOr<PageImage> wide = RenderPageImage(pdf_, 0, 5000, {}, &budget_, "test");
  ASSERT_OK(wide);
  ASSERT_TRUE(PngSize(wide->png, &w, &h));
  EXPECT_EQ(w, kMaxPageImageWidth);
}

TEST_F(PageImageTest, APictureIsNeverEnlarged) {
  const std::string png = dir_.path() + "/small.png";
  testing::WriteTestImage(png, 200, 100);
  StatusOr<PageImage> image = RenderPageImage(png, 0, 800, {}, &budget_, "test");
  ASSERT_OK(image);
  int w = 0, h = 0;
  ASSERT_TRUE(PngSize(image->png, &w, &h));
  EXPECT_EQ(w, 200);
  EXPECT_EQ(h, 100);
}

TEST_F(PageImageTest, DoesNotWaitForTheBudget) {
  // Pages in flight hold most of the budget: the image is refused at once.
  StatusOr<Reservation> held = budget_.Reserve(500ll << 20, "pages in flight");
  ASSERT_OK(held);
  StatusOr<PageImage> image =
      RenderPageImage(pdf_, 0, 800, {}, &budget_, "image of page 1");
  ASSERT_FALSE(image.ok());
  EXPECT_EQ(image.status().code(), StatusCode::kResourceExhausted)
      << image.status().ToString();
  EXPECT_NE(image.status().message().find("image of page 1"), std::string::npos)
      << image.status().ToString();
  held->Release();
  EXPECT_EQ(budget_.Stats().reserved_bytes, 0);
}

TEST_F(PageImageTest, AMissingFileOrPageIsAnError) {
  StatusOr<PageImage> gone =
      RenderPageImage(dir_.path() + "/gone.pdf", 0, 800, {}, &budget_, "t");
  ASSERT_FALSE(gone.ok());
  EXPECT_EQ(gone.status().code(), StatusCode::kNotFound);
  StatusOr<PageImage> page = RenderPageImage(pdf_, 2, 800, {}, &budget_, "t");
  ASSERT_FALSE(page.ok());
  EXPECT_EQ(page.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(page.status().message(), "the document has no page 3");
}

}  // namespace
}  // namespace pageflow
