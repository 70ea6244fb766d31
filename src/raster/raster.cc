#include "raster/raster.h"

#include <cassert>

namespace pageflow {

Raster Raster::Allocate(int width, int height, int dpi, Reservation reservation) {
  assert(reservation.bytes() >= int64_t{width} * height);
  Raster r;
  r.width_ = width;
  r.height_ = height;
  r.dpi_ = dpi;
  r.pixels_.reset(new uint8_t[static_cast<size_t>(width) * height]);
  r.reservation_ = std::move(reservation);
  return r;
}

}  // namespace pageflow
