// Detection tiling: a page larger than one detection input is covered by overlapping
// tiles, and the boxes each tile finds are merged so that text lying on a seam (seen
// in part or in full by two tiles) comes out once.
//
//   std::vector<TileRect> tiles = PlanTiles(2400, 1700, 960, 128);
//   std::vector<DetBox> boxes = MergeTileBoxes(std::move(boxes_from_all_tiles));
#pragma once

#include <array>
#include <vector>

namespace pageflow {

struct TileRect {
  int x = 0, y = 0, width = 0, height = 0;
};

// A detected text region in page (detection image) coordinates: a quadrilateral in
// clockwise order from the top-left corner.
struct DetBox {
  std::array<float, 8> quad{};  // x0,y0 (top-left), x1,y1, x2,y2, x3,y3 (bottom-left)
  float score = 0;
  int tile = 0;  // index of the tile it came from; -1 once merged across tiles
  float min_x() const;
  float max_x() const;
  float min_y() const;
  float max_y() const;
};

// Tiles of at most tile_px per side covering width x height, neighbours overlapping by
// at least overlap_px: the fewest tiles that do, all the same size, spread evenly. One
// tile when the page fits.
// Precondition: tile_px > overlap_px >= 0.
std::vector<TileRect> PlanTiles(int width, int height, int tile_px, int overlap_px);

// Axis-aligned intersection over union of the boxes' bounds.
float BoxIou(const DetBox& a, const DetBox& b);

// Merges boxes into one (their axis-aligned union) when their IoU exceeds 0.5, when
// one mostly contains the other (a tile saw a clipped copy of a line another saw whole),
// or when boxes from different tiles overlap on the same text line (a line cut by a
// vertical seam, seen in two parts). Repeats until nothing merges.
std::vector<DetBox> MergeTileBoxes(std::vector<DetBox> boxes);

}  // namespace pageflow
