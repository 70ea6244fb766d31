// SearchablePdf: a document as a searchable PDF — its pages as they are, with an
// invisible text layer (output/pdf_text_layer.h) on each page an OCR engine read.
//
//   SearchablePdf pdf("scan.pdf", {.spill_dir = ws.spill_dir(), .budget = &budget});
//   for (each page record, in order) PF_RETURN_IF_ERROR(pdf.Add(record));
//   PF_RETURN_IF_ERROR(pdf.Write([&](std::string_view s) { return file.Write(s); }));
//
// PDF inputs keep every page, its content, fonts, annotations and the document's
// metadata: the output is the input's own bytes followed by an incremental update
// (output/pdf_incremental_writer.h) holding a new version of each OCRed page, its layer
// on top of its content (wrapped in q/Q), and the font. A page with earlier invisible
// text (text render mode 3: an older OCR layer, which pageflow rejected or --force-ocr
// overrode) gets its content rewritten without it. Pages whose own text layer was used,
// failed pages and pages not run are left untouched. An input that cannot take an
// update (encrypted, or damaged so that qpdf repairs it) is rewritten whole by qpdf
// instead, object by object. Images (PNG, JPEG, TIFF frames) become pages at their own
// resolution (300 DPI when they state none): a JPEG is embedded as its original bytes
// (DCTDecode), other pictures decoded and stored losslessly (Flate).
//
// Memory stays flat in the document's length: Add spills each page's layer to an
// unlinked file in `spill_dir` (keeping 24 bytes a page), and Write streams the PDF out.
// For a PDF input it reads the input with qpdf a few pages at a time (a fresh QPDF
// object every 16 OCRed pages, since qpdf keeps what it parses until it is destroyed),
// so what it holds is qpdf's cross-reference table of the input (about 110 bytes an
// object), the objects of those pages, one page's content while filtering it, and 16
// bytes for each object of the update (about 4 a page). All of it is paid for from
// `budget`. Pictures are written as a new PDF the same way, a frame at a time (the
// pages' object numbers kept for /Kids, 4 bytes a page). The whole-file rewrite (PDFs
// that cannot take an update) holds every object dictionary of the document (about a
// kilobyte a page of a scan, several for a born-digital book; not budgeted) and one
// stream's data at a time, which is paid for.
// Not thread-safe; one writer per document.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "base/memory_budget.h"
#include "base/status.h"
#include "output/page_record.h"

namespace pageflow {

struct SearchablePdfOptions {
  // Where the layers wait until Write (an unlinked temporary file). Default: ".".
  std::string spill_dir;
  // Pays for what Write holds (see above): the per-page records, qpdf's tables and
  // the data of the stream being written. Required.
  MemoryBudget* budget = nullptr;
};

class SearchablePdf {
 public:
  using Sink = std::function<Status(std::string_view)>;

  SearchablePdf(std::string source_path, SearchablePdfOptions options);
  ~SearchablePdf();
  SearchablePdf(const SearchablePdf&) = delete;
  SearchablePdf& operator=(const SearchablePdf&) = delete;

  // The next page record (pages in order, each at most once). A page gets a layer when
  // an engine other than the text layer read it and it has word boxes
  // (PageRecord::boxes). IO_ERROR when the spill file cannot be written.
  Status Add(const PageRecord& page);
  // Builds the PDF and writes it through `sink`, in pieces. CORRUPT when the source
  // cannot be read as the PDF or picture it was; RESOURCE_EXHAUSTED when a stream cannot
  // be paid for; the sink's errors as they come.
  Status Write(const Sink& sink);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// The matrix [a b c d e f] ("a b c d e f cm") that maps a page's displayed area —
// points from its visible top-left corner rotated as a viewer shows it, with y pointing
// up from the bottom edge — onto the page's default user space, given its CropBox
// [x0 y0 x1 y1] and /Rotate (a multiple of 90; others are taken modulo 360).
struct PageTransform {
  double m[6] = {1, 0, 0, 1, 0, 0};
  double display_width = 0, display_height = 0;  // points
};
PageTransform DisplayToUser(double x0, double y0, double x1, double y1, int rotate);

}  // namespace pageflow
