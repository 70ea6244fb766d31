#include "output/searchable_pdf.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <exception>
#include <qpdf/Pipeline.hh>
#include <qpdf/QPDF.hh>
#include <qpdf/QPDFObjectHandle.hh>
#include <qpdf/QPDFPageDocumentHelper.hh>
#include <qpdf/QPDFPageObjectHelper.hh>
#include <qpdf/QPDFWriter.hh>
#include <vector>

#include "input/document.h"
#include "input/format.h"
#include "input/jpeg_probe.h"
#include "output/pdf_text_layer.h"
#include "raster/render_plan.h"

namespace pageflow {
namespace {

constexpr const char* kFontName = "/PFGlyphless";
// Pictures that do not state their resolution are placed as scans usually are.
constexpr int kDefaultImageDpi = 300;
// Bytes read from a spill or JPEG file at a time.
constexpr size_t kChunk = 64 << 10;

std::string Num(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.4f", v);
  std::string s(buf);
  while (s.back() == '0') s.pop_back();
  if (s.back() == '.') s.pop_back();
  return s == "-0" ? "0" : s;
}

std::string MatrixOps(const double m[6]) {
  std::string s;
  for (int i = 0; i < 6; ++i) s += Num(m[i]) + " ";
  return s + "cm\n";
}

// Passes the PDF qpdf writes on to the sink; remembers the sink's first error (qpdf
// only sees an exception).
class SinkPipeline : public Pipeline {
 public:
  explicit SinkPipeline(const SearchablePdf::Sink& sink)
      : Pipeline("searchable pdf", nullptr), sink_(sink) {}
  void write(unsigned char const* data, size_t len) override {
    if (!status_.ok()) throw std::runtime_error(status_.message());
    status_ = sink_(std::string_view(reinterpret_cast<const char*>(data), len));
    if (!status_.ok()) throw std::runtime_error(status_.message());
  }
  void finish() override {}
  const Status& status() const { return status_; }

 private:
  const SearchablePdf::Sink& sink_;
  Status status_;
};

// Removes text drawn invisibly (render mode 3) from a page's content: an earlier OCR
// layer that ours replaces. Operands are held until their operator (a text object's
// strings; an inline image's bytes at most).
class InvisibleTextFilter : public QPDFObjectHandle::TokenFilter {
 public:
  void handleToken(QPDFTokenizer::Token const& token) override {
    if (token.getType() != QPDFTokenizer::tt_word) {
      pending_.push_back(token);
      return;
    }
    const std::string& op = token.getValue();
    if (op == "Tr") {
      for (const auto& t : pending_) {
        if (t.getType() == QPDFTokenizer::tt_integer ||
            t.getType() == QPDFTokenizer::tt_real)
          mode_ = std::atoi(t.getValue().c_str());
      }
    } else if (op == "q") {
      saved_.push_back(mode_);
    } else if (op == "Q") {
      if (!saved_.empty()) {
        mode_ = saved_.back();
        saved_.pop_back();
      }
    }
    const bool shows = op == "Tj" || op == "TJ" || op == "'" || op == "\"";
    if (shows && mode_ == 3) {
      pending_.clear();
      // ' and " also move to the next line: keep that for any visible text after.
      if (op != "Tj" && op != "TJ") write("T* ");
      return;
    }
    Flush();
    writeToken(token);
  }
  void handleEOF() override { Flush(); }

 private:
  void Flush() {
    for (const auto& t : pending_) writeToken(t);
    pending_.clear();
  }
  std::vector<QPDFTokenizer::Token> pending_;
  std::vector<int> saved_;
  int mode_ = 0;
};

}  // namespace

PageTransform DisplayToUser(double x0, double y0, double x1, double y1, int rotate) {
  PageTransform t;
  const double w = x1 - x0, h = y1 - y0;
  rotate = ((rotate % 360) + 360) % 360;
  const double m0[6] = {1, 0, 0, 1, x0, y0};
  const double m90[6] = {0, 1, -1, 0, x1, y0};
  const double m180[6] = {-1, 0, 0, -1, x1, y1};
  const double m270[6] = {0, -1, 1, 0, x0, y1};
  const double* m = rotate == 90 ? m90 : rotate == 180 ? m180 : rotate == 270 ? m270 : m0;
  std::copy(m, m + 6, t.m);
  const bool turned = rotate == 90 || rotate == 270;
  t.display_width = turned ? h : w;
  t.display_height = turned ? w : h;
  return t;
}

struct SearchablePdf::Impl {
  std::string source_path;
  SearchablePdfOptions options;
  struct Closer {
    void operator()(std::FILE* f) const { std::fclose(f); }
  };
  std::unique_ptr<std::FILE, Closer> spill;
  Status spill_status;
  // A page's layer in the spill file, in the units of its boxes.
  struct Layer {
    int64_t offset = 0;
    int32_t length = 0;
    int32_t width = 0, height = 0;
  };
  std::vector<Layer> layers;  // by 0-based page; length 0: none
  int64_t spilled = 0;
  Status provider_error;  // the first failure inside a stream provider

