#include "server/page_image.h"

#include <algorithm>
#include <cmath>

#include "engine/vlm/png_codec.h"
#include "input/document.h"
#include "pipeline/page_access.h"

namespace pageflow {

StatusOr<PageImage> RenderPageImage(const std::string& path, int page, int max_width,
                                    const RenderOptions& render, MemoryBudget* budget,
                                    const std::string& label) {
  PF_ASSIGN_OR_RETURN(std::unique_ptr<Document> doc, OpenDocument(path));
  if (page < 0 || page >= doc->page_count()) {
    return InvalidArgument("the document has no page " + std::to_string(page + 1));
  }
  PF_ASSIGN_OR_RETURN(PageGeometry g, doc->Geometry(page));
  const double w = g.native_width > 0 ? g.native_width : g.width_pt;
  const double h = g.native_height > 0 ? g.native_height : g.height_pt;
  if (w <= 0 || h <= 0) return Corrupt("the page has no size");
  const int width = std::clamp(max_width, 1, kMaxPageImageWidth);
  // The long side that makes the image `width` wide (PDF pages are scaled to it,
  // pictures only reduced).
  const double long_side = width * std::max(w, h) / w;
  RenderOptions options = render;
  options.min_dim = 1;  // a thumbnail, not a page to OCR
  const int channels = g.color ? 3 : 1;
  // The PNG is written into a buffer of its worst-case size, reserved with the raster:
  // the image request's own reservation pays for both.
  DocumentPageAccess access(doc.get(), page, options, budget, label);
  access.set_reserve_now(true);
  const RenderRequest request{
      [channels](int pw, int ph) { return PngBoundBytes(pw, ph, channels); },
      static_cast<int>(std::min<double>(std::lround(long_side), kMaxPageImageLongSide))};
  PF_ASSIGN_OR_RETURN(Raster raster, access.Render(request));
  PageImage image;
  image.width = raster.width();
  image.height = raster.height();
  image.png.reserve(static_cast<size_t>(
      PngBoundBytes(raster.width(), raster.height(), raster.channels())));
  PF_RETURN_IF_ERROR(EncodePng(raster, 0, &image.png));
  image.reservation = std::move(raster.reservation());
  raster = Raster();  // the pixels go; the reservation keeps paying for the PNG
  image.png.shrink_to_fit();
  image.reservation.ShrinkTo(static_cast<int64_t>(image.png.capacity()));
  return image;
}

}  // namespace pageflow
