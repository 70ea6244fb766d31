// WorkerDocument: a worker's open Document, reopened between pages when that is cheap.
// MuPDF keeps every object a page parses (page dictionaries, content streams, font and
// resource dictionaries) in the open document's xref cache until the document is closed;
// the store limit does not cover it. Kept open for a whole document, that cache grows
// with the pages seen, and because it is allocated in the middle of each page's
// transient OCR buffers it pins the worker's heap: on gnuplot.pdf at 100 DPI with 2
// workers, closing after every page lowered peak RSS over 311 pages from 106 to 99 MiB.
// Reopening costs one parse of the trailer and xref, so the handle is dropped only while
// that stays under 1/50 of a page's own time (a PDF that needs repair stays open).
//
//   WorkerDocument doc;
//   StatusOr<Document*> d = doc.Get(path);   // opens (again) if needed
//   ... use *d for one page ...
//   doc.PageDone(page_seconds);              // may close it
#pragma once

#include <memory>
#include <string>

#include "base/status.h"
#include "input/document.h"

namespace pageflow {

class WorkerDocument {
 public:
  // Reopening may take up to this fraction of a page's time.
  static constexpr double kMaxReopenShare = 1.0 / 50;

  WorkerDocument() = default;
  WorkerDocument(const WorkerDocument&) = delete;
  WorkerDocument& operator=(const WorkerDocument&) = delete;

  // The open document for `path`, opening it (and closing another) if needed. The
  // pointer is valid until the next Get or PageDone.
  StatusOr<Document*> Get(const std::string& path);
  // Called after each page with the seconds the page took; closes the document when
  // opening it again costs at most kMaxReopenShare of that.
  void PageDone(double page_seconds);
  // Closes it now (an engine waiting on a server releases its page's source).
  void Close() { doc_.reset(); }

  bool is_open() const { return doc_ != nullptr; }
  int opens() const { return opens_; }  // successful opens so far

 private:
  std::unique_ptr<Document> doc_;
  double open_seconds_ = 0;  // how long the current document took to open
  int opens_ = 0;
};

}  // namespace pageflow
