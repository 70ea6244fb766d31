#include "input/image_document.h"

#include <leptonica/allheaders.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <memory>

#include "input/jpeg_probe.h"
#include "input/png_stream.h"

namespace pageflow {
namespace {

struct PixDeleter {
  void operator()(PIX* p) const { pixDestroy(&p); }
};
using PixPtr = std::unique_ptr<PIX, PixDeleter>;

struct FileCloser {
  void operator()(FILE* f) const { std::fclose(f); }
};

// Bytes per pixel Leptonica uses once decoded: 1-bit stays packed, gray/palette take a
// byte, everything with color becomes 32-bit RGBA.
int64_t DecodedBytes(int w, int h, int bps, int spp) {
  const int64_t pixels = int64_t{w} * h;
  if (bps == 1 && spp == 1) return pixels / 8 + int64_t{h} * 4;
  if (spp == 1) return pixels * (bps > 8 ? 2 : 1);
  return pixels * 4;
}

constexpr int64_t kMaxColorPixels = 16'000'000;
// A header that claims more (a million pixels a side; PNG and TIFF allow 2^31) is not a
// picture anyone can use: refused, so every size computed from it (decode bytes, render
// plans) stays far inside int64.
constexpr int64_t kMaxImagePixels = int64_t{1} << 40;

// Leptonica's own stderr chatter is off; we report errors ourselves.
void QuietLeptonica() {
  static bool done = [] {
    setMsgSeverity(L_SEVERITY_NONE);
    return true;
  }();
  (void)done;
}

class ImageDocument final : public Document {
 public:
  ImageDocument(std::string path, DocumentFormat format, int pages)
      : Document(std::move(path), format), pages_(pages) {}

  int page_count() const override { return pages_; }

  StatusOr<PageGeometry> Geometry(int page) override {
    if (page < 0 || page >= pages_) return InvalidArgument("no page " + std::to_string(page + 1));
    int w = 0, h = 0, bps = 0, spp = 0, res = 0, cmap = 0, fmt = 0;
    bool ok;
    if (format() == DocumentFormat::kTiff) {
      ok = readHeaderTiff(path().c_str(), page, &w, &h, &bps, &spp, &res, &cmap, &fmt) == 0;
    } else {
      ok = pixReadHeader(path().c_str(), &fmt, &w, &h, &bps, &spp, &cmap) == 0;
    }
    if (!ok || w <= 0 || h <= 0) {
      return Corrupt(std::string("cannot read the ") + std::string(FormatName(format())) +
                     " header (damaged or truncated?)");
    }
    if (int64_t{w} * h > kMaxImagePixels) {
      return Corrupt("the " + std::string(FormatName(format())) + " header claims " +
                     std::to_string(w) + " x " + std::to_string(h) +
                     " pixels, more than 2^40: not a picture pageflow reads");
    }
    if (res <= 0 && format() != DocumentFormat::kTiff) res = StoredResolution();
    PageGeometry g;
    g.native_width = w;
    g.native_height = h;
    g.native_dpi = res;
    g.width_pt = w * 72.0 / (res > 0 ? res : 300);
    g.height_pt = h * 72.0 / (res > 0 ? res : 300);
    g.decode_bytes = DecodedBytes(w, h, bps, spp);
    g.decode_can_reduce = format() == DocumentFormat::kJpeg;
    if (format() == DocumentFormat::kJpeg) {
      // A progressive file is decoded through whole-image coefficient buffers, which
      // reducing the output does not shrink (libjpeg's jdcoefct.c).
      PF_ASSIGN_OR_RETURN(JpegLayout layout, ProbeJpeg(path()));
      g.unreduced_decode_bytes = layout.coefficient_bytes;
    }
    // Tesseract thresholds color per channel, which reads colored print (receipts)
    // better than our gray conversion: measured on the dev corpus's SROIE receipts.
    g.color = spp >= 3;
    const bool plain_gray = spp == 1 && bps == 8 && !cmap;
    g.convert_bytes = plain_gray ? 0 : int64_t{w} * h * (spp >= 3 ? 4 : 1);
    if (format() == DocumentFormat::kPng) {
      // Gray PNGs, and color ones too big to keep in color (16 Mpx, 64 MB decoded), are
      // streamed row by row into a gray output (png_stream.h): one row, not the picture.
      if ((spp < 3 || int64_t{w} * h > kMaxColorPixels) && PngCanStream(path())) {
        g.decode_bytes = int64_t{w} * 8 + 1;
        g.convert_bytes = 0;
        g.color = false;
      } else {
        // libpng's whole-image rows, then Leptonica's copy of them.
        g.decode_bytes *= 2;
      }
    }
    return g;
  }

