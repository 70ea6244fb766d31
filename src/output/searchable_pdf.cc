#include "output/searchable_pdf.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <exception>
#include <map>
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
#include "output/pdf_incremental_writer.h"
#include "output/pdf_text_layer.h"
#include "output/qpdf_support.h"
#include "output/spilled_array.h"
#include "raster/render_plan.h"

namespace pageflow {
namespace {

constexpr const char* kFontName = "/PFGlyphless";
// Pictures that do not state their resolution are placed as scans usually are.
constexpr int kDefaultImageDpi = 300;
// Bytes read from a spill or JPEG file at a time.
constexpr size_t kChunk = 64 << 10;
// Layered pages read with one QPDF object before it is dropped. qpdf keeps every object
// it has parsed (a whole object stream of them for one object in it) until it is
// destroyed, so the input is reopened after this many pages: what qpdf holds stays that
// of a few pages, whatever the document's length. Reopening reads the cross-reference
// table again: 2.7 ms for gnuplot.pdf's 7,700 objects (an xref stream), 18 ms for a
// classic table of 8,000 (OpenWindowed), so time grows as pages x objects / 16.
constexpr int kPagesPerOpen = 16;
// What a QPDF object holds for each object of the input it opened (its cross-reference
// table, before any object is parsed; PlanAppend holds a copy of it for a moment), and
// what it keeps of the kPagesPerOpen pages it reads (their dictionaries, resources,
// annotations, and the whole object streams they are in). Measured on gnuplot.pdf
// (7,685 objects, 311 pdfTeX pages in object streams): 81 bytes an object, twice that
// with the copy; 2.4-6.9 MB for 16 pages (the last ones, an index of links, the most).
constexpr int64_t kQpdfBytesPerObject = 160;
constexpr int64_t kQpdfGroupBytes = 8 << 20;
// A content stream's decoded size against its stored /Length, for what filtering it
// holds (qpdf's tokenizer reads a page's whole content before filtering it).
constexpr int64_t kContentExpansion = 4;
// The per-page records (spilled layers, the update's cross-reference entries) are
// paid for in steps of this many bytes.
constexpr int64_t kRecordStep = 64 << 10;

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

std::string Ref(int id) { return std::to_string(id) + " 0 R"; }

// "<< ... >>" as qpdf unparses a dictionary, without its closing ">>", for more keys.
std::string OpenDict(const std::string& dict) {
  return dict.size() >= 2 && dict.compare(dict.size() - 2, 2, ">>") == 0
             ? dict.substr(0, dict.size() - 2)
             : "<< ";
}

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
  // By 0-based page: whether its content has invisible text to remove (Append's dry run
  // finds out; one bit a page).
  std::vector<bool> strip;
  int64_t spilled = 0;
  Status provider_error;  // the first failure inside a stream provider

  // Charges for the per-page records: the layers' table and `more` bytes.
  std::vector<Reservation> record_charges;
  int64_t record_charged = 0;
  Status ChargeRecords(int64_t more);

  Status OpenSpill();
  // Writes a page's layer, placed by `prefix`, to `out`.
  Status ReadLayer(const Layer& layer, const std::string& prefix,
                   const PdfIncrementalWriter::Sink& out);
  // Streams a page's layer, placed by `prefix`, into the pipeline.
  void PipeLayer(const Layer& layer, const std::string& prefix, Pipeline* p);

