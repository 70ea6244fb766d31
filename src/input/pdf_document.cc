#include "input/pdf_document.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <optional>
#include <vector>

#include "base/log.h"
#include "input/glyph_names.h"
#include "input/mupdf_context.h"

extern "C" {
#include <mupdf/pdf.h>
}

namespace pageflow {
namespace {

// Pages whose images cover at least this share of the page count as scans or photos.
constexpr double kImagePageShare = 0.25;

// A device that draws nothing and sums the page area covered by images (an image
// fills the unit square mapped by ctm). Running a page through it interprets the
// content stream but decodes no image data.
struct ImageAreaDevice {
  fz_device super;
  double area;
};

void AddImageArea(fz_context* /*ctx*/, fz_device* dev, fz_image* /*img*/, fz_matrix ctm,
                  float /*alpha*/, fz_color_params /*params*/) {
  reinterpret_cast<ImageAreaDevice*>(dev)->area +=
      std::fabs(ctm.a * ctm.d - ctm.b * ctm.c);
}

// Appends the UTF-8 encoding of code point c.
void AppendUtf8(std::string& out, int c) {
  char buf[8];
  int n = fz_runetochar(buf, c);
  out.append(buf, static_cast<size_t>(n));
}

Box BoxOf(const fz_rect& r) {
  return Box{static_cast<int>(std::floor(r.x0)), static_cast<int>(std::floor(r.y0)),
             static_cast<int>(std::ceil(r.x1)), static_cast<int>(std::ceil(r.y1))};
}

// Ink further apart than this many ems is two words.
constexpr float kWordGapEm = 0.1f;  // pdftotext's minimum word break, too

// One structured-text line as a TextLine with its words (split at spaces), each word's
// box, font size and weight, and the baseline. Trailing spaces are dropped.
TextLine LineOf(fz_context* ctx, const fz_stext_line* l) {
  TextLine line;
  TextWord word;
  fz_rect word_rect = fz_empty_rect;
  auto flush = [&] {
    if (word.text.empty()) return;
    word.box = BoxOf(word_rect);
    line.words.push_back(std::move(word));
    word = TextWord{};
    word_rect = fz_empty_rect;
  };
  float ink_end = 0;  // right edge of the last character drawn, for gaps with no space
  for (const fz_stext_char* c = l->first_char; c != nullptr; c = c->next) {
    if (c->c == ' ' || c->c == 0xA0 || c->c == '\t') {
      flush();
      continue;
    }
    const fz_rect r = fz_rect_from_quad(c->quad);
    // Some producers place each word with its own position and draw no space: a gap
    // wider than a thin space separates words (as pdftotext does).
    if (!word.text.empty() && r.x0 - ink_end > kWordGapEm * c->size) flush();
    ink_end = r.x1;
    if (word.text.empty()) {
      word.font_size = c->size;
      word.bold = c->font != nullptr && fz_font_is_bold(ctx, c->font);
      word.italic = c->font != nullptr && fz_font_is_italic(ctx, c->font);
    }
    AppendUtf8(word.text, c->c);
    word_rect = fz_union_rect(word_rect, r);
  }
  flush();
  bool all_bold = !line.words.empty();
  for (const TextWord& w : line.words) {
    if (!line.text.empty()) line.text += ' ';
    line.text += w.text;
    all_bold = all_bold && w.bold;
  }
  line.bold = all_bold;
  line.box = BoxOf(l->bbox);
  if (l->first_char != nullptr)
    line.baseline = static_cast<int>(std::lround(l->first_char->origin.y));
  return line;
}

// MuPDF starts a new line at a wide gap or a small shift of the baseline (letter-spaced
// headings, a word set apart): such a piece continues the line before it when it sits on
// the same baseline just to its right. kGlued: no gap worth a space ("ht" + "tp://").
enum class Continuation { kNone, kSpaced, kGlued };

Continuation ContinuationOf(const fz_stext_line* prev, const fz_rect& prev_box,
                            const fz_stext_line* l) {
  if (prev->first_char == nullptr || l->first_char == nullptr) return Continuation::kNone;
  if (prev->wmode != 0 || l->wmode != 0 || std::abs(l->dir.y) > 0.01f)
    return Continuation::kNone;
  const float size =
      std::max(1.0f, std::max(prev->first_char->size, l->first_char->size));
  const float dy = std::abs(l->first_char->origin.y - prev->first_char->origin.y);
  const float gap = l->bbox.x0 - prev_box.x1;
  if (dy > 0.2f * size || gap < -0.3f * size || gap > 1.5f * size)
    return Continuation::kNone;
  // A space at the seam, or ink apart by more than a thin space: two words.
  const fz_stext_char* last = prev->first_char;
  const fz_stext_char* last_ink = nullptr;
  for (const fz_stext_char* c = prev->first_char; c != nullptr; c = c->next) {
    last = c;
    if (c->c != ' ') last_ink = c;
  }
  if (last->c == ' ' || l->first_char->c == ' ' || last_ink == nullptr)
    return Continuation::kSpaced;
  const float ink_gap =
      fz_rect_from_quad(l->first_char->quad).x0 - fz_rect_from_quad(last_ink->quad).x1;
  return ink_gap > kWordGapEm * size ? Continuation::kSpaced : Continuation::kGlued;
}

// Appends `b` to `a` (a continuation of it on the same baseline).
void JoinLine(TextLine* a, TextLine b, bool glued) {
  size_t from = 0;
  if (glued && !a->words.empty() && !b.words.empty()) {
    TextWord& last = a->words.back();
    last.text += b.words[0].text;
    last.box = Box{std::min(last.box.x0, b.words[0].box.x0),
                   std::min(last.box.y0, b.words[0].box.y0),
                   std::max(last.box.x1, b.words[0].box.x1),
                   std::max(last.box.y1, b.words[0].box.y1)};
    from = 1;
  }
  for (size_t i = from; i < b.words.size(); ++i)
    a->words.push_back(std::move(b.words[i]));
  a->text.clear();
  for (const TextWord& w : a->words) {
    if (!a->text.empty()) a->text += ' ';
    a->text += w.text;
  }
  a->bold = a->bold && b.bold;
  a->box = Box{std::min(a->box.x0, b.box.x0), std::min(a->box.y0, b.box.y0),
               std::max(a->box.x1, b.box.x1), std::max(a->box.y1, b.box.y1)};
}

// Where the path hooks of a text-layer pass put what they find. One per TextLayer call,
// reached through a thread-local pointer (MuPDF contexts are per thread).
struct RulingSink {
  std::vector<Box>* rulings;
  fz_rect page;
  // The structured-text device's own text callbacks, called after ResolveGlyphs.
  void (*fill_text)(fz_context*, fz_device*, const fz_text*, fz_matrix, fz_colorspace*,
                    const float*, float, fz_color_params) = nullptr;
  void (*stroke_text)(fz_context*, fz_device*, const fz_text*, const fz_stroke_state*,
                      fz_matrix, fz_colorspace*, const float*, float,
                      fz_color_params) = nullptr;
  void (*clip_text)(fz_context*, fz_device*, const fz_text*, fz_matrix,
                    fz_rect) = nullptr;
  void (*clip_stroke_text)(fz_context*, fz_device*, const fz_text*,
                           const fz_stroke_state*, fz_matrix, fz_rect) = nullptr;
  void (*ignore_text)(fz_context*, fz_device*, const fz_text*, fz_matrix) = nullptr;
  // Glyphs looked up by name, so a font's symbol is named once a page (a few dozen
  // entries at most; lookups past kMaxKnown are not remembered).
  struct Known {
    const fz_font* font;
    int gid;
    int unicode;
  };
  std::vector<Known> known;
  static constexpr size_t kMaxKnown = 256;
  int resolved = 0;  // glyphs given a code point here
};
thread_local RulingSink* t_ruling_sink = nullptr;

// Keeps a drawn path's box as a ruling when it can be a table border: thin lines of
// any length, and rectangles smaller than most of the page (a page background is not a
// cell). White fills draw nothing visible and are skipped.
void AddRuling(fz_rect r, bool white_fill) {
  RulingSink* sink = t_ruling_sink;
  if (sink == nullptr || fz_is_empty_rect(r)) return;
  if (sink->rulings->size() >= TextLayerPage::kMaxRulings) return;
  const float w = r.x1 - r.x0, h = r.y1 - r.y0;
  const bool thin = w < 3.0f || h < 3.0f;
  const float pw = sink->page.x1 - sink->page.x0, ph = sink->page.y1 - sink->page.y0;
  if (!thin && (white_fill || (w > 0.9f * pw && h > 0.5f * ph))) return;
  sink->rulings->push_back(BoxOf(r));
}

bool IsWhite(fz_context* ctx, fz_colorspace* cs, const float* color) {
  if (cs == nullptr || color == nullptr) return false;
  const int n = fz_colorspace_n(ctx, cs);
  if (fz_colorspace_is_cmyk(ctx, cs))
    return n == 4 && color[0] + color[1] + color[2] + color[3] < 0.05f;
  for (int i = 0; i < n; ++i) {
    if (color[i] < 0.95f) return false;
  }
  return n > 0;
}

void FillPathRuling(fz_context* ctx, fz_device* /*dev*/, const fz_path* path,
                    int /*even_odd*/, fz_matrix ctm, fz_colorspace* cs,
                    const float* color, float alpha, fz_color_params /*params*/) {
  AddRuling(fz_bound_path(ctx, path, nullptr, ctm),
            alpha <= 0.0f || IsWhite(ctx, cs, color));
}

void StrokePathRuling(fz_context* ctx, fz_device* /*dev*/, const fz_path* path,
                      const fz_stroke_state* stroke, fz_matrix ctm, fz_colorspace* cs,
                      const float* color, float alpha, fz_color_params /*params*/) {
  if (alpha <= 0.0f || IsWhite(ctx, cs, color)) return;
  AddRuling(fz_bound_path(ctx, path, stroke, ctm), false);
}

// MuPDF gives U+FFFD for a glyph that neither the font's ToUnicode map nor its encoding
// names with a name MuPDF knows ("betatwo" in a Greek font, "H11001" in Mathematical Pi,
// TeX's "summationdisplay"). Such a glyph is named again from its name in the font
// program (FreeType's glyph name) before the structured-text device sees it. The text
// object belongs to this one pass of the interpreter and is dropped after it; only the
// Unicode values of its unmapped items change.
void ResolveGlyphs(fz_context* ctx, const fz_text* text) {
  RulingSink* sink = t_ruling_sink;
  if (sink == nullptr || text == nullptr) return;
  for (fz_text_span* span = text->head; span != nullptr; span = span->next) {
    if (span->font == nullptr || fz_font_ft_face(ctx, span->font) == nullptr) continue;
    for (int i = 0; i < span->len; ++i) {
      fz_text_item& item = span->items[i];
      if (item.ucs != FZ_REPLACEMENT_CHARACTER || item.gid <= 0) continue;
      int unicode = FZ_REPLACEMENT_CHARACTER;
      bool found = false;
      for (const RulingSink::Known& k : sink->known) {
        if (k.font == span->font && k.gid == item.gid) {
          unicode = k.unicode;
          found = true;
          break;
        }
      }
      if (!found) {
        char name[64] = "";
        fz_get_glyph_name(ctx, span->font, item.gid, name, sizeof name);
        unicode = UnicodeFromGlyphName(name);
        if (sink->known.size() < RulingSink::kMaxKnown)
          sink->known.push_back({span->font, item.gid, unicode});
      }
      if (unicode != FZ_REPLACEMENT_CHARACTER) {
        item.ucs = unicode;
        ++sink->resolved;
      }
    }
  }
}

void FillTextResolved(fz_context* ctx, fz_device* dev, const fz_text* text, fz_matrix ctm,
                      fz_colorspace* cs, const float* color, float alpha,
                      fz_color_params params) {
  ResolveGlyphs(ctx, text);
  t_ruling_sink->fill_text(ctx, dev, text, ctm, cs, color, alpha, params);
}

void StrokeTextResolved(fz_context* ctx, fz_device* dev, const fz_text* text,
                        const fz_stroke_state* stroke, fz_matrix ctm, fz_colorspace* cs,
                        const float* color, float alpha, fz_color_params params) {
  ResolveGlyphs(ctx, text);
  t_ruling_sink->stroke_text(ctx, dev, text, stroke, ctm, cs, color, alpha, params);
}

void ClipTextResolved(fz_context* ctx, fz_device* dev, const fz_text* text, fz_matrix ctm,
                      fz_rect scissor) {
  ResolveGlyphs(ctx, text);
  t_ruling_sink->clip_text(ctx, dev, text, ctm, scissor);
}

void ClipStrokeTextResolved(fz_context* ctx, fz_device* dev, const fz_text* text,
                            const fz_stroke_state* stroke, fz_matrix ctm,
                            fz_rect scissor) {
  ResolveGlyphs(ctx, text);
  t_ruling_sink->clip_stroke_text(ctx, dev, text, stroke, ctm, scissor);
}

void IgnoreTextResolved(fz_context* ctx, fz_device* dev, const fz_text* text,
                        fz_matrix ctm) {
  ResolveGlyphs(ctx, text);
  t_ruling_sink->ignore_text(ctx, dev, text, ctm);
}

// Set when MuPDF failed (or left something out) because an allocation past the thread's
// PdfLibraryAllowance was refused: a message that says so instead of MuPDF's own.
std::optional<Status> LibraryMemoryRefused() {
  if (ThreadMupdfRefusedBytes() == 0) return std::nullopt;
  ClearMupdfRefusal();
  return ResourceExhausted(
      "needs more than " + std::to_string(ThreadMupdfAllowance() >> 20) +
      " MiB of PDF library memory (fonts, decoded images, soft masks, "
      "transparency groups); raise --memory-limit");
}

class PdfDocument final : public Document {
 public:
  // `lookup`: MuPDF's index of each page when the page tree's counts lie (empty: the
  // page's own index). `repaired`: MuPDF had to repair the file to open it.
  PdfDocument(std::string path, fz_context* ctx, fz_document* doc, int pages,
              std::vector<int> lookup, bool repaired)
      : Document(std::move(path), DocumentFormat::kPdf),
        ctx_(ctx),
        doc_(doc),
        pages_(pages),
        lookup_(std::move(lookup)),
        repaired_(repaired) {}
  using Document::AddNote;
  ~PdfDocument() override { fz_drop_document(ctx_, doc_); }

