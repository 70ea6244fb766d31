#include "input/png_stream.h"

#include <png.h>

#include <csetjmp>
#include <cstdio>
#include <cstring>
#include <memory>
#include <vector>

namespace pageflow {
namespace {

struct FileCloser {
  void operator()(FILE* f) const { std::fclose(f); }
};

struct ReadState {
  png_structp png = nullptr;
  png_infop info = nullptr;
  ~ReadState() { png_destroy_read_struct(&png, info ? &info : nullptr, nullptr); }
};

void OnPngError(png_structp png, png_const_charp /*message*/) { longjmp(png_jmpbuf(png), 1); }
void OnPngWarning(png_structp, png_const_charp) {}

// libpng reports errors by longjmp; this function keeps only trivially destructible
// state between setjmp and the jump. Returns false on any decoding error.
bool DecodeRows(png_structp png, png_infop info, FILE* f, uint8_t* row, uint32_t* sums, uint32_t* counts,
                Raster* out) {
  if (setjmp(png_jmpbuf(png))) return false;
  png_init_io(png, f);
  png_read_info(png, info);
  const png_uint_32 w = png_get_image_width(png, info);
  const png_uint_32 h = png_get_image_height(png, info);
  png_set_expand(png);
  png_set_strip_16(png);
  png_set_strip_alpha(png);
  png_set_rgb_to_gray_fixed(png, 1, -1, -1);
  png_read_update_info(png, info);
  if (png_get_rowbytes(png, info) > w) return false;  // still more than 1 byte/pixel
  const int ow = out->width(), oh = out->height();
  int current = 0;
  auto flush = [&](int oy) {
    uint8_t* dst = out->row(oy);
    for (int x = 0; x < ow; ++x) dst[x] = static_cast<uint8_t>(counts[x] ? sums[x] / counts[x] : 255);
    std::memset(sums, 0, sizeof(uint32_t) * ow);
    std::memset(counts, 0, sizeof(uint32_t) * ow);
  };
  for (png_uint_32 y = 0; y < h; ++y) {
    png_read_row(png, row, nullptr);
    const int oy = static_cast<int>(static_cast<uint64_t>(y) * oh / h);
    if (oy != current) {
      flush(current);
      current = oy;
    }
    for (png_uint_32 x = 0; x < w; ++x) {
      const int ox = static_cast<int>(static_cast<uint64_t>(x) * ow / w);
      sums[ox] += row[x];
      ++counts[ox];
    }
  }
  flush(current);
  return true;
}

}  // namespace

bool PngCanStream(const std::string& path) {
  std::unique_ptr<FILE, FileCloser> f(std::fopen(path.c_str(), "rb"));
  if (!f) return false;
  unsigned char head[29];
  if (std::fread(head, 1, sizeof head, f.get()) != sizeof head) return false;
  if (png_sig_cmp(head, 0, 8) != 0) return false;
  return head[28] == 0;  // IHDR interlace method: 0 = none
}

Status DecodePngScaled(const std::string& path, Raster* out) {
  std::unique_ptr<FILE, FileCloser> f(std::fopen(path.c_str(), "rb"));
  if (!f) return IoError("cannot open PNG");
  ReadState s;
  s.png = png_create_read_struct(PNG_LIBPNG_VER_STRING, nullptr, OnPngError, OnPngWarning);
  if (s.png == nullptr) return Internal("libpng could not start");
  s.info = png_create_info_struct(s.png);
  if (s.info == nullptr) return Internal("libpng could not start");
  // One input row and two accumulators of the output width: the only memory beyond
  // the output raster (paid by the caller's reservation, which counts a row's worth).
  png_uint_32 w = 0;
  {
    unsigned char head[24];
    if (std::fread(head, 1, sizeof head, f.get()) != sizeof head) return Corrupt("truncated PNG header");
    w = png_get_uint_32(head + 16);
    std::rewind(f.get());
  }
  std::vector<uint8_t> row(static_cast<size_t>(w) * 8);
  std::vector<uint32_t> sums(static_cast<size_t>(out->width())), counts(static_cast<size_t>(out->width()));
  if (!DecodeRows(s.png, s.info, f.get(), row.data(), sums.data(), counts.data(), out)) {
    return Corrupt("cannot decode the PNG image (damaged or truncated?)");
  }
  return Status::Ok();
}

}  // namespace pageflow