  // PDF inputs: the original bytes and an incremental update with the layered pages'
  // new versions, their layers and the font (output/pdf_incremental_writer.h), reading
  // the input kPagesPerOpen pages at a time.
  struct AppendPlan {
    int first_new_object = 0;
    int64_t object_count = 0;
    int64_t startxref = 0;
    std::string trailer;  // /Root, /Info, /ID of the original
  };
  // UNSUPPORTED when the input is not one to append to (encrypted, damaged: qpdf
  // warned), which the rewrite below handles instead.
  StatusOr<AppendPlan> PlanAppend();
  // With `dry_run`, writes nothing and checks that qpdf reads every layered page
  // without a warning (UNSUPPORTED otherwise), so a damaged input falls back to the
  // rewrite before a byte is written; it also finds the pages with invisible text
  // (`strip`), which the run that writes (after it) relies on.
  Status Append(const AppendPlan& plan, const PdfIncrementalWriter::Sink& sink,
                bool dry_run);
  struct Shared {
    int font = 0, push = 0, pop = 0;
  };
  Status WriteShared(PdfIncrementalWriter& w, Shared* ids);
  // The glyphless font's objects; `font` gets the Type0 font's number.
  Status WriteFont(PdfIncrementalWriter& w, int* font);
  // What places a layer of boxes on the displayed page `t`: "q" and two matrices.
  static std::string LayerPrefix(const Layer& layer, const PageTransform& t);
  // Pictures: a new PDF, a page a frame, written as it goes (the pages' numbers are all
  // it keeps, for /Kids).
  Status WriteImages(const PdfIncrementalWriter::Sink& sink, DocumentFormat format);
  // Page `index`'s new version, its layer and (when it had invisible text) its new
  // content. With `w` null (the dry run), reads all that qpdf must read for it and
  // writes nothing.
  Status AppendPage(QPDF& pdf, PdfIncrementalWriter* w, int index, const Shared& ids);
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
};

Status SearchablePdf::Impl::OpenSpill() {
  PF_ASSIGN_OR_RETURN(std::FILE * f, OpenSpillFile(options.spill_dir));
  spill.reset(f);
  return Status::Ok();
}

Status SearchablePdf::Impl::ChargeRecords(int64_t more) {
  const int64_t need = static_cast<int64_t>(layers.capacity() * sizeof(Layer)) +
                       std::max<int64_t>(more, 0);
  while (record_charged < need) {
    // Whose budget: the run's (options.budget), for this document's per-page records.
    PF_ASSIGN_OR_RETURN(Reservation r, options.budget->Reserve(
                                           kRecordStep, "searchable PDF page records"));
    record_charges.push_back(std::move(r));
    record_charged += kRecordStep;
  }
  return Status::Ok();
}

Status SearchablePdf::Impl::ReadLayer(const Layer& layer, const std::string& prefix,
                                      const PdfIncrementalWriter::Sink& out) {
  PF_RETURN_IF_ERROR(out(prefix));
  // The layer's own text: the spill file, read back in chunks. Whose budget: none, a
  // fixed 64 KB window.
  std::string chunk(kChunk, '\0');
  int64_t left = layer.length;
  if (std::fseek(spill.get(), layer.offset, SEEK_SET) != 0) {
    return IoError("cannot read back a text layer: " + std::string(std::strerror(errno)));
  }
  while (left > 0) {
    const size_t want = static_cast<size_t>(std::min<int64_t>(left, chunk.size()));
    const size_t n = std::fread(chunk.data(), 1, want, spill.get());
    if (n != want) return IoError("cannot read back a text layer");
    PF_RETURN_IF_ERROR(out(std::string_view(chunk.data(), n)));
    left -= static_cast<int64_t>(n);
  }
  return out("Q\n");
}

void SearchablePdf::Impl::PipeLayer(const Layer& layer, const std::string& prefix,
                                    Pipeline* p) {
  // (plus qpdf's copy of this one stream while it writes it)
  Status st = ReadLayer(layer, prefix, [p](std::string_view s) {
    p->write(reinterpret_cast<const unsigned char*>(s.data()), s.size());
    return Status::Ok();
  });
  if (!st.ok()) Fail(st);
  p->finish();
}

StatusOr<SearchablePdf::Impl::AppendPlan> SearchablePdf::Impl::PlanAppend() {
  AppendPlan plan;
  StatusOr<int64_t> startxref = FindStartXref(source_path);
  if (!startxref.ok()) return Unsupported(startxref.status().message());
  plan.startxref = *startxref;
  QPDF pdf;
  OpenWindowed(pdf, source_path);
  if (pdf.isEncrypted()) return Unsupported("the input is encrypted");
  QPDFObjectHandle trailer = pdf.getTrailer();
  QPDFObjectHandle root = trailer.getKey("/Root");
  QPDFObjectHandle size = trailer.getKey("/Size");
  if (!root.isIndirect() || !size.isInteger())
    return Unsupported("the input's trailer has no /Root or /Size");
  // Not getObjectCount(): it parses every object of the file, looking for references to
  // missing ones. The table is a copy (a few hundred KB, for a moment).
  int64_t highest = 0;
  {
    const std::map<QPDFObjGen, QPDFXRefEntry> xref = pdf.getXRefTable();
    plan.object_count = static_cast<int64_t>(xref.size());
    if (!xref.empty()) highest = xref.rbegin()->first.getObj();
    // The update keeps the original's cross-reference table, so it must be right: a
    // reader that has to rebuild it (qpdf --check warns then) would rebuild ours too.
    PF_RETURN_IF_ERROR(CheckXref(source_path, xref));
  }
  plan.first_new_object =
      static_cast<int>(std::max<int64_t>(size.getIntValue(), highest + 1));
  plan.trailer = "/Root " + root.unparse();
  QPDFObjectHandle info = trailer.getKey("/Info");
  if (info.isDictionary()) plan.trailer += " /Info " + info.unparse();
  QPDFObjectHandle id = trailer.getKey("/ID");
  if (id.isArray()) plan.trailer += " /ID " + id.unparse();
  if (pdf.anyWarnings()) return Unsupported("qpdf repaired the input");
  return plan;
}

Status SearchablePdf::Impl::WriteFont(PdfIncrementalWriter& w, int* font) {
  const std::string_view program = GlyphlessFontProgram();
  const int program_id = w.NewObject();
  PF_RETURN_IF_ERROR(w.WriteStream(
      program_id, "/Length1 " + std::to_string(program.size()),
      [&](const PdfIncrementalWriter::Sink& out) { return out(program); }, true));
  const int descriptor_id = w.NewObject();
  PF_RETURN_IF_ERROR(w.WriteObject(
      descriptor_id, 0,
      "<< /Type /FontDescriptor /FontName /GlyphLessFont /Flags 5 /FontBBox [0 0 500 "
      "1000] /ItalicAngle 0 /Ascent 1000 /Descent -1 /CapHeight 1000 /StemV 80"
      " /FontFile2 " +
          Ref(program_id) + " >>"));
  const int map_id = w.NewObject();
  PF_RETURN_IF_ERROR(w.WriteStream(
      map_id, "",
      [](const PdfIncrementalWriter::Sink& out) { return out(GlyphlessCidToGidMap()); },
      true));
  const int cid_font_id = w.NewObject();
  PF_RETURN_IF_ERROR(w.WriteObject(
      cid_font_id, 0,
      "<< /Type /Font /Subtype /CIDFontType2 /BaseFont /GlyphLessFont"
      " /CIDSystemInfo << /Registry (Adobe) /Ordering (Identity) /Supplement 0 >>"
      " /DW " +
          std::to_string(kGlyphlessAdvance) + " /FontDescriptor " + Ref(descriptor_id) +
          " /CIDToGIDMap " + Ref(map_id) + " >>"));
  const int to_unicode_id = w.NewObject();
  PF_RETURN_IF_ERROR(w.WriteStream(
      to_unicode_id, "",
      [](const PdfIncrementalWriter::Sink& out) { return out(GlyphlessToUnicodeCMap()); },
      true));
  *font = w.NewObject();
  return w.WriteObject(
      *font, 0,
      "<< /Type /Font /Subtype /Type0 /BaseFont /GlyphLessFont /Encoding /Identity-H"
      " /DescendantFonts [" +
          Ref(cid_font_id) + "] /ToUnicode " + Ref(to_unicode_id) + " >>");
}

Status SearchablePdf::Impl::WriteShared(PdfIncrementalWriter& w, Shared* ids) {
  PF_RETURN_IF_ERROR(WriteFont(w, &ids->font));
  ids->push = w.NewObject();
  PF_RETURN_IF_ERROR(w.WriteStream(
      ids->push, "", [](const PdfIncrementalWriter::Sink& out) { return out("q\n"); },
      false));
  ids->pop = w.NewObject();
  return w.WriteStream(
      ids->pop, "", [](const PdfIncrementalWriter::Sink& out) { return out("Q\n"); },
      false);
}

Status SearchablePdf::Impl::AppendPage(QPDF& pdf, PdfIncrementalWriter* w, int index,
                                       const Shared& ids) {
  QPDFObjectHandle page = FindPage(pdf, index);
  if (!page.isDictionary() || !page.isIndirect())
    return Unsupported("page " + std::to_string(index + 1) + " is not in the page tree");
  QPDFPageObjectHelper helper(page);
  QPDFObjectHandle::Rectangle box = helper.getCropBox(false, false).getArrayAsRectangle();
  QPDFObjectHandle rotate = helper.getAttribute("/Rotate", false);
  const int degrees = rotate.isInteger() ? rotate.getIntValueAsInt() : 0;
  const PageTransform t =
      DisplayToUser(std::min(box.llx, box.urx), std::min(box.lly, box.ury),
                    std::max(box.llx, box.urx), std::max(box.lly, box.ury), degrees);
  if (t.display_width <= 0 || t.display_height <= 0) return Status::Ok();
  const Layer layer = layers[index];
  const std::string prefix = LayerPrefix(layer, t);

  // The page's own content inside q/Q, so that what it leaves in the graphics state
  // (an unbalanced cm) does not move the layer; rewritten only when it has invisible
  // text of its own (an earlier OCR layer, which ours replaces).
  std::string contents = "[" + Ref(ids.push);
  QPDFObjectHandle own = page.getKey("/Contents");
  std::vector<QPDFObjectHandle> streams;
  if (own.isArray()) {
    streams = own.getArrayAsVector();
  } else if (own.isStream()) {
    streams.push_back(own);
  }
  // Whose budget: the run's, for the page's content, which qpdf's tokenizer holds
  // decoded while it filters it (an estimate from its stored size).
  Reservation content;
  auto reserve_content = [&]() -> Status {
    int64_t stored = 0;
    for (QPDFObjectHandle& s : streams) {
      if (!s.isStream()) continue;
      QPDFObjectHandle length = s.getDict().getKey("/Length");
      if (length.isInteger()) stored += std::max<long long>(length.getIntValue(), 0);
    }
    PF_ASSIGN_OR_RETURN(content,
                        options.budget->Reserve(stored * kContentExpansion + kChunk,
                                                "searchable PDF page content"));
    return Status::Ok();
  };
  if (w == nullptr && !streams.empty()) {
    // The dry run finds the pages whose content must lose invisible text.
    TrScanner scanner;
    helper.pipeContents(&scanner);
    if (scanner.found()) {
      PF_RETURN_IF_ERROR(reserve_content());
      InvisibleTextFilter probe;
      helper.filterContents(&probe);
      strip[index] = probe.dropped();
    }
  }
  const bool strip_page = strip[index];
  if (w != nullptr && strip_page) PF_RETURN_IF_ERROR(reserve_content());
  // The page's resources (its own or inherited), with the font added.
  QPDFObjectHandle resources = helper.getAttribute("/Resources", false);
  QPDFObjectHandle r = resources.isDictionary() ? resources.shallowCopy()
                                                : QPDFObjectHandle::newDictionary();
  QPDFObjectHandle fonts = r.getKey("/Font");
  QPDFObjectHandle f =
      fonts.isDictionary() ? fonts.shallowCopy() : QPDFObjectHandle::newDictionary();
  f.removeKey(kFontName);
  r.removeKey("/Font");
  QPDFObjectHandle dict = page.shallowCopy();
  dict.removeKey("/Contents");
  dict.removeKey("/Resources");
  const std::string dict_head = OpenDict(dict.unparse()) + "/Contents ";
  const std::string dict_tail = " /Resources " + OpenDict(r.unparse()) + "/Font " +
                                OpenDict(f.unparse()) + kFontName + " " + Ref(ids.font) +
                                " >> >> >>";
  if (w == nullptr) return Status::Ok();

  if (strip_page) {
    const int filtered = w->NewObject();
    PF_RETURN_IF_ERROR(w->WriteStream(
        filtered, "",
        [&helper](const PdfIncrementalWriter::Sink& out) {
          SinkPipeline p(out);
          InvisibleTextFilter filter;
          helper.filterContents(&filter, &p);
          return p.status();
        },
        true));
    contents += " " + Ref(filtered);
  } else {
    for (QPDFObjectHandle& s : streams) {
      if (s.isIndirect()) contents += " " + s.unparse();
    }
  }
  const int layer_id = w->NewObject();
  contents += " " + Ref(ids.pop) + " " + Ref(layer_id) + "]";
  PF_RETURN_IF_ERROR(w->WriteStream(
      layer_id, "",
      [&](const PdfIncrementalWriter::Sink& out) {
        return ReadLayer(layer, prefix, out);
      },
      true));
  return w->WriteObject(page.getObjectID(), page.getGeneration(),
                        dict_head + contents + dict_tail);
}

Status SearchablePdf::Impl::Append(const AppendPlan& plan,
                                   const PdfIncrementalWriter::Sink& sink, bool dry_run) {
  PdfIncrementalWriter w(sink, plan.first_new_object);
  if (!dry_run) PF_RETURN_IF_ERROR(w.CopyOriginal(source_path));
  size_t next = 0;
  while (next < layers.size() && layers[next].length == 0) ++next;
  if (next == layers.size()) return Status::Ok();  // no layer: the original as it is
  // Whose budget: the run's, for what each QPDF object below holds (see kPagesPerOpen).
  PF_ASSIGN_OR_RETURN(
      Reservation tables,
      options.budget->Reserve(plan.object_count * kQpdfBytesPerObject + kQpdfGroupBytes,
                              "searchable PDF reader"));
  Shared ids;
  if (dry_run) {
    strip.assign(layers.size(), false);
  } else if (strip.size() != layers.size()) {
    return Internal("the searchable PDF's update was not dry-run first");
  }
  if (!dry_run) PF_RETURN_IF_ERROR(WriteShared(w, &ids));
  while (next < layers.size()) {
    QPDF pdf;
    OpenWindowed(pdf, source_path);
    for (int pages = 0; next < layers.size() && pages < kPagesPerOpen; ++next) {
      if (layers[next].length == 0) continue;
      ++pages;
      PF_RETURN_IF_ERROR(
          AppendPage(pdf, dry_run ? nullptr : &w, static_cast<int>(next), ids));
    }
    if (pdf.anyWarnings()) return Unsupported("qpdf repaired the input");
    PF_RETURN_IF_ERROR(ChargeRecords(w.RecordBytes()));
  }
  return dry_run ? Status::Ok() : w.Finish(plan.trailer, plan.startxref);
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

std::string SearchablePdf::Impl::LayerPrefix(const Layer& layer, const PageTransform& t) {
  // The boxes' space (y up) onto the displayed page, then onto user space.
  const double scale[6] = {t.display_width / layer.width,   0, 0,
                           t.display_height / layer.height, 0, 0};
  return "q\n" + MatrixOps(t.m) + MatrixOps(scale);
}

Status SearchablePdf::Impl::WriteImages(const PdfIncrementalWriter::Sink& sink,
                                        DocumentFormat format) {
  PF_ASSIGN_OR_RETURN(std::unique_ptr<Document> doc, OpenDocument(source_path));
  int jpeg_components = 0;
  if (format == DocumentFormat::kJpeg) {
    PF_ASSIGN_OR_RETURN(JpegLayout jpeg, ProbeJpeg(source_path));
    jpeg_components = jpeg.components;
  }
  PdfIncrementalWriter w(sink, 1);
  PF_RETURN_IF_ERROR(w.StartNew());
  const int catalog = w.NewObject(), pages = w.NewObject();
  int font = 0;
  for (const Layer& layer : layers) {
    if (layer.length > 0) {
      PF_RETURN_IF_ERROR(WriteFont(w, &font));
      break;
    }
  }
  // The pages' object numbers, for /Kids at the end (4 bytes a page, charged).
  std::vector<int32_t> kids;
  for (int i = 0; i < doc->page_count(); ++i) {
    PF_ASSIGN_OR_RETURN(PageGeometry g, doc->Geometry(i));
    const int dpi = g.native_dpi > 0 ? g.native_dpi : kDefaultImageDpi;
    const double width_pt = g.native_width * 72.0 / dpi;
    const double height_pt = g.native_height * 72.0 / dpi;
    const int image = w.NewObject();
    std::string dict = "/Type /XObject /Subtype /Image /BitsPerComponent 8";
    if (format == DocumentFormat::kJpeg) {
      // The original bytes: no decoding, no re-encoding.
      dict += " /Width " + std::to_string(g.native_width) + " /Height " +
              std::to_string(g.native_height) + " /ColorSpace " +
              (jpeg_components == 1   ? "/DeviceGray"
               : jpeg_components == 4 ? "/DeviceCMYK"
                                      : "/DeviceRGB");
      // Adobe's CMYK JPEGs are stored inverted.
      if (jpeg_components == 4) dict += " /Decode [1 0 1 0 1 0 1 0]";
      dict += " /Filter /DCTDecode";
      PF_RETURN_IF_ERROR(w.WriteStream(
          image, dict,
          [this](const PdfIncrementalWriter::Sink& out) {
            struct FileCloser {
              void operator()(std::FILE* f) const { std::fclose(f); }
            };
            std::unique_ptr<std::FILE, FileCloser> in(
                std::fopen(source_path.c_str(), "rb"));
            if (!in) {
              return IoError("cannot reopen " + source_path + ": " +
                             std::strerror(errno));
            }
            // Whose budget: none; a fixed 64 KB window.
            std::string chunk(kChunk, '\0');
            size_t n = 0;
            while ((n = std::fread(chunk.data(), 1, chunk.size(), in.get())) > 0) {
              PF_RETURN_IF_ERROR(out(std::string_view(chunk.data(), n)));
            }
            return Status::Ok();
          },
          /*deflate=*/false));
    } else {
      // Decoded pixels, Flate-compressed on their way out: lossless for 8-bit gray and
      // RGB; other depths are widened to 8 bits, alpha is dropped.
      RenderOptions render;
      render.max_dim = std::max(g.native_width, g.native_height);
      render.min_dim = 1;
      PF_ASSIGN_OR_RETURN(RenderPlan plan,
                          PlanRender(
                              g, render, [](int, int) -> int64_t { return 0; },
                              options.budget->MaxSingleReservation()));
      dict += " /Width " + std::to_string(plan.width) + " /Height " +
              std::to_string(plan.height) + " /ColorSpace " +
              (plan.channels == 3 ? "/DeviceRGB" : "/DeviceGray");
      Document* d = doc.get();
      PF_RETURN_IF_ERROR(w.WriteStream(
          image, dict,
          [this, d, i, &plan](const PdfIncrementalWriter::Sink& out) {
            // Whose budget: the run's (options.budget), for the decoded picture and the
            // raster (plan.total_bytes); rows are compressed as they go out.
            PF_ASSIGN_OR_RETURN(
                Reservation r,
                options.budget->Reserve(plan.total_bytes, "searchable PDF image"));
            StatusOr<Raster> pixels = d->Render(i, plan, std::move(r));
            if (!pixels.ok())
              return pixels.status().WithContext("page " + std::to_string(i + 1));
            for (int y = 0; y < pixels->height(); ++y) {
              PF_RETURN_IF_ERROR(
                  out(std::string_view(reinterpret_cast<const char*>(pixels->row(y)),
                                       static_cast<size_t>(pixels->stride()))));
            }
            return Status::Ok();
          },
          /*deflate=*/true));
    }
    const int content = w.NewObject();
    const std::string draw =
        "q " + Num(width_pt) + " 0 0 " + Num(height_pt) + " 0 0 cm /Im0 Do Q\n";
    PF_RETURN_IF_ERROR(w.WriteStream(
        content, "", [&draw](const PdfIncrementalWriter::Sink& out) { return out(draw); },
        /*deflate=*/false));
    std::string contents = Ref(content), fonts;
    if (i < static_cast<int>(layers.size()) && layers[i].length > 0) {
      const Layer layer = layers[i];
      const std::string prefix =
          LayerPrefix(layer, DisplayToUser(0, 0, width_pt, height_pt, 0));
      const int layer_id = w.NewObject();
      PF_RETURN_IF_ERROR(w.WriteStream(
          layer_id, "",
          [&](const PdfIncrementalWriter::Sink& out) {
            return ReadLayer(layer, prefix, out);
          },
          /*deflate=*/true));
      contents = "[" + contents + " " + Ref(layer_id) + "]";
      fonts = std::string(" /Font << ") + kFontName + " " + Ref(font) + " >>";
    }
    kids.push_back(w.NewObject());
    PF_RETURN_IF_ERROR(w.WriteObject(
        kids.back(), 0,
        "<< /Type /Page /Parent " + Ref(pages) + " /MediaBox [0 0 " + Num(width_pt) +
            " " + Num(height_pt) + "] /Resources << /XObject << /Im0 " + Ref(image) +
            " >>" + fonts + " >> /Contents " + contents + " >>"));
    PF_RETURN_IF_ERROR(ChargeRecords(
        w.RecordBytes() + static_cast<int64_t>(kids.capacity() * sizeof(int32_t))));
  }
  std::string list;
  for (int32_t id : kids) list += Ref(id) + " ";
  PF_RETURN_IF_ERROR(w.WriteObject(pages, 0,
                                   "<< /Type /Pages /Count " +
                                       std::to_string(kids.size()) + " /Kids [" + list +
                                       "] >>"));
  PF_RETURN_IF_ERROR(
      w.WriteObject(catalog, 0, "<< /Type /Catalog /Pages " + Ref(pages) + " >>"));
  return w.Finish("/Root " + Ref(catalog), -1);
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
  if (static_cast<int>(impl_->layers.size()) < page.page) {
    impl_->layers.resize(page.page);
    if (impl_->options.budget != nullptr) {
      impl_->spill_status = impl_->ChargeRecords(0);
      PF_RETURN_IF_ERROR(impl_->spill_status);
    }
  }
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
  if (format != DocumentFormat::kPdf) return m.WriteImages(sink, format);
  {
    // The input's bytes and an update after them; a file that cannot take one (encrypted,
    // or one qpdf has to repair) is rewritten whole below instead.
    Status sink_status;
    const PdfIncrementalWriter::Sink recorded = [&](std::string_view s) {
      sink_status = sink(s);
      return sink_status;
    };
    const PdfIncrementalWriter::Sink discard = [](std::string_view) {
      return Status::Ok();
    };
    bool started = false;
    try {
      StatusOr<Impl::AppendPlan> plan = m.PlanAppend();
      Status dry = plan.ok() ? m.Append(*plan, discard, /*dry_run=*/true) : plan.status();
      if (dry.code() != StatusCode::kUnsupported) PF_RETURN_IF_ERROR(dry);
      if (dry.ok()) {
        started = true;
        return m.Append(*plan, recorded, /*dry_run=*/false);
      }
    } catch (const std::exception& e) {
      if (!sink_status.ok()) return sink_status;
      if (started) {
        return Corrupt(std::string("cannot write the searchable PDF: ") + e.what());
      }
      // Not started: the rewrite below reads it again, and says what is wrong with it.
    }
  }
  SinkPipeline out(sink);
  Reservation largest;
  try {
    QPDF pdf;
    pdf.setSuppressWarnings(true);
    int64_t largest_stream = 0;
    pdf.processFile(m.source_path.c_str());
    PF_RETURN_IF_ERROR(m.BuildFromPdf(pdf));
    // qpdf copies each stream whole while it writes it: the largest one is paid for.
    for (QPDFObjectHandle& o : pdf.getAllObjects()) {
      if (!o.isStream()) continue;
      QPDFObjectHandle length = o.getDict().getKey("/Length");
      if (length.isInteger())
        largest_stream = std::max<int64_t>(largest_stream, length.getIntValue());
    }
    // Whose budget: the run's, for qpdf's copy of the largest stream it passes through
    // unchanged.
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
