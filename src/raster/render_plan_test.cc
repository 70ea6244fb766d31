#include "raster/render_plan.h"

#include <gtest/gtest.h>

namespace pageflow {
namespace {

int64_t NoWork(int, int) { return 0; }
int64_t FourBytesPerPixel(int w, int h) { return int64_t{w} * h * 4; }

PageGeometry Letter() {
  PageGeometry g;
  g.width_pt = 612;
  g.height_pt = 792;
  return g;
}

TEST(RenderPlanTest, PdfPageRendersAtRequestedDpi) {
  StatusOr<RenderPlan> p = PlanRender(Letter(), RenderOptions{300, 10000, 400}, NoWork, 1ll << 40);
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->width, 2550);
  EXPECT_EQ(p->height, 3300);
  EXPECT_EQ(p->dpi, 300);
  EXPECT_EQ(p->total_bytes, 2550 * 3300);
  EXPECT_TRUE(p->note.empty());
}

TEST(RenderPlanTest, TargetLongSideReplacesDpi) {
  RenderOptions o{300, 10000, 400};
  o.target_long_side = 1288;
  StatusOr<RenderPlan> p = PlanRender(Letter(), o, NoWork, 1ll << 40);
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->height, 1288);
  EXPECT_EQ(p->width, 995);  // 612 / 792 * 1288
  EXPECT_EQ(p->dpi, 117);

  PageGeometry picture;  // pictures are reduced to the target, never enlarged
  picture.native_width = 800;
  picture.native_height = 600;
  picture.decode_bytes = 800 * 600;
  StatusOr<RenderPlan> small = PlanRender(picture, o, NoWork, 1ll << 40);
  ASSERT_TRUE(small.ok());
  EXPECT_EQ(small->width, 800);
  o.target_long_side = 400;
  StatusOr<RenderPlan> reduced = PlanRender(picture, o, NoWork, 1ll << 40);
  ASSERT_TRUE(reduced.ok());
  EXPECT_EQ(reduced->width, 400);
  EXPECT_EQ(reduced->height, 300);
}

TEST(RenderPlanTest, HugePageIsCappedByMaxDim) {
  PageGeometry g;
  g.width_pt = g.height_pt = 200 * 72;  // 200 x 200 inches
  StatusOr<RenderPlan> p = PlanRender(g, RenderOptions{300, 10000, 400}, NoWork, 1ll << 40);
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->width, 10000);
  EXPECT_EQ(p->height, 10000);
  EXPECT_EQ(p->dpi, 50);
  EXPECT_NE(p->note.find("--max-dim"), std::string::npos);
}

TEST(RenderPlanTest, PageIsDownscaledUntilItFitsTheBudget) {
  const int64_t max_bytes = 40ll << 20;
  StatusOr<RenderPlan> p = PlanRender(Letter(), RenderOptions{600, 10000, 400}, FourBytesPerPixel, max_bytes);
  ASSERT_TRUE(p.ok());
  EXPECT_LE(p->total_bytes, max_bytes);
  EXPECT_EQ(p->total_bytes, int64_t{p->width} * p->height * 5);
  EXPECT_LT(p->dpi, 600);
  EXPECT_NE(p->note.find("memory limit"), std::string::npos);
}

TEST(RenderPlanTest, FailsWhenEvenTheSmallestUsefulSizeDoesNotFit) {
  StatusOr<RenderPlan> p = PlanRender(Letter(), RenderOptions{300, 10000, 400}, FourBytesPerPixel, 100000);
  ASSERT_FALSE(p.ok());
  EXPECT_EQ(p.status().code(), StatusCode::kResourceExhausted);
  EXPECT_NE(p.status().message().find("--memory-limit"), std::string::npos);
}

TEST(RenderPlanTest, HugePngThatCannotBeDecodedInBudgetFails) {
  PageGeometry g;
  g.native_width = g.native_height = 60000;
  g.decode_bytes = 60000ll * 60000 * 4;
  StatusOr<RenderPlan> p = PlanRender(g, RenderOptions{}, NoWork, 2ll << 30);
  ASSERT_FALSE(p.ok());
  EXPECT_EQ(p.status().code(), StatusCode::kResourceExhausted);
}

TEST(RenderPlanTest, JpegDecodesReducedWhenTheOutputIsSmaller) {
  PageGeometry g;
  g.native_width = g.native_height = 40000;
  g.decode_bytes = 40000ll * 40000 * 4;
  g.decode_can_reduce = true;
  StatusOr<RenderPlan> p = PlanRender(g, RenderOptions{300, 5000, 400}, NoWork, 1ll << 30);
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  EXPECT_EQ(p->decode_reduction, 8);
  EXPECT_EQ(p->width, 5000);
  EXPECT_LE(p->total_bytes, 1ll << 30);
}

// A progressive JPEG's coefficient buffers are full size at any decode reduction: they
// are counted whole, and a file whose buffers alone exceed the budget is refused.
TEST(RenderPlanTest, ProgressiveJpegCoefficientsAreNotReduced) {
  PageGeometry g;
  g.native_width = 8000;
  g.native_height = 8000;
  g.decode_bytes = int64_t{8000} * 8000;
  g.decode_can_reduce = true;
  g.unreduced_decode_bytes = int64_t{8000} * 8000 * 2;
  RenderOptions o{300, 1000, 400};
  StatusOr<RenderPlan> p = PlanRender(g, o, NoWork, 1ll << 40);
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->decode_reduction, 8);
  EXPECT_GE(p->total_bytes, g.unreduced_decode_bytes);

  StatusOr<RenderPlan> refused = PlanRender(g, o, NoWork, 100ll << 20);
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.status().message().find(
                "progressive JPEG needs 122M for its whole-image coefficient buffers"),
            std::string::npos)
      << refused.status().message();
}

}  // namespace
}  // namespace pageflow