  int page_count() const override { return pages_; }

  StatusOr<PageGeometry> Geometry(int page) override {
    fz_rect bounds = fz_empty_rect;
    PF_RETURN_IF_ERROR(Bounds(page, &bounds));
    PageGeometry g;
    g.width_pt = bounds.x1 - bounds.x0;
    g.height_pt = bounds.y1 - bounds.y0;
    if (!(g.width_pt > 0 && g.height_pt > 0)) return Corrupt("page has an empty size");
    return g;
  }

  StatusOr<Raster> Render(int page, const RenderPlan& plan,
                          Reservation reservation) override {
    fz_rect bounds = fz_empty_rect;
    PF_RETURN_IF_ERROR(Bounds(page, &bounds));
    // The raster's pixels are paid by `reservation` (plan.total_bytes covers them).
    Raster raster =
        Raster::Allocate(plan.width, plan.height, plan.dpi, std::move(reservation));
    std::memset(raster.data(), 255, static_cast<size_t>(raster.bytes()));
    const float sx = static_cast<float>(plan.width / (bounds.x1 - bounds.x0));
    const float sy = static_cast<float>(plan.height / (bounds.y1 - bounds.y0));
    const fz_matrix ctm =
        fz_concat(fz_translate(-bounds.x0, -bounds.y0), fz_scale(sx, sy));
    fz_context* ctx = ctx_;
    fz_page* fzpage = nullptr;
    fz_pixmap* pix = nullptr;
    fz_device* dev = nullptr;
    double image_area = 0;
    bool failed = false;
    fz_var(failed);
    fz_var(fzpage);
    fz_var(pix);
    fz_var(dev);
    fz_var(image_area);
    MupdfWarnings warnings;
    fz_try(ctx) {
      fzpage = fz_load_page(ctx, doc_, Lookup(page));
      ImageAreaDevice* images = fz_new_derived_device(ctx, ImageAreaDevice);
      dev = &images->super;
      images->area = 0;
      images->super.fill_image = AddImageArea;
      fz_run_page(ctx, fzpage, dev, fz_identity, nullptr);
      fz_close_device(ctx, dev);
      image_area = images->area;
      fz_drop_device(ctx, dev);
      dev = nullptr;
      // Draw straight into our buffer: no second copy of the page.
      pix = fz_new_pixmap_with_data(ctx, fz_device_gray(ctx), plan.width, plan.height,
                                    nullptr, 0, plan.width, raster.data());
      dev = fz_new_draw_device(ctx, ctm, pix);
      fz_run_page(ctx, fzpage, dev, fz_identity, nullptr);
      fz_close_device(ctx, dev);
    }
    fz_always(ctx) {
      fz_drop_device(ctx, dev);
      fz_drop_pixmap(ctx, pix);
      fz_drop_page(ctx, fzpage);
    }
    fz_catch(ctx) { failed = true; }
    if (std::optional<Status> refused = LibraryMemoryRefused()) return *refused;
    if (failed) return Corrupt(std::string("cannot render: ") + fz_caught_message(ctx));
    PF_RETURN_IF_ERROR(DamagedPage(warnings));
    const double page_area = double{bounds.x1 - bounds.x0} * (bounds.y1 - bounds.y0);
    raster.set_drawn_from_vectors(image_area < kImagePageShare * page_area);
    return raster;
  }

