#include "engine/ppocr/det/tiling.h"

#include <gtest/gtest.h>

namespace pageflow {
namespace {

DetBox Rect(float x0, float y0, float x1, float y1, int tile) {
  DetBox b;
  b.quad = {x0, y0, x1, y0, x1, y1, x0, y1};
  b.score = 0.9f;
  b.tile = tile;
  return b;
}

TEST(PlanTilesTest, OneTileWhenThePageFits) {
  std::vector<TileRect> tiles = PlanTiles(900, 640, 960, 128);
  ASSERT_EQ(tiles.size(), 1u);
  EXPECT_EQ(tiles[0].width, 900);
  EXPECT_EQ(tiles[0].height, 640);
}

TEST(PlanTilesTest, TilesCoverThePageWithTheOverlapAndNeverExceedTheTileSize) {
  const int width = 2550, height = 3300, tile = 1024, overlap = 128;
  std::vector<TileRect> tiles = PlanTiles(width, height, tile, overlap);
  ASSERT_GT(tiles.size(), 1u);
  std::vector<int> covered(static_cast<size_t>(width) * height / 100, 0);  // sampled every 10 px
  for (const TileRect& t : tiles) {
    EXPECT_LE(t.width, tile);
    EXPECT_LE(t.height, tile);
    EXPECT_LE(t.x + t.width, width);
    EXPECT_LE(t.y + t.height, height);
    for (int y = t.y; y < t.y + t.height; y += 10) {
      for (int x = t.x; x < t.x + t.width; x += 10) covered[(y / 10) * (width / 10) + x / 10] = 1;
    }
  }
  for (int v : covered) ASSERT_EQ(v, 1);
  // Horizontal neighbours (same row) overlap by at least `overlap`.
  for (size_t i = 1; i < tiles.size(); ++i) {
    if (tiles[i].y != tiles[i - 1].y) continue;
    EXPECT_GE(tiles[i - 1].x + tiles[i - 1].width - tiles[i].x, overlap);
  }
}

TEST(PlanTilesTest, TilesShrinkToTheOverlapAskedFor) {
  // A 150 DPI letter page: two columns and two rows of tiles, not 960 px ones that would
  // overlap by 645 px.
  std::vector<TileRect> tiles = PlanTiles(1275, 1650, 960, 128);
  ASSERT_EQ(tiles.size(), 4u);
  EXPECT_EQ(tiles[1].x + tiles[1].width, 1275);
  EXPECT_GE(tiles[0].width - tiles[1].x, 128);
  EXPECT_LE(tiles[0].width - tiles[1].x, 130);
  EXPECT_LE(tiles[0].width, 960);
}

TEST(MergeTileBoxesTest, ALineCutByASeamIsFoundOnce) {
  // Tile 0 spans x 0..960, tile 1 spans x 832..1792: the line 700..1100 is seen as two
  // parts, each clipped at its tile's edge.
  std::vector<DetBox> merged = MergeTileBoxes({Rect(700, 100, 960, 130, 0), Rect(832, 101, 1100, 131, 1)});
  ASSERT_EQ(merged.size(), 1u);
  EXPECT_FLOAT_EQ(merged[0].min_x(), 700);
  EXPECT_FLOAT_EQ(merged[0].max_x(), 1100);
}

TEST(MergeTileBoxesTest, TheSameBoxSeenByTwoTilesIsKeptOnce) {
  std::vector<DetBox> merged = MergeTileBoxes({Rect(850, 100, 950, 130, 0), Rect(852, 99, 951, 131, 1)});
  ASSERT_EQ(merged.size(), 1u);
  EXPECT_GT(BoxIou(Rect(850, 100, 950, 130, 0), Rect(852, 99, 951, 131, 1)), 0.5f);
}

TEST(MergeTileBoxesTest, AClippedCopyInsideTheWholeLineIsDropped) {
  // A horizontal seam clips the line in the upper tile; the lower tile sees it whole.
  std::vector<DetBox> merged = MergeTileBoxes({Rect(100, 940, 600, 960, 0), Rect(100, 940, 600, 975, 2)});
  ASSERT_EQ(merged.size(), 1u);
  EXPECT_FLOAT_EQ(merged[0].max_y(), 975);
}

TEST(MergeTileBoxesTest, DistinctLinesAndWordsStaySeparate) {
  std::vector<DetBox> boxes = {
      Rect(100, 100, 400, 130, 0),  // a line
      Rect(100, 135, 400, 165, 1),  // the next line, seen by another tile: no shared height
      Rect(420, 100, 600, 130, 0),  // a second word on the first line, same tile
      Rect(900, 100, 1000, 130, 1),  // a word further right, not touching
  };
  EXPECT_EQ(MergeTileBoxes(boxes).size(), 4u);
}

}  // namespace
}  // namespace pageflow