  StatusOr<Raster> Render(int page, const RenderPlan& plan, Reservation reservation) override {
    // All intermediate pictures below are paid by `reservation` (plan.total_bytes
    // counts the decoded picture, its gray copy and the output raster).
    if (format() == DocumentFormat::kPng && plan.channels == 1 && PngCanStream(path())) {
      Raster raster = Raster::Allocate(plan.width, plan.height, plan.dpi, std::move(reservation));
      PF_RETURN_IF_ERROR(DecodePngScaled(path(), &raster));
      return raster;
    }
    PixPtr pix;
    switch (format()) {
      case DocumentFormat::kJpeg: {
        int warnings = 0;
        pix.reset(pixReadJpeg(path().c_str(), 0, plan.decode_reduction, &warnings, 0));
        break;
      }
      case DocumentFormat::kTiff:
        pix.reset(pixReadTiff(path().c_str(), page));
        break;
      default:
        pix.reset(pixRead(path().c_str()));
    }
    if (!pix) {
      return Corrupt(std::string("cannot decode the ") + std::string(FormatName(format())) +
                     " image (damaged or truncated?)");
    }
    // PNG/JPEG headers we probe carry no resolution; the decoded picture may. The
    // output's resolution is the stored one scaled to the output size.
    int dpi = plan.dpi;
    if (dpi == 0 && pixGetXRes(pix.get()) >= 70) {
      const int stored = pixGetXRes(pix.get()) * plan.decode_reduction;
      dpi = static_cast<int>(static_cast<int64_t>(stored) * plan.width / std::max(1, pixGetWidth(pix.get()) * plan.decode_reduction));
    }
    // A picture stored as RGB but without color (a gray render saved as RGB) is read as
    // gray: its color channels carry nothing and gray takes a third of the memory.
    int channels = plan.channels;
    if (channels == 3 && pixGetDepth(pix.get()) == 32) {
      l_float32 pixel_fraction = 0, color_fraction = 0;
      if (pixColorFraction(pix.get(), 20, 244, 20, 4, &pixel_fraction, &color_fraction) == 0 &&
          color_fraction < 0.01f) {
        channels = 1;
      }
    }
    PixPtr gray;
    if (channels == 1 && pixGetDepth(pix.get()) == 8 && pixGetColormap(pix.get()) == nullptr) {
      gray = std::move(pix);  // already what we need: no copy
    } else {
      gray.reset(channels == 3 ? pixConvertTo32(pix.get()) : pixConvertTo8(pix.get(), 0));
    }
    pix.reset();
    if (!gray) return Corrupt("cannot convert the image");
    if (pixGetWidth(gray.get()) != plan.width || pixGetHeight(gray.get()) != plan.height) {
      const float sx = static_cast<float>(plan.width) / pixGetWidth(gray.get());
      const float sy = static_cast<float>(plan.height) / pixGetHeight(gray.get());
      PixPtr scaled(pixScale(gray.get(), sx, sy));
      if (!scaled) return Internal("cannot scale the image");
      gray = std::move(scaled);
    }
    const int w = std::min<int>(pixGetWidth(gray.get()), plan.width);
    const int h = std::min<int>(pixGetHeight(gray.get()), plan.height);
    Raster raster = Raster::Allocate(plan.width, plan.height, dpi, std::move(reservation), channels);
    std::memset(raster.data(), 255, static_cast<size_t>(raster.bytes()));
    const l_uint32* data = pixGetData(gray.get());
    const int wpl = pixGetWpl(gray.get());
    for (int y = 0; y < h; ++y) {
      const l_uint32* line = data + static_cast<int64_t>(y) * wpl;
      uint8_t* out = raster.row(y);
      if (channels == 3) {
        for (int x = 0; x < w; ++x) {
          int r, g, b;
          extractRGBValues(line[x], &r, &g, &b);
          out[3 * x] = static_cast<uint8_t>(r);
          out[3 * x + 1] = static_cast<uint8_t>(g);
          out[3 * x + 2] = static_cast<uint8_t>(b);
        }
      } else {
        for (int x = 0; x < w; ++x) out[x] = static_cast<uint8_t>(GET_DATA_BYTE(line, x));
      }
    }
    return raster;
  }

  StatusOr<TextLayerPage> TextLayer(int /*page*/, const TextLayerReserveFn&) override {
    return Unsupported("images have no text layer");
  }

 private:
  // PNG pHYs / JPEG JFIF density, read from the header; 0 when absent.
  int StoredResolution() const {
    std::unique_ptr<FILE, FileCloser> f(std::fopen(path().c_str(), "rb"));
    if (!f) return 0;
    int xres = 0, yres = 0;
    if (format() == DocumentFormat::kPng) fgetPngResolution(f.get(), &xres, &yres);
    if (format() == DocumentFormat::kJpeg) fgetJpegResolution(f.get(), &xres, &yres);
    return xres;
  }

  int pages_;
};

}  // namespace

StatusOr<std::unique_ptr<Document>> OpenImageDocument(const std::string& path,
                                                      DocumentFormat format) {
  QuietLeptonica();
  int pages = 1;
  if (format == DocumentFormat::kTiff) {
    std::unique_ptr<FILE, FileCloser> f(std::fopen(path.c_str(), "rb"));
    if (!f) return IoError("cannot open TIFF");
    int n = 0;
    if (tiffGetCount(f.get(), &n) != 0 || n <= 0) return Corrupt("TIFF has no readable pages");
    pages = n;
  }
  auto doc = std::unique_ptr<Document>(new ImageDocument(path, format, pages));
  // Probe the first header now so a broken file fails at open, like a broken PDF.
  StatusOr<PageGeometry> g = doc->Geometry(0);
  if (!g.ok()) return g.status();
  return doc;
}

}  // namespace pageflow