  StatusOr<TextLayerPage> TextLayer(int page,
                                    const TextLayerReserveFn& reserve) override {
    fz_context* ctx = ctx_;
    fz_page* fzpage = nullptr;
    fz_stext_page* text = nullptr;
    fz_device* dev = nullptr;
    bool failed = false;
    fz_var(failed);
    fz_var(fzpage);
    fz_var(text);
    fz_var(dev);
    fz_stext_options opts;
    std::memset(&opts, 0, sizeof opts);
    opts.flags = FZ_STEXT_MEDIABOX_CLIP | FZ_STEXT_PRESERVE_IMAGES;
    TextLayerPage out;
    // The structured-text device, with the path hooks it leaves empty filled in: one pass
    // over the content gives the characters and the rulings (table borders).
    RulingSink sink;
    sink.rulings = &out.rulings;
    sink.page = fz_rect{};
    MupdfWarnings warnings;
    fz_try(ctx) {
      fzpage = fz_load_page(ctx, doc_, Lookup(page));
      const fz_rect bounds = fz_bound_page(ctx, fzpage);
      sink.page = bounds;
      text = fz_new_stext_page(ctx, bounds);
      dev = fz_new_stext_device(ctx, text, &opts);
      t_ruling_sink = &sink;
      dev->fill_path = FillPathRuling;
      dev->stroke_path = StrokePathRuling;
      sink.fill_text = dev->fill_text;
      sink.stroke_text = dev->stroke_text;
      sink.clip_text = dev->clip_text;
      sink.clip_stroke_text = dev->clip_stroke_text;
      sink.ignore_text = dev->ignore_text;
      if (dev->fill_text != nullptr) dev->fill_text = FillTextResolved;
      if (dev->stroke_text != nullptr) dev->stroke_text = StrokeTextResolved;
      if (dev->clip_text != nullptr) dev->clip_text = ClipTextResolved;
      if (dev->clip_stroke_text != nullptr)
        dev->clip_stroke_text = ClipStrokeTextResolved;
      if (dev->ignore_text != nullptr) dev->ignore_text = IgnoreTextResolved;
      fz_run_page(ctx, fzpage, dev, fz_identity, nullptr);
      fz_close_device(ctx, dev);
    }
    fz_always(ctx) {
      t_ruling_sink = nullptr;
      fz_drop_device(ctx, dev);
      fz_drop_page(ctx, fzpage);
    }
    fz_catch(ctx) { failed = true; }
    if (std::optional<Status> refused = LibraryMemoryRefused()) {
      fz_drop_stext_page(ctx, text);
      return *refused;
    }
    if (failed) {
      fz_drop_stext_page(ctx, text);
      return Corrupt(std::string("cannot read text layer: ") + fz_caught_message(ctx));
    }
    // The lines are built from MuPDF's characters: paid for before they exist, sized by
    // how many there are (a page of a million glyphs needs far more than a letter).
    int64_t chars = 0, lines = 0;
    for (fz_stext_block* b = text->first_block; b != nullptr; b = b->next) {
      if (b->type != FZ_STEXT_BLOCK_TEXT) continue;
      for (fz_stext_line* l = b->u.t.first_line; l != nullptr; l = l->next, ++lines) {
        for (fz_stext_char* c = l->first_char; c != nullptr; c = c->next) ++chars;
      }
    }
    if (Status paid = reserve(TextLayerBytesFor(chars, lines)); !paid.ok()) {
      fz_drop_stext_page(ctx, text);
      return paid;
    }
    out.width_pt = text->mediabox.x1 - text->mediabox.x0;
    out.height_pt = text->mediabox.y1 - text->mediabox.y0;
    int block_id = 0;
    for (fz_stext_block* b = text->first_block; b != nullptr; b = b->next) {
      if (b->type == FZ_STEXT_BLOCK_IMAGE) {
        out.has_images = true;
        continue;
      }
      if (b->type != FZ_STEXT_BLOCK_TEXT) continue;
      bool first = true;
      const fz_stext_line* prev = nullptr;  // the last line kept, for continuations
      fz_rect prev_box = fz_empty_rect;
      for (fz_stext_line* l = b->u.t.first_line; l != nullptr; l = l->next) {
        TextLine line = LineOf(ctx, l);
        if (line.text.empty()) continue;
        const Continuation join =
            prev != nullptr ? ContinuationOf(prev, prev_box, l) : Continuation::kNone;
        prev = l;
        if (join != Continuation::kNone) {
          JoinLine(&out.lines.back(), std::move(line), join == Continuation::kGlued);
          prev_box = fz_union_rect(prev_box, l->bbox);
          continue;
        }
        prev_box = l->bbox;
        line.block_id = block_id;
        line.block_start = first;
        first = false;
        out.lines.push_back(std::move(line));
      }
      ++block_id;
    }
    fz_drop_stext_page(ctx, text);
    if (out.lines.empty() && !out.has_images) PF_RETURN_IF_ERROR(DamagedPage(warnings));
    return out;
  }

