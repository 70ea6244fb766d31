#include "raster/raster.h"

#include <gtest/gtest.h>

namespace pageflow {
namespace {

TEST(RasterTest, ReleasePixelsEmptiesTheRasterAndKeepsItsClaim) {
  MemoryBudget budget(64 << 20);
  StatusOr<Reservation> claim = budget.Reserve(3 << 20, "page");
  ASSERT_TRUE(claim.ok());
  Raster r = Raster::Allocate(1000, 1000, 300, std::move(*claim));
  ASSERT_FALSE(r.empty());
  r.row(999)[999] = 7;

  // The engine has its own copy: the pixels go, the claim stays with the caller.
  Reservation working = r.ReleasePixels();
  EXPECT_TRUE(r.empty());
  EXPECT_EQ(r.data(), nullptr);
  EXPECT_EQ(r.bytes(), 0);
  EXPECT_EQ(working.bytes(), 3 << 20);
  EXPECT_EQ(budget.Stats().reserved_bytes, 3 << 20);

  working = Reservation();  // the page is done
  EXPECT_EQ(budget.Stats().reserved_bytes, 0);
}

}  // namespace
}  // namespace pageflow
