#include "engine/vlm/png_codec.h"

#include <png.h>

#include <csetjmp>
#include <memory>
#include <vector>

namespace pageflow {
namespace {

constexpr char kBase64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

void WriteToString(png_structp png, png_bytep data, png_size_t n) {
  static_cast<std::string*>(png_get_io_ptr(png))->append(reinterpret_cast<const char*>(data), n);
}
void NoFlush(png_structp) {}

}  // namespace

int64_t PngBoundBytes(int width, int height, int channels) {
  // Stored deflate blocks at worst: each row is 1 filter byte + pixels; zlib adds 5 bytes
  // per 16 KiB block plus its header; PNG adds chunk framing (IHDR, IDAT every 8 KiB, IEND).
  const int64_t raw = int64_t{height} * (int64_t{width} * channels + 1);
  return raw + raw / 1000 + 5 * (raw / 16384 + 1) + 12 * (raw / 8192 + 1) + 1024;
}

Status EncodePng(const Raster& raster, int rotation_ccw, std::string* out) {
  png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, nullptr, nullptr, nullptr);
  if (png == nullptr) return Internal("libpng: cannot create a writer");
  png_infop info = png_create_info_struct(png);
  struct Cleanup {
    png_structp* png;
    png_infop* info;
    ~Cleanup() { png_destroy_write_struct(png, info); }
  } cleanup{&png, &info};
  if (info == nullptr) return Internal("libpng: cannot create info");

  const bool sideways = rotation_ccw == 90 || rotation_ccw == 270;
  const int w = sideways ? raster.height() : raster.width();
  const int h = sideways ? raster.width() : raster.height();
  const int ch = raster.channels();
  // One output row for rotated pages: small next to the raster (max side x channels).
  std::vector<uint8_t> row(sideways || rotation_ccw == 180 ? static_cast<size_t>(w) * ch : 0);
  if (setjmp(png_jmpbuf(png))) return Internal("libpng could not encode the page");
  png_set_write_fn(png, out, WriteToString, NoFlush);
  png_set_IHDR(png, info, w, h, 8, ch == 3 ? PNG_COLOR_TYPE_RGB : PNG_COLOR_TYPE_GRAY, PNG_INTERLACE_NONE,
               PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
  // Speed over size: the client encodes every page, the server decodes it once, and a
  // rendered text page compresses well even at level 1 without filters.
  png_set_compression_level(png, 1);
  png_set_filter(png, PNG_FILTER_TYPE_BASE, PNG_FILTER_NONE);
  png_write_info(png, info);
  const int sw = raster.width(), sh = raster.height();
  for (int y = 0; y < h; ++y) {
    const uint8_t* src = nullptr;
    if (rotation_ccw == 0) {
      src = raster.row(y);
    } else {
      for (int x = 0; x < w; ++x) {
        int sx, sy;  // source pixel of output (x, y)
        if (rotation_ccw == 90) {
          sx = sw - 1 - y, sy = x;
        } else if (rotation_ccw == 180) {
          sx = sw - 1 - x, sy = sh - 1 - y;
        } else {
          sx = y, sy = sh - 1 - x;
        }
        const uint8_t* p = raster.row(sy) + static_cast<int64_t>(sx) * ch;
        for (int c = 0; c < ch; ++c) row[static_cast<size_t>(x) * ch + c] = p[c];
      }
      src = row.data();
    }
    png_write_row(png, const_cast<png_bytep>(src));
  }
  png_write_end(png, nullptr);
  return Status::Ok();
}

void AppendBase64(std::string_view data, std::string* out) {
  const auto* p = reinterpret_cast<const unsigned char*>(data.data());
  const size_t n = data.size();
  size_t i = 0;
  for (; i + 3 <= n; i += 3) {
    const uint32_t v = (p[i] << 16) | (p[i + 1] << 8) | p[i + 2];
    const char quad[4] = {kBase64[v >> 18], kBase64[(v >> 12) & 63], kBase64[(v >> 6) & 63], kBase64[v & 63]};
    out->append(quad, 4);
  }
  if (i < n) {
    uint32_t v = p[i] << 16;
    if (i + 1 < n) v |= p[i + 1] << 8;
    const char quad[4] = {kBase64[v >> 18], kBase64[(v >> 12) & 63], i + 1 < n ? kBase64[(v >> 6) & 63] : '=',
                          '='};
    out->append(quad, 4);
  }
}

bool DecodeBase64(std::string_view text, std::string* out) {
  int8_t table[256];
  for (int i = 0; i < 256; ++i) table[i] = -1;
  for (int i = 0; i < 64; ++i) table[static_cast<unsigned char>(kBase64[i])] = static_cast<int8_t>(i);
  if (text.size() % 4 != 0) return false;
  out->reserve(out->size() + text.size() / 4 * 3);
  for (size_t i = 0; i < text.size(); i += 4) {
    int v[4];
    int pad = 0;
    for (int k = 0; k < 4; ++k) {
      const char c = text[i + k];
      if (c == '=' && i + 4 == text.size() && k >= 2) {
        v[k] = 0;
        ++pad;
        continue;
      }
      if (pad > 0) return false;
      v[k] = table[static_cast<unsigned char>(c)];
      if (v[k] < 0) return false;
    }
    const uint32_t word = (v[0] << 18) | (v[1] << 12) | (v[2] << 6) | v[3];
    out->push_back(static_cast<char>(word >> 16));
    if (pad < 2) out->push_back(static_cast<char>((word >> 8) & 255));
    if (pad < 1) out->push_back(static_cast<char>(word & 255));
  }
  return true;
}

}  // namespace pageflow
