#include "raster/render_plan.h"

#include <algorithm>
#include <cmath>
#include <string>

#include "base/memory_budget.h"

namespace pageflow {
namespace {

// Bytes needed to produce and recognize a w x h raster at this plan.
int64_t TotalBytes(const PageGeometry& g, int w, int h, int reduction,
                   const std::function<int64_t(int, int)>& working_bytes) {
  const int64_t raster = int64_t{w} * h;
  int64_t decode = 0;
  if (g.decode_bytes > 0) {
    // The decoded picture, then its 8-bit gray copy, then the scaled copy; reduced
    // JPEG decoding divides the picture by reduction^2.
    decode = g.decode_bytes / (int64_t{reduction} * reduction);
    const int64_t gray = int64_t{g.native_width / reduction} * (g.native_height / reduction);
    decode += gray;
  }
  return decode + raster + (working_bytes ? working_bytes(w, h) : 0);
}

}  // namespace

StatusOr<RenderPlan> PlanRender(const PageGeometry& g, const RenderOptions& options,
                                const std::function<int64_t(int, int)>& working_bytes,
                                int64_t max_bytes) {
  double w, h;
  int dpi;
  if (g.native_width > 0) {
    w = g.native_width;
    h = g.native_height;
    dpi = g.native_dpi > 0 ? g.native_dpi : 300;
  } else {
    if (g.width_pt <= 0 || g.height_pt <= 0) return Corrupt("page has an empty size");
    w = g.width_pt * options.dpi / 72.0;
    h = g.height_pt * options.dpi / 72.0;
    dpi = options.dpi;
  }
  double scale = 1.0;
  std::string note;
  const double longest = std::max(w, h);
  if (longest > options.max_dim) {
    scale = options.max_dim / longest;
    note = "downscaled to " + std::to_string(options.max_dim) + " px on the longest side (--max-dim)";
  }

  RenderPlan plan;
  // Shrink until the whole working set fits what the budget can ever grant.
  for (;;) {
    plan.width = std::max(1, static_cast<int>(std::lround(w * scale)));
    plan.height = std::max(1, static_cast<int>(std::lround(h * scale)));
    plan.decode_reduction = 1;
    if (g.decode_can_reduce) {
      while (plan.decode_reduction < 8 && g.native_width / (plan.decode_reduction * 2) >= plan.width &&
             g.native_height / (plan.decode_reduction * 2) >= plan.height) {
        plan.decode_reduction *= 2;
      }
    }
    plan.total_bytes = TotalBytes(g, plan.width, plan.height, plan.decode_reduction, working_bytes);
    if (plan.total_bytes <= max_bytes) break;
    const double next = scale * 0.85;
    if (std::max(w, h) * next < options.min_dim ||
        (g.decode_bytes > 0 && !g.decode_can_reduce &&
         g.decode_bytes + int64_t(g.native_width) * g.native_height > max_bytes)) {
      return ResourceExhausted(
          "page of " + std::to_string(static_cast<int64_t>(w)) + " x " +
          std::to_string(static_cast<int64_t>(h)) + " px needs " + FormatBytes(plan.total_bytes) +
          " to render and recognize even when reduced, but the memory limit leaves " +
          FormatBytes(max_bytes) + " per page; raise --memory-limit or lower --dpi/--max-dim");
    }
    scale = next;
    note = "to fit the memory limit";
  }
  if (note == "to fit the memory limit") {
    note = "downscaled to " + std::to_string(std::max(plan.width, plan.height)) +
           " px on the longest side to fit the memory limit";
  }
  plan.dpi = std::max(1, static_cast<int>(std::lround(dpi * scale)));
  plan.note = note;
  return plan;
}

}  // namespace pageflow
