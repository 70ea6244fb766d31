#include "engine/ppocr/det/tiling.h"

#include <algorithm>
#include <cassert>
#include <cmath>
#include <utility>

namespace pageflow {
namespace {

// Tile starts and the common tile length along one axis: the fewest tiles of at most
// tile_px, then shrunk to share the length evenly (overlap exactly overlap_px, give or
// take rounding), so no detection time is spent on more overlap than asked for.
std::pair<std::vector<int>, int> PlanAxis(int length, int tile_px, int overlap_px) {
  if (length <= tile_px) return {{0}, length};
  const int stride = tile_px - overlap_px;
  const int n = 1 + (length - tile_px + stride - 1) / stride;
  const int size = std::min(tile_px, (length + (n - 1) * overlap_px + n - 1) / n);
  std::vector<int> starts;
  const double step = static_cast<double>(length - size) / (n - 1);  // <= size - overlap_px
  for (int i = 0; i < n; ++i) starts.push_back(static_cast<int>(std::lround(i * step)));
  return {starts, size};
}

float Area(float x0, float y0, float x1, float y1) {
  return std::max(0.0f, x1 - x0) * std::max(0.0f, y1 - y0);
}

float IntersectionArea(const DetBox& a, const DetBox& b) {
  return Area(std::max(a.min_x(), b.min_x()), std::max(a.min_y(), b.min_y()),
              std::min(a.max_x(), b.max_x()), std::min(a.max_y(), b.max_y()));
}

bool ShouldMerge(const DetBox& a, const DetBox& b) {
  const float inter = IntersectionArea(a, b);
  if (inter <= 0) return false;
  const float area_a = Area(a.min_x(), a.min_y(), a.max_x(), a.max_y());
  const float area_b = Area(b.min_x(), b.min_y(), b.max_x(), b.max_y());
  if (inter / (area_a + area_b - inter) > 0.5f) return true;
  if (a.tile == b.tile && a.tile >= 0) return false;  // one tile's DB boxes are distinct
  // A clipped copy inside the whole line.
  if (inter / std::min(area_a, area_b) > 0.7f) return true;
  // Two parts of one line, cut by a vertical seam: they share most of their height.
  const float v_overlap = std::min(a.max_y(), b.max_y()) - std::max(a.min_y(), b.min_y());
  const float min_h = std::min(a.max_y() - a.min_y(), b.max_y() - b.min_y());
  return v_overlap > 0.6f * min_h;
}

DetBox Union(const DetBox& a, const DetBox& b) {
  const float x0 = std::min(a.min_x(), b.min_x()), y0 = std::min(a.min_y(), b.min_y());
  const float x1 = std::max(a.max_x(), b.max_x()), y1 = std::max(a.max_y(), b.max_y());
  DetBox u;
  u.quad = {x0, y0, x1, y0, x1, y1, x0, y1};
  u.score = std::max(a.score, b.score);
  u.tile = a.tile == b.tile ? a.tile : -1;
  return u;
}

}  // namespace

float DetBox::min_x() const { return std::min({quad[0], quad[2], quad[4], quad[6]}); }
float DetBox::max_x() const { return std::max({quad[0], quad[2], quad[4], quad[6]}); }
float DetBox::min_y() const { return std::min({quad[1], quad[3], quad[5], quad[7]}); }
float DetBox::max_y() const { return std::max({quad[1], quad[3], quad[5], quad[7]}); }

std::vector<TileRect> PlanTiles(int width, int height, int tile_px, int overlap_px) {
  assert(tile_px > overlap_px && overlap_px >= 0);
  std::vector<TileRect> tiles;
  const auto [ys, tile_h] = PlanAxis(height, tile_px, overlap_px);
  const auto [xs, tile_w] = PlanAxis(width, tile_px, overlap_px);
  for (int y : ys) {
    for (int x : xs) tiles.push_back({x, y, std::min(tile_w, width - x), std::min(tile_h, height - y)});
  }
  return tiles;
}

float BoxIou(const DetBox& a, const DetBox& b) {
  const float inter = IntersectionArea(a, b);
  const float uni = Area(a.min_x(), a.min_y(), a.max_x(), a.max_y()) +
                    Area(b.min_x(), b.min_y(), b.max_x(), b.max_y()) - inter;
  return uni > 0 ? inter / uni : 0.0f;
}

std::vector<DetBox> MergeTileBoxes(std::vector<DetBox> boxes) {
  bool merged = true;
  while (merged) {
    merged = false;
    for (size_t i = 0; i < boxes.size() && !merged; ++i) {
      for (size_t j = i + 1; j < boxes.size(); ++j) {
        if (!ShouldMerge(boxes[i], boxes[j])) continue;
        boxes[i] = Union(boxes[i], boxes[j]);
        boxes.erase(boxes.begin() + static_cast<long>(j));
        merged = true;
        break;
      }
    }
  }
  return boxes;
}

}  // namespace pageflow
