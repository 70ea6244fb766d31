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
    // The decoded picture (JPEG decoding reduced by 1/reduction per side), its converted
    // copy if it is not 8-bit gray already, then the scaled copy the raster is filled from.
    const int64_t r2 = int64_t{reduction} * reduction;
    decode = (g.decode_bytes + g.convert_bytes) / r2 + raster * (g.color ? 4 : 1);
  }
  decode += g.unreduced_decode_bytes;
  // A color raster is 3 bytes per pixel, and an engine's own copy of it is 32-bit: 3 + 3
  // bytes per pixel more than the gray figures.
  const int64_t color = g.color ? 6 * raster : 0;
  return decode + raster + color + (working_bytes ? working_bytes(w, h) : 0);
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
    dpi = g.native_dpi;  // 0: unknown, the engine estimates it from the text
  } else {
    if (g.width_pt <= 0 || g.height_pt <= 0) return Corrupt("page has an empty size");
    w = g.width_pt * options.dpi / 72.0;
    h = g.height_pt * options.dpi / 72.0;
    dpi = options.dpi;
  }
  double scale = 1.0;
  if (options.target_long_side > 0) {
    const double target_scale = options.target_long_side / std::max(w, h);
    scale = g.native_width > 0 ? std::min(1.0, target_scale) : target_scale;
  }
  std::string note;
  bool shrunk_for_budget = false;
  const double longest = std::max(w * scale, h * scale);
  if (longest > options.max_dim) {
    scale *= options.max_dim / longest;
    note = "downscaled to " + std::to_string(options.max_dim) + " px on the longest side (--max-dim)";
  }

  if (g.unreduced_decode_bytes > 0 && g.unreduced_decode_bytes >= max_bytes) {
    return ResourceExhausted(
        "decoding this " + std::to_string(g.native_width) + " x " +
        std::to_string(g.native_height) + " px progressive JPEG needs " +
        FormatBytes(g.unreduced_decode_bytes) +
        " for its whole-image coefficient buffers at any output size, but the memory "
        "limit "
        "leaves " +
        FormatBytes(max_bytes) +
        " per page; raise --memory-limit or convert it to baseline JPEG (jpegtran)");
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
         g.decode_bytes + g.convert_bytes > max_bytes)) {
      if (g.decode_bytes > 0 && !g.decode_can_reduce) {
        return ResourceExhausted(
            "decoding this " + std::to_string(g.native_width) + " x " + std::to_string(g.native_height) +
            " px picture needs " + FormatBytes(g.decode_bytes + g.convert_bytes) +
            " before it can be reduced, but the memory limit leaves " + FormatBytes(max_bytes) +
            " per page; raise --memory-limit (only JPEG can be decoded at a reduced size)");
      }
      return ResourceExhausted(
          "page of " + std::to_string(static_cast<int64_t>(w)) + " x " +
          std::to_string(static_cast<int64_t>(h)) + " px needs " + FormatBytes(plan.total_bytes) +
          " to render and recognize even when reduced, but the memory limit leaves " +
          FormatBytes(max_bytes) + " per page; raise --memory-limit or lower --dpi/--max-dim");
    }
    scale = next;
    shrunk_for_budget = true;
  }
  if (shrunk_for_budget) {
    note = "downscaled to " + std::to_string(std::max(plan.width, plan.height)) +
           " px on the longest side to fit the memory limit";
  }
  plan.channels = g.color ? 3 : 1;
  plan.dpi = dpi > 0 ? std::max(1, static_cast<int>(std::lround(dpi * scale))) : 0;
  plan.note = note;
  return plan;
}

}  // namespace pageflow
