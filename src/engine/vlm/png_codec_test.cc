#include "engine/vlm/png_codec.h"

#include <gtest/gtest.h>
#include <png.h>

#include <cstring>

namespace pageflow {
namespace {

// Decodes a gray PNG with libpng's simplified API.
bool DecodeGray(const std::string& png, int* w, int* h, std::vector<uint8_t>* pixels) {
  png_image image;
  std::memset(&image, 0, sizeof image);
  image.version = PNG_IMAGE_VERSION;
  if (!png_image_begin_read_from_memory(&image, png.data(), png.size())) return false;
  image.format = PNG_FORMAT_GRAY;
  pixels->resize(PNG_IMAGE_SIZE(image));
  *w = image.width;
  *h = image.height;
  return png_image_finish_read(&image, nullptr, pixels->data(), 0, nullptr) != 0;
}

TEST(PngCodecTest, EncodesAndRotatesCounterClockwise) {
  MemoryBudget budget(1 << 20);
  StatusOr<Reservation> r = budget.Reserve(6, "test");
  ASSERT_TRUE(r.ok());
  Raster raster = Raster::Allocate(3, 2, 72, std::move(*r));
  const uint8_t values[] = {1, 2, 3, 4, 5, 6};  // rows: [1 2 3] [4 5 6]
  std::memcpy(raster.data(), values, 6);
  const struct {
    int rotation, w, h;
    std::vector<uint8_t> pixels;
  } cases[] = {{0, 3, 2, {1, 2, 3, 4, 5, 6}},
               {90, 2, 3, {3, 6, 2, 5, 1, 4}},
               {180, 3, 2, {6, 5, 4, 3, 2, 1}},
               {270, 2, 3, {4, 1, 5, 2, 6, 3}}};
  for (const auto& c : cases) {
    std::string png;
    png.reserve(PngBoundBytes(c.w, c.h, 1));
    const size_t capacity = png.capacity();
    ASSERT_TRUE(EncodePng(raster, c.rotation, &png).ok());
    EXPECT_EQ(png.capacity(), capacity) << "reallocated beyond the bound";
    int w = 0, h = 0;
    std::vector<uint8_t> pixels;
    ASSERT_TRUE(DecodeGray(png, &w, &h, &pixels)) << c.rotation;
    EXPECT_EQ(w, c.w) << c.rotation;
    EXPECT_EQ(h, c.h) << c.rotation;
    EXPECT_EQ(pixels, c.pixels) << c.rotation;
  }
}

TEST(PngCodecTest, NoiseStaysWithinTheBound) {
  const int w = 500, h = 300;
  MemoryBudget budget(1 << 20);
  StatusOr<Reservation> r = budget.Reserve(w * h, "test");
  ASSERT_TRUE(r.ok());
  Raster raster = Raster::Allocate(w, h, 72, std::move(*r));
  uint32_t x = 12345;
  for (int i = 0; i < w * h; ++i) raster.data()[i] = static_cast<uint8_t>((x = x * 1103515245 + 12345) >> 16);
  std::string png;
  ASSERT_TRUE(EncodePng(raster, 0, &png).ok());
  EXPECT_LE(static_cast<int64_t>(png.size()), PngBoundBytes(w, h, 1));
}

TEST(PngCodecTest, Base64RoundTrips) {
  for (const std::string& s : std::vector<std::string>{"", "a", "ab", "abc", "abcd", std::string("\0\xff\x10", 3)}) {
    std::string b64;
    AppendBase64(s, &b64);
    EXPECT_EQ(static_cast<int64_t>(b64.size()), Base64Bytes(static_cast<int64_t>(s.size())));
    std::string back;
    ASSERT_TRUE(DecodeBase64(b64, &back)) << b64;
    EXPECT_EQ(back, s);
  }
  std::string out;
  AppendBase64("Man", &out);
  EXPECT_EQ(out, "TWFu");
  std::string bad;
  EXPECT_FALSE(DecodeBase64("TW=u", &bad));
}

}  // namespace
}  // namespace pageflow
