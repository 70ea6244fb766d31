// Document: one input file opened for page access. Opening is cheap (no pixels); page
// geometry is cheap; rendering allocates exactly the raster the caller has paid for.
// A Document is used by one thread at a time (MuPDF documents are not thread-safe);
// every worker opens its own.
//
//   StatusOr<std::unique_ptr<Document>> doc = OpenDocument("a.pdf");
//   StatusOr<PageGeometry> g = (*doc)->Geometry(0);
//   StatusOr<Raster> r = (*doc)->Render(0, plan, std::move(reservation));
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "base/memory_budget.h"
#include "base/status.h"
#include "base/text_line.h"
#include "input/format.h"
#include "raster/raster.h"
#include "raster/render_plan.h"

namespace pageflow {

// A page's own text (PDF text layer), in reading order as the PDF library sees it.
struct TextLayerPage {
  std::vector<TextLine> lines;  // boxes in points
  bool has_images = false;      // the page also paints pictures (maybe scanned text)
  double width_pt = 0, height_pt = 0;
  // Ruling lines and filled rectangles drawn on the page (table borders), in points;
  // at most kMaxRulings (a few tens of KB), the rest ignored.
  std::vector<Box> rulings;
  static constexpr size_t kMaxRulings = 4096;
};

// Called with the bytes a page's text layer will take in memory; OK to go on.
using TextLayerReserveFn = std::function<Status(int64_t bytes)>;

// What a page's text layer (TextLayerPage) takes in memory for `chars` characters on
// `lines` lines: each character's UTF-8 twice (the line's text and its word's) and, at
// worst, a word of its own (a TextWord with its boxes and string), plus each line's
// TextLine. An upper bound, so the reservation made from it covers the page.
inline int64_t TextLayerBytesFor(int64_t chars, int64_t lines) {
  constexpr int64_t kPerChar = 2 * 4 + static_cast<int64_t>(sizeof(TextWord));
  constexpr int64_t kPerLine = 2 * static_cast<int64_t>(sizeof(TextLine));
  return chars * kPerChar + lines * kPerLine;
}

class Document {
 public:
  virtual ~Document() = default;
  Document(const Document&) = delete;
  Document& operator=(const Document&) = delete;

  const std::string& path() const { return path_; }
  DocumentFormat format() const { return format_; }
  virtual int page_count() const = 0;
  // page is 0-based. CORRUPT when the page cannot be parsed.
  virtual StatusOr<PageGeometry> Geometry(int page) = 0;
  // Renders into a raster paid by `reservation` (which must cover plan.total_bytes).
  virtual StatusOr<Raster> Render(int page, const RenderPlan& plan,
                                  Reservation reservation) = 0;
  // UNSUPPORTED for images; a page without text yields no lines. Before the page's
  // lines are built, `reserve` is called with the bytes they will take (from the
  // characters MuPDF found, TextLayerBytesFor); an error from it is returned as is.
  virtual StatusOr<TextLayerPage> TextLayer(int page,
                                            const TextLayerReserveFn& reserve) = 0;
  StatusOr<TextLayerPage> TextLayer(int page) {
    return TextLayer(page, [](int64_t) { return Status::Ok(); });
  }
  // What opening found wrong but could work around ("damaged file: repaired by MuPDF",
  // "the page tree claims 9 pages but only 2 can be loaded"), for the log and the
  // document's record. Empty for a sound file.
  const std::vector<std::string>& notes() const { return notes_; }

 protected:
  Document(std::string path, DocumentFormat format)
      : path_(std::move(path)), format_(format) {}
  void AddNote(std::string note) { notes_.push_back(std::move(note)); }

 private:
  std::string path_;
  DocumentFormat format_;
  std::vector<std::string> notes_;
};

// Opens by content (see DetectFormat). Errors: NOT_FOUND, IO_ERROR, UNSUPPORTED
// (unknown format, encrypted PDF), CORRUPT (truncated, no pages). Messages do not repeat
// the path; callers add it.
StatusOr<std::unique_ptr<Document>> OpenDocument(const std::string& path);

// Bytes MuPDF's resource store (fonts, decoded images) may keep; charge it to the budget.
// Takes effect before the first PDF is opened. Default 64 MiB.
void SetPdfStoreLimit(int64_t bytes);
int64_t PdfStoreLimit();
// Gives the calling thread a PDF library context of its own, with a store of
// `store_bytes` (part of what the caller charged for the store) and no locks shared with
// other threads; see UseOwnMupdfContext. For a worker thread before its first document;
// its documents must stay on it. False (nothing changed) after the thread's first use.
bool UseOwnPdfContext(int64_t store_bytes);

// MuPDF's own allocations (embedded fonts, decoded images, soft masks, transparency
// groups, parsed objects) are counted per thread and refused past the thread's
// allowance: MuPDF then throws, and the page fails instead of the process growing. A
// page's allowance is reserved with its text-layer or render reservation (the caller's
// budget pays for it) and set with a PdfLibraryAllowance while the page is read. It is
// what is left of one reservation after the page's own bytes, clamped to
// [kMinPdfLibraryBytes, kMaxPdfLibraryBytes]. 64 MiB holds a 16 Mpx picture decoded
// to RGBA or a large CJK font (MuPDF decodes a picture drawn smaller than stored at a
// reduced size; the text layer decodes none), and it is a reservation every page in
// flight holds, so it is not larger; 32 MiB, what pages of ordinary fonts and pictures
// need, lets a tight budget still render pages at full size. A page refused at that
// allowance is tried again with four times as much, up to what one reservation may
// hold (DocumentPageAccess), so a page of big pictures reads when the budget has room.
inline constexpr int64_t kMaxPdfLibraryBytes = 64ll << 20;
inline constexpr int64_t kMinPdfLibraryBytes = 32ll << 20;
// Outside any PdfLibraryAllowance (opening a document, reading page sizes) a thread's
// MuPDF allocations are capped at this; they are not reserved (a few MB for the page
// tree and the xref of an ordinary file).
inline constexpr int64_t kIdlePdfLibraryBytes = kMaxPdfLibraryBytes;

// The allowance for a page that may reserve at most `left_bytes` beyond its own.
int64_t PdfLibraryBytesFor(int64_t left_bytes);

// While alive, MuPDF allocations on this thread may add at most `bytes` to what its
// blocks held at construction.
// Nests; restores the previous allowance on destruction. Not movable.
class PdfLibraryAllowance {
 public:
  explicit PdfLibraryAllowance(int64_t bytes);
  ~PdfLibraryAllowance();
  PdfLibraryAllowance(const PdfLibraryAllowance&) = delete;
  PdfLibraryAllowance& operator=(const PdfLibraryAllowance&) = delete;

 private:
  int64_t previous_;
  int64_t previous_allowance_;
};

}  // namespace pageflow
