#include "raster/raster.h"

#include <cassert>

namespace pageflow {

Raster Raster::Allocate(int width, int height, int dpi, Reservation reservation,
                        int channels) {
  assert(reservation.bytes() >= int64_t{width} * height * channels);
  Raster r;
  r.width_ = width;
  r.height_ = height;
  r.dpi_ = dpi;
  r.channels_ = channels;
  r.pixels_.reset(new uint8_t[static_cast<size_t>(r.bytes())]);
  r.reservation_ = std::move(reservation);
  return r;
}

Reservation Raster::ReleasePixels() {
  pixels_.reset();
  width_ = height_ = 0;
  return std::move(reservation_);
}

}  // namespace pageflow