  Status OpenSpill();
  // Streams a page's layer, placed by `prefix`, into the pipeline.
  void PipeLayer(const Layer& layer, const std::string& prefix, Pipeline* p);
  void Fail(Status st) {
    if (provider_error.ok()) provider_error = st;
    throw std::runtime_error(st.message());
  }
  QPDFObjectHandle MakeFont(QPDF& pdf);
  // Adds the layer of page `index` (if any) onto `page`, whose displayed area `t` is.
  void AddLayer(QPDF& pdf, QPDFPageObjectHelper& page, int index, const PageTransform& t,
                QPDFObjectHandle font, QPDFObjectHandle push, QPDFObjectHandle pop,
                bool replace_text);
  Status BuildFromPdf(QPDF& pdf);
  Status BuildFromImages(QPDF& pdf, DocumentFormat format, std::unique_ptr<Document>* doc,
                         int64_t* largest_stream);
};

Status SearchablePdf::Impl::OpenSpill() {
  std::string path = (options.spill_dir.empty() ? std::string(".") : options.spill_dir) +
                     "/pdf-layers-XXXXXX";
  const int fd = mkstemp(path.data());
  if (fd < 0) {
    return IoError("cannot create a spill file in " + options.spill_dir + ": " +
                   std::strerror(errno));
  }
  unlink(path.c_str());
  std::FILE* f = fdopen(fd, "w+b");
  if (f == nullptr) {
    close(fd);
    return IoError("cannot open a spill file: " + std::string(std::strerror(errno)));
  }
  spill.reset(f);
  return Status::Ok();
}

void SearchablePdf::Impl::PipeLayer(const Layer& layer, const std::string& prefix,
                                    Pipeline* p) {
  p->writeString(prefix);
  // The layer's own text: the spill file, read back in chunks. Whose budget: none, a
  // fixed 64 KB window (plus qpdf's copy of this one stream while it writes it).
  std::string chunk(kChunk, '\0');
  int64_t left = layer.length;
  if (std::fseek(spill.get(), layer.offset, SEEK_SET) != 0) {
    Fail(IoError("cannot read back a text layer: " + std::string(std::strerror(errno))));
  }
  while (left > 0) {
    const size_t want = static_cast<size_t>(std::min<int64_t>(left, chunk.size()));
    const size_t n = std::fread(chunk.data(), 1, want, spill.get());
    if (n != want) Fail(IoError("cannot read back a text layer"));
    p->write(reinterpret_cast<const unsigned char*>(chunk.data()), n);
    left -= static_cast<int64_t>(n);
  }
  p->writeString("Q\n");
  p->finish();
}

QPDFObjectHandle SearchablePdf::Impl::MakeFont(QPDF& pdf) {
  QPDFObjectHandle program =
      QPDFObjectHandle::newStream(&pdf, std::string(GlyphlessFontProgram()));
  program.getDict().replaceKey(
      "/Length1", QPDFObjectHandle::newInteger(
                      static_cast<long long>(GlyphlessFontProgram().size())));
  QPDFObjectHandle descriptor = pdf.makeIndirectObject(QPDFObjectHandle::parse(
      "<< /Type /FontDescriptor /FontName /GlyphLessFont /Flags 5 /FontBBox [0 0 500 "
      "1000]"
      " /ItalicAngle 0 /Ascent 1000 /Descent -1 /CapHeight 1000 /StemV 80 >>"));
  descriptor.replaceKey("/FontFile2", program);
  QPDFObjectHandle cid_to_gid = QPDFObjectHandle::newStream(&pdf, GlyphlessCidToGidMap());
  QPDFObjectHandle cid_font = pdf.makeIndirectObject(QPDFObjectHandle::parse(
      "<< /Type /Font /Subtype /CIDFontType2 /BaseFont /GlyphLessFont"
      " /CIDSystemInfo << /Registry (Adobe) /Ordering (Identity) /Supplement 0 >>"
      " /DW " +
      std::to_string(kGlyphlessAdvance) + " >>"));
  cid_font.replaceKey("/FontDescriptor", descriptor);
  cid_font.replaceKey("/CIDToGIDMap", cid_to_gid);
  QPDFObjectHandle to_unicode =
      QPDFObjectHandle::newStream(&pdf, std::string(GlyphlessToUnicodeCMap()));
  QPDFObjectHandle font = pdf.makeIndirectObject(
      QPDFObjectHandle::parse("<< /Type /Font /Subtype /Type0 /BaseFont /GlyphLessFont "
                              "/Encoding /Identity-H >>"));
  font.replaceKey("/DescendantFonts", QPDFObjectHandle::newArray({cid_font}));
  font.replaceKey("/ToUnicode", to_unicode);
  return font;
}

void SearchablePdf::Impl::AddLayer(QPDF& pdf, QPDFPageObjectHelper& page, int index,
                                   const PageTransform& t, QPDFObjectHandle font,
                                   QPDFObjectHandle push, QPDFObjectHandle pop,
                                   bool replace_text) {
  if (index >= static_cast<int>(layers.size()) || layers[index].length == 0) return;
  const Layer layer = layers[index];
  // The boxes' space (y up) onto the displayed page, then onto user space.
  const double scale[6] = {t.display_width / layer.width,   0, 0,
                           t.display_height / layer.height, 0, 0};
  const std::string prefix = "q\n" + MatrixOps(t.m) + MatrixOps(scale);
  if (replace_text) page.addContentTokenFilter(std::make_shared<InvisibleTextFilter>());
  // The page's own content inside q/Q, so that what it leaves in the graphics state
  // (an unbalanced cm) does not move the layer.
  if (push.isStream()) {
    page.addPageContents(push, true);
    page.addPageContents(pop, false);
  }
  QPDFObjectHandle stream = QPDFObjectHandle::newStream(&pdf);
  stream.replaceStreamData(
      [this, layer, prefix](Pipeline* p) { PipeLayer(layer, prefix, p); },
      QPDFObjectHandle::newNull(), QPDFObjectHandle::newNull());
  page.addPageContents(stream, false);
  QPDFObjectHandle page_dict = page.getObjectHandle();
  QPDFObjectHandle resources = page_dict.getKey("/Resources");
  if (!resources.isDictionary()) {
    resources = QPDFObjectHandle::newDictionary();
    page_dict.replaceKey("/Resources", resources);
  }
  QPDFObjectHandle fonts = resources.getKey("/Font");
  if (!fonts.isDictionary()) {
    fonts = QPDFObjectHandle::newDictionary();
    resources.replaceKey("/Font", fonts);
  }
  fonts.replaceKey(kFontName, font);
}

Status SearchablePdf::Impl::BuildFromPdf(QPDF& pdf) {
  QPDFPageDocumentHelper pages(pdf);
  pages.pushInheritedAttributesToPage();
  QPDFObjectHandle font = MakeFont(pdf);
  QPDFObjectHandle push = QPDFObjectHandle::newStream(&pdf, std::string("q\n"));
  QPDFObjectHandle pop = QPDFObjectHandle::newStream(&pdf, std::string("Q\n"));
  int index = 0;
  for (QPDFPageObjectHelper& page : pages.getAllPages()) {
    const int i = index++;
    if (i >= static_cast<int>(layers.size()) || layers[i].length == 0) continue;
    QPDFObjectHandle::Rectangle box = page.getCropBox(false, false).getArrayAsRectangle();
    QPDFObjectHandle rotate = page.getObjectHandle().getKey("/Rotate");
    const int degrees = rotate.isInteger() ? rotate.getIntValueAsInt() : 0;
    const PageTransform t =
        DisplayToUser(std::min(box.llx, box.urx), std::min(box.lly, box.ury),
                      std::max(box.llx, box.urx), std::max(box.lly, box.ury), degrees);
    if (t.display_width <= 0 || t.display_height <= 0) continue;
    AddLayer(pdf, page, i, t, font, push, pop, /*replace_text=*/true);
  }
  return Status::Ok();
}

Status SearchablePdf::Impl::BuildFromImages(QPDF& pdf, DocumentFormat format,
                                            std::unique_ptr<Document>* doc_out,
                                            int64_t* largest_stream) {
  PF_ASSIGN_OR_RETURN(std::unique_ptr<Document> doc, OpenDocument(source_path));
  Document* d = doc.get();
  *doc_out = std::move(doc);
  QPDFPageDocumentHelper pages(pdf);
  QPDFObjectHandle font = MakeFont(pdf);
  int jpeg_components = 0;
  if (format == DocumentFormat::kJpeg) {
    PF_ASSIGN_OR_RETURN(JpegLayout jpeg, ProbeJpeg(source_path));
    jpeg_components = jpeg.components;
    struct stat st {};
    if (stat(source_path.c_str(), &st) == 0) *largest_stream = st.st_size;
  }
  for (int i = 0; i < d->page_count(); ++i) {
    PF_ASSIGN_OR_RETURN(PageGeometry g, d->Geometry(i));
    const int dpi = g.native_dpi > 0 ? g.native_dpi : kDefaultImageDpi;
    const double width_pt = g.native_width * 72.0 / dpi;
    const double height_pt = g.native_height * 72.0 / dpi;
    QPDFObjectHandle image = QPDFObjectHandle::newStream(&pdf);
    QPDFObjectHandle dict = image.getDict();
    dict.replaceKey("/Type", QPDFObjectHandle::newName("/XObject"));
    dict.replaceKey("/Subtype", QPDFObjectHandle::newName("/Image"));
    dict.replaceKey("/BitsPerComponent", QPDFObjectHandle::newInteger(8));
    if (format == DocumentFormat::kJpeg) {
      // The original bytes: no decoding, no re-encoding.
      dict.replaceKey("/Width", QPDFObjectHandle::newInteger(g.native_width));
      dict.replaceKey("/Height", QPDFObjectHandle::newInteger(g.native_height));
      dict.replaceKey("/ColorSpace",
                      QPDFObjectHandle::newName(jpeg_components == 1   ? "/DeviceGray"
                                                : jpeg_components == 4 ? "/DeviceCMYK"
                                                                       : "/DeviceRGB"));
      if (jpeg_components == 4) {  // Adobe's CMYK JPEGs are stored inverted
        dict.replaceKey("/Decode", QPDFObjectHandle::parse("[1 0 1 0 1 0 1 0]"));
      }
      const std::string path = source_path;
      image.replaceStreamData(
          [this, path](Pipeline* p) {
            struct FileCloser {
              void operator()(std::FILE* f) const { std::fclose(f); }
            };
            std::unique_ptr<std::FILE, FileCloser> in(std::fopen(path.c_str(), "rb"));
            if (!in) Fail(IoError("cannot reopen " + path + ": " + std::strerror(errno)));
            std::string chunk(kChunk, '\0');
            size_t n = 0;
            while ((n = std::fread(chunk.data(), 1, chunk.size(), in.get())) > 0) {
              p->write(reinterpret_cast<const unsigned char*>(chunk.data()), n);
            }
            p->finish();
          },
          QPDFObjectHandle::newName("/DCTDecode"), QPDFObjectHandle::newNull());
    } else {
      // Decoded pixels, compressed by qpdf (Flate): lossless for 8-bit gray and RGB;
      // other depths are widened to 8 bits, alpha is dropped.
      RenderOptions render;
      render.max_dim = std::max(g.native_width, g.native_height);
      render.min_dim = 1;
      PF_ASSIGN_OR_RETURN(RenderPlan plan,
                          PlanRender(
                              g, render, [](int, int) -> int64_t { return 0; },
                              options.budget->MaxSingleReservation()));
      dict.replaceKey("/Width", QPDFObjectHandle::newInteger(plan.width));
      dict.replaceKey("/Height", QPDFObjectHandle::newInteger(plan.height));
      dict.replaceKey(
          "/ColorSpace",
          QPDFObjectHandle::newName(plan.channels == 3 ? "/DeviceRGB" : "/DeviceGray"));
      image.replaceStreamData(
          [this, d, i, plan](Pipeline* p) {
            // Whose budget: the run's (options.budget), for the decoded picture and the
            // raster (plan.total_bytes) and qpdf's compressed copy of it, which it keeps
            // until the stream is written (at most the raster's size, Flate's worst
            // case being barely more).
            const int64_t raster = int64_t{plan.width} * plan.height * plan.channels;
            StatusOr<Reservation> copy = options.budget->Reserve(
                raster + (raster >> 6) + 4096, "searchable PDF image");
            if (!copy.ok()) Fail(copy.status());
            StatusOr<Reservation> r =
                options.budget->Reserve(plan.total_bytes, "searchable PDF image");
            if (!r.ok()) Fail(r.status());
            StatusOr<Raster> pixels = d->Render(i, plan, std::move(*r));
            if (!pixels.ok())
              Fail(pixels.status().WithContext("page " + std::to_string(i + 1)));
            for (int y = 0; y < pixels->height(); ++y) {
              p->write(pixels->row(y), static_cast<size_t>(pixels->stride()));
            }
            p->finish();
          },
          QPDFObjectHandle::newNull(), QPDFObjectHandle::newNull());
    }
    QPDFObjectHandle page = pdf.makeIndirectObject(
        QPDFObjectHandle::parse("<< /Type /Page /MediaBox [0 0 " + Num(width_pt) + " " +
                                Num(height_pt) + "] /Resources << /XObject << >> >> >>"));
    page.getKey("/Resources").getKey("/XObject").replaceKey("/Im0", image);
    QPDFObjectHandle content = QPDFObjectHandle::newStream(
        &pdf, "q " + Num(width_pt) + " 0 0 " + Num(height_pt) + " 0 0 cm /Im0 Do Q\n");
    page.replaceKey("/Contents", content);
    QPDFPageObjectHelper helper(page);
    pages.addPage(helper, false);
    AddLayer(pdf, helper, i, DisplayToUser(0, 0, width_pt, height_pt, 0), font,
             QPDFObjectHandle::newNull(), QPDFObjectHandle::newNull(),
             /*replace_text=*/false);
  }
  return Status::Ok();
}

SearchablePdf::SearchablePdf(std::string source_path, SearchablePdfOptions options)
    : impl_(std::make_unique<Impl>()) {
  impl_->source_path = std::move(source_path);
  impl_->options = std::move(options);
}

SearchablePdf::~SearchablePdf() = default;

Status SearchablePdf::Add(const PageRecord& page) {
  PF_RETURN_IF_ERROR(impl_->spill_status);
  if (!page.error.empty() || page.engine == "text-layer" || !page.boxes ||
      page.boxes->width <= 0 || page.boxes->height <= 0 || page.page < 1) {
    return Status::Ok();
  }
  const std::string content = TextLayerContent(*page.boxes, kFontName);
  if (content.empty()) return Status::Ok();
  if (!impl_->spill) {
    impl_->spill_status = impl_->OpenSpill();
    PF_RETURN_IF_ERROR(impl_->spill_status);
  }
  if (std::fseek(impl_->spill.get(), 0, SEEK_END) != 0 ||
      std::fwrite(content.data(), 1, content.size(), impl_->spill.get()) !=
          content.size()) {
    impl_->spill_status = IoError("cannot write a text layer to the spill file: " +
                                  std::string(std::strerror(errno)));
    return impl_->spill_status;
  }
  if (static_cast<int>(impl_->layers.size()) < page.page) impl_->layers.resize(page.page);
  impl_->layers[page.page - 1] = {impl_->spilled, static_cast<int32_t>(content.size()),
                                  page.boxes->width, page.boxes->height};
  impl_->spilled += static_cast<int64_t>(content.size());
  return Status::Ok();
}

Status SearchablePdf::Write(const Sink& sink) {
  Impl& m = *impl_;
  PF_RETURN_IF_ERROR(m.spill_status);
  if (m.options.budget == nullptr) return Internal("SearchablePdf needs a budget");
  if (m.spill && std::fflush(m.spill.get()) != 0) {
    return IoError("cannot write the text layers: " + std::string(std::strerror(errno)));
  }
  PF_ASSIGN_OR_RETURN(DocumentFormat format, DetectFormat(m.source_path));
  SinkPipeline out(sink);
  std::unique_ptr<Document> images;  // image inputs: decoded a page at a time by Write
  Reservation largest;
  try {
    QPDF pdf;
    pdf.setSuppressWarnings(true);
    int64_t largest_stream = 0;
    if (format == DocumentFormat::kPdf) {
      pdf.processFile(m.source_path.c_str());
      PF_RETURN_IF_ERROR(m.BuildFromPdf(pdf));
      // qpdf copies each stream whole while it writes it: the largest one is paid for.
      for (QPDFObjectHandle& o : pdf.getAllObjects()) {
        if (!o.isStream()) continue;
        QPDFObjectHandle length = o.getDict().getKey("/Length");
        if (length.isInteger())
          largest_stream = std::max<int64_t>(largest_stream, length.getIntValue());
      }
    } else {
      pdf.emptyPDF();
      PF_RETURN_IF_ERROR(m.BuildFromImages(pdf, format, &images, &largest_stream));
    }
    // Whose budget: the run's, for qpdf's copy of the largest stream it passes through
    // unchanged (a decoded picture reserves for itself, in its provider).
    PF_ASSIGN_OR_RETURN(
        largest, m.options.budget->Reserve(largest_stream, "searchable PDF stream"));
    QPDFWriter writer(pdf);
    writer.setOutputPipeline(&out);
    writer.setObjectStreamMode(qpdf_o_preserve);
    writer.write();
  } catch (const std::exception& e) {
    if (!out.status().ok()) return out.status();
    if (!m.provider_error.ok()) return m.provider_error;
    return Corrupt(std::string("cannot write the searchable PDF: ") + e.what());
  }
  return Status::Ok();
}

}  // namespace pageflow