 private:
  Status Bounds(int page, fz_rect* out) {
    if (page < 0 || page >= pages_)
      return InvalidArgument("no page " + std::to_string(page + 1));
    fz_context* ctx = ctx_;
    fz_page* fzpage = nullptr;
    bool failed = false;
    fz_var(fzpage);
    fz_try(ctx) {
      fzpage = fz_load_page(ctx, doc_, Lookup(page));
      *out = fz_bound_page(ctx, fzpage);
    }
    fz_always(ctx) { fz_drop_page(ctx, fzpage); }
    fz_catch(ctx) { failed = true; }
    if (std::optional<Status> refused = LibraryMemoryRefused()) return *refused;
    if (failed)
      return Corrupt(std::string("cannot load page: ") + fz_caught_message(ctx));
    return Status::Ok();
  }

  int Lookup(int page) const { return lookup_.empty() ? page : lookup_[page]; }

  // In a file MuPDF had to repair, a page whose content gives warnings (objects that
  // cannot be found, streams cut short) and nothing else could not be read.
  Status DamagedPage(const MupdfWarnings& warnings) const {
    if (!repaired_ || warnings.count() == 0) return Status::Ok();
    return Corrupt("cannot read page (damaged file): " + warnings.messages().front());
  }

  fz_context* ctx_;
  fz_document* doc_;
  int pages_;
  std::vector<int> lookup_;
  bool repaired_;
};

// Lists, in order, MuPDF's lookup index of every page object under `node` (MuPDF finds
// page i by skipping kids by the /Count they claim, pdf_lookup_page_loc): `base` is the
// index of the node's first page, indexes from `limit` on are out of MuPDF's reach.
// `path` holds the ancestors' object numbers (a tree that loops is cut there).
void WalkPageTree(fz_context* ctx, pdf_obj* node, int64_t base, int64_t limit,
                  std::vector<int>* path, std::vector<int>* out) {
  constexpr size_t kMaxDepth = 64;
  pdf_obj* kids = pdf_dict_get(ctx, node, PDF_NAME(Kids));
  const int n = pdf_array_len(ctx, kids);
  for (int i = 0; i < n && base < limit; ++i) {
    pdf_obj* kid = pdf_array_get(ctx, kids, i);
    pdf_obj* type = pdf_dict_get(ctx, kid, PDF_NAME(Type));
    const bool inner = type != nullptr
                           ? pdf_name_eq(ctx, type, PDF_NAME(Pages))
                           : pdf_dict_get(ctx, kid, PDF_NAME(Kids)) != nullptr &&
                                 pdf_dict_get(ctx, kid, PDF_NAME(MediaBox)) == nullptr;
    if (!inner) {
      out->push_back(static_cast<int>(base++));
      continue;
    }
    const int64_t count = pdf_dict_get_int(ctx, kid, PDF_NAME(Count));
    if (count <= 0) continue;
    const int num = pdf_to_num(ctx, kid);
    if (path->size() < kMaxDepth &&
        (num == 0 || std::find(path->begin(), path->end(), num) == path->end())) {
      path->push_back(num);
      WalkPageTree(ctx, kid, base, std::min(limit, base + count), path, out);
      path->pop_back();
    }
    base += count;
  }
}

// The pages a PDF really holds, as MuPDF lookup indexes, when its page tree claims more
// than its file can hold (fewer objects than claimed pages): a 600-byte file may claim a
// million pages, and a lying inner node may hide them between real ones, where the
// last page loads. Other files keep MuPDF's count (walking costs a load of every page
// object). Empty when there is nothing to correct.
std::vector<int> RealPages(fz_context* ctx, fz_document* doc, int claimed) {
  pdf_document* pdf = pdf_specifics(ctx, doc);
  if (pdf == nullptr || pdf_xref_len(ctx, pdf) > claimed) return {};
  std::vector<int> pages, path;
  fz_try(ctx) {
    pdf_obj* root = pdf_dict_getp(ctx, pdf_trailer(ctx, pdf), "Root/Pages");
    WalkPageTree(ctx, root, 0, claimed, &path, &pages);
  }
  fz_catch(ctx) { return {}; }
  return pages;
}

// True if MuPDF can load page `index` (its dictionary, not its content). For a PDF, the
// page tree lookup that fz_load_page starts with: the rest of a page load (its links and
// annotations, its transparency scan) only warns when it fails, and parsing every link
// of the last page cost 4% of a text-layer run's CPU, paid again by each worker's open.
bool PageLoads(fz_context* ctx, fz_document* doc, int index) {
  pdf_document* pdf = pdf_specifics(ctx, doc);
  fz_page* page = nullptr;
  bool ok = true;
  fz_var(page);
  fz_try(ctx) {
    if (pdf != nullptr) {
      pdf_lookup_page_obj(ctx, pdf, index);
    } else {
      page = fz_load_page(ctx, doc, index);
    }
  }
  fz_always(ctx) { fz_drop_page(ctx, page); }
  fz_catch(ctx) { ok = false; }
  return ok;
}

// The page tree's /Count is only a claim: a 600-byte file may say 1,000,000 pages and
// hold one, and each missing page would then be tried and failed (minutes, a huge
// record). If the last claimed page does not load, the document's pages are those up to
// the last one that does, found by bisection (about 20 page loads for a million).
int LoadablePageCount(fz_context* ctx, fz_document* doc, int claimed) {
  if (claimed <= 0 || PageLoads(ctx, doc, claimed - 1)) return claimed;
  int lo = -1;           // loads (-1: none known to)
  int hi = claimed - 1;  // does not load
  while (hi - lo > 1) {
    const int mid = lo + (hi - lo) / 2;
    if (PageLoads(ctx, doc, mid))
      lo = mid;
    else
      hi = mid;
  }
  return lo + 1;
}

}  // namespace

StatusOr<std::unique_ptr<Document>> OpenPdfDocument(const std::string& path) {
  fz_context* ctx = ThreadMupdfContext();
  if (ctx == nullptr) return Unavailable("MuPDF could not start (out of memory)");
  fz_document* doc = nullptr;
  int pages = 0;
  bool needs_password = false;
  bool failed = false;
  bool repaired = false;
  fz_var(doc);
  MupdfWarnings warnings;
  fz_try(ctx) {
    doc = fz_open_document(ctx, path.c_str());
    if (fz_needs_password(ctx, doc) && !fz_authenticate_password(ctx, doc, "")) {
      needs_password = true;
    } else {
      pages = fz_count_pages(ctx, doc);
    }
    pdf_document* pdf = pdf_specifics(ctx, doc);
    repaired = pdf != nullptr && pdf_was_repaired(ctx, pdf);
  }
  fz_catch(ctx) { failed = true; }
  if (failed) {
    fz_drop_document(ctx, doc);
    return Corrupt(std::string("cannot open PDF (damaged or truncated?): ") +
                   fz_caught_message(ctx));
  }
  if (needs_password) {
    fz_drop_document(ctx, doc);
    return Unsupported(
        "PDF is encrypted with a password; decrypt it first (e.g. qpdf --decrypt)");
  }
  if (pages <= 0) {
    fz_drop_document(ctx, doc);
    return Corrupt("PDF has no pages");
  }
  std::string skipped;
  std::vector<int> lookup = RealPages(ctx, doc, pages);
  if (!lookup.empty() && static_cast<int>(lookup.size()) < pages) {
    skipped = "the page tree claims " + std::to_string(pages) + " pages but only " +
              std::to_string(lookup.size()) + " can be loaded; the others are skipped";
    pages = static_cast<int>(lookup.size());
    bool identity = true;
    for (int i = 0; i < pages; ++i) identity = identity && lookup[i] == i;
    if (identity) lookup.clear();
  } else {
    lookup.clear();
  }
  if (const int loadable = lookup.empty() ? LoadablePageCount(ctx, doc, pages) : pages;
      loadable < pages) {
    if (loadable == 0) {
      fz_drop_document(ctx, doc);
      return Corrupt("PDF's page tree claims " + std::to_string(pages) +
                     " pages but none of them can be loaded");
    }
    skipped = "the page tree claims " + std::to_string(pages) + " pages but only " +
              std::to_string(loadable) + " can be loaded; pages " +
              std::to_string(loadable + 1) + "-" + std::to_string(pages) +
              " are corrupt and skipped";
    pages = loadable;
  }
  auto pdf =
      std::make_unique<PdfDocument>(path, ctx, doc, pages, std::move(lookup), repaired);
  if (repaired) {
    std::string note = "damaged file: MuPDF had to repair it (truncated or corrupt?)";
    if (!warnings.messages().empty()) note += ": " + warnings.messages().front();
    pdf->AddNote(std::move(note));
  }
  if (!skipped.empty()) pdf->AddNote(std::move(skipped));
  return std::unique_ptr<Document>(std::move(pdf));
}

}  // namespace pageflow
