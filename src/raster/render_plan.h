// RenderPlan: the pixel size a page will be rendered at, decided before any pixel
// exists from the page's size, the requested DPI, --max-dim and what the budget can
// ever grant. A page too big for the budget is downscaled; if even the smallest useful
// size does not fit, planning fails with a message saying what would.
//
//   PageGeometry g = doc.Geometry(3);
//   StatusOr<RenderPlan> plan = PlanRender(g, opts, engine_bytes_per_pixel, budget.MaxSingleReservation());
#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include "base/status.h"

namespace pageflow {

// What a source knows about a page without rendering it.
struct PageGeometry {
  double width_pt = 0;   // PDF: page size in points (1/72 in)
  double height_pt = 0;
  int native_width = 0;  // images: pixel size as stored; 0 for PDF pages
  int native_height = 0;
  int native_dpi = 0;    // images: stored resolution if known, else 0
  // Images: bytes the decoder needs for the full-size picture (before any scaling).
  // JPEG can decode at 1/2, 1/4, 1/8 and so reports the full-size figure here too.
  int64_t decode_bytes = 0;
  // Images: bytes of the 8-bit gray (or 32-bit color) copy made from the decoded
  // picture when it is not in that form already; 0 for 8-bit gray.
  int64_t convert_bytes = 0;
  bool decode_can_reduce = false;  // JPEG: decoder can shrink by 2/4/8 while reading
  // Images: bytes the decoder holds whatever the reduction (a progressive JPEG's
  // whole-image coefficient buffers); 0 when it holds nothing of the full size.
  int64_t unreduced_decode_bytes = 0;
  bool color = false;              // images stored in color keep it (RGB raster)
};

struct RenderOptions {
  int dpi = 300;         // PDF pages render at this resolution
  int max_dim = 10000;   // longest side in pixels after rendering (images are scaled down)
  int min_dim = 400;     // below this longest side a page is not worth OCRing: fail instead
  // > 0: render so the longest side is this many pixels instead of at `dpi` (PDF pages
  // are scaled up or down; pictures only down). max_dim and the budget still cap it.
  int target_long_side = 0;
};

struct RenderPlan {
  int width = 0;               // output raster, pixels
  int height = 0;
  int dpi = 0;                 // effective resolution of the output; 0 = unknown (image without one)
  int decode_reduction = 1;    // JPEG decode-time reduction (1, 2, 4, 8)
  int channels = 1;            // 1 gray, 3 RGB (color pictures)
  int64_t total_bytes = 0;     // everything to reserve: decode + raster + engine working set
  std::string note;            // non-empty when the page was downscaled, and why
};

// working_bytes(w, h): the engine's working set for a w x h raster, beyond the raster.
// max_bytes: the largest reservation the budget can ever grant.
StatusOr<RenderPlan> PlanRender(const PageGeometry& geometry, const RenderOptions& options,
                                const std::function<int64_t(int, int)>& working_bytes,
                                int64_t max_bytes);

}  // namespace pageflow
