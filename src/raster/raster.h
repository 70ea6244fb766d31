// Raster: one page as 8-bit gray (or 8-bit RGB, for color pictures) pixels, allocated
// only under a budget reservation that travels with it (and usually also covers the
// engine's working set for this page).
//
//   Raster r = Raster::Allocate(w, h, 300, std::move(reservation));
//   uint8_t* row = r.row(y);
#pragma once

#include <cstdint>
#include <memory>

#include "base/memory_budget.h"

namespace pageflow {

class Raster {
 public:
  Raster() = default;
  // Precondition: reservation.bytes() >= width * height * channels; channels 1 or 3.
  static Raster Allocate(int width, int height, int dpi, Reservation reservation,
                         int channels = 1);

  Raster(Raster&&) noexcept = default;
  Raster& operator=(Raster&&) noexcept = default;
  Raster(const Raster&) = delete;
  Raster& operator=(const Raster&) = delete;

  int width() const { return width_; }
  int height() const { return height_; }
  int dpi() const { return dpi_; }  // effective resolution of the pixels; 0 = unknown
  int channels() const { return channels_; }  // 1 gray, 3 RGB
  int64_t stride() const { return int64_t{width_} * channels_; }
  int64_t bytes() const { return stride() * height_; }
  uint8_t* data() { return pixels_.get(); }
  const uint8_t* data() const { return pixels_.get(); }
  uint8_t* row(int y) { return pixels_.get() + y * stride(); }
  const uint8_t* row(int y) const { return pixels_.get() + y * stride(); }
  bool empty() const { return pixels_ == nullptr; }
  // True when the pixels were drawn from vector content (text, paths; images covering
  // little of the page) onto white: no scan noise or uneven paper, so engines may use
  // cheaper binarization. False for scans, photos and pages that are mostly images.
  bool drawn_from_vectors() const { return drawn_from_vectors_; }
  void set_drawn_from_vectors(bool v) { drawn_from_vectors_ = v; }
  // The claim paying for the pixels; engines may keep using it for their working set.
  Reservation& reservation() { return reservation_; }
  // Frees the pixels (the raster is empty afterwards) and hands back the claim that
  // paid for them: an engine that has copied the pixels keeps it for its working set.
  Reservation ReleasePixels();

 private:
  int width_ = 0;
  int height_ = 0;
  int dpi_ = 0;
  int channels_ = 1;
  bool drawn_from_vectors_ = false;
  std::unique_ptr<uint8_t[]> pixels_;  // paid by reservation_
  Reservation reservation_;
};

}  // namespace pageflow
