// PageImage: a small PNG of one page of a job's spooled document, for the web UI to show
// beside the page's text. Rendered on request through the executor's page access
// (DocumentPageAccess), so planning, the PDF library's allowance and the budget work as
// for any page; nothing is kept between requests.
//
//   StatusOr<PageImage> img = RenderPageImage(job->upload_path(), 0, 800, render,
//   &budget,
//                                             "image of page 1 of job 3f2a");
//   if (img.ok()) Send(img->png);   // img->reservation pays for the PNG until it is sent
#pragma once

#include <string>

#include "base/memory_budget.h"
#include "base/status.h"
#include "raster/render_plan.h"

namespace pageflow {

// Widest image served, in pixels; a wider request is served at this width.
inline constexpr int kMaxPageImageWidth = 1200;
// Longest side served: a page taller than twice its width is narrowed to keep it.
inline constexpr int kMaxPageImageLongSide = 2 * kMaxPageImageWidth;

struct PageImage {
  std::string png;  // 8-bit gray (PDF pages, gray pictures) or RGB
  int width = 0, height = 0;
  Reservation reservation;  // pays for `png` (the raster's bytes were given back)
};

// Renders page `page` (0-based) of the document at `path` at most `max_width` pixels
// wide (capped at kMaxPageImageWidth and kMaxPageImageLongSide; pictures are never
// enlarged), as a PNG. The raster and the PNG's worst-case size are reserved from
// `budget` before rendering, without waiting: RESOURCE_EXHAUSTED when they do not fit
// now (or ever). NOT_FOUND when the file is gone; CORRUPT / UNSUPPORTED as for opening
// or rendering the page; INVALID_ARGUMENT for a page out of range. `render` gives the
// job's --max-dim (its dpi is ignored: the width decides).
StatusOr<PageImage> RenderPageImage(const std::string& path, int page, int max_width,
                                    const RenderOptions& render, MemoryBudget* budget,
                                    const std::string& label);

}  // namespace pageflow
