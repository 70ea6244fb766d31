// qpdf helpers of the searchable PDF writer (output/searchable_pdf.h): opening a PDF
// cheaply enough to open it again every few pages, finding one page without parsing
// them all, checking a cross-reference table, and content pipelines and filters.
//
//   QPDF pdf;
//   OpenWindowed(pdf, "in.pdf");
//   QPDFObjectHandle page = FindPage(pdf, 41);  // null if there is no page 42
//
// qpdf throws on errors: callers catch std::exception at their boundary.
#pragma once

#include <cstring>
#include <functional>
#include <map>
#include <qpdf/Pipeline.hh>
#include <qpdf/QPDF.hh>
#include <qpdf/QPDFObjectHandle.hh>
#include <qpdf/QPDFTokenizer.hh>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"

namespace pageflow {

// Opens `path` into `pdf` (warnings suppressed) through a 64 KB window onto the file.
// qpdf's own FileInputSource seeks before every read, which empties stdio's buffer:
// reading a classic cross-reference table then costs two system calls an entry (136 ms
// to open a 4,000-page file of 8,000 objects, 18 ms this way).
void OpenWindowed(QPDF& pdf, const std::string& path);

// Page `index` (0-based) of the page tree, descending by /Count, so that only the nodes
// on its path are parsed (qpdf's getAllPages parses every page). A node whose /Count
// equals its number of kids is taken to hold pages only (an empty /Pages node among
// them would shift the count; no writer makes one). Null when the tree has no such page
// or is not a tree.
QPDFObjectHandle FindPage(QPDF& pdf, int index);

// UNSUPPORTED unless every object the cross-reference table `xref` of the file at
// `path` places in the file starts where it says ("ID GEN obj"), and every object in an
// object stream names a stream the table places so. (qpdf checks an offset only when it
// reads the object; gs, for one, leaves entries of objects it dropped pointing nowhere.)
Status CheckXref(const std::string& path,
                 const std::map<QPDFObjGen, QPDFXRefEntry>& xref);

// Passes the PDF qpdf writes on to the sink; remembers the sink's first error (qpdf
// only sees an exception).
class SinkPipeline : public Pipeline {
 public:
  explicit SinkPipeline(const std::function<Status(std::string_view)>& sink)
      : Pipeline("searchable pdf", nullptr), sink_(sink) {}
  void write(unsigned char const* data, size_t len) override {
    if (!status_.ok()) throw std::runtime_error(status_.message());
    status_ = sink_(std::string_view(reinterpret_cast<const char*>(data), len));
    if (!status_.ok()) throw std::runtime_error(status_.message());
  }
  void finish() override {}
  const Status& status() const { return status_; }

 private:
  const std::function<Status(std::string_view)>& sink_;
  Status status_;
};

// Whether a content stream may set a text render mode: it has a "Tr" token. Cheaper
// than tokenizing, which only pages with one need (most pages never set a mode).
class TrScanner : public Pipeline {
 public:
  TrScanner() : Pipeline("Tr scanner", nullptr) {}
  void write(unsigned char const* data, size_t len) override {
    for (size_t i = 0; i < len && !found_; ++i) Push(static_cast<char>(data[i]));
  }
  void finish() override { Push(' '); }
  bool found() const { return found_; }

 private:
  static bool Delimiter(char c) {
    return std::strchr(" \t\r\n\f()<>[]{}/%", c) != nullptr;
  }
  void Push(char c) {
    if (Delimiter(c) && last_[1] == 'r' && last_[0] == 'T' && Delimiter(before_))
      found_ = true;
    before_ = last_[0];
    last_[0] = last_[1];
    last_[1] = c;
  }
  char before_ = ' ', last_[2] = {' ', ' '};
  bool found_ = false;
};

// Removes text drawn invisibly (render mode 3) from a page's content: an earlier OCR
// layer that ours replaces. Operands are held until their operator (a text object's
// strings; an inline image's bytes at most).
class InvisibleTextFilter : public QPDFObjectHandle::TokenFilter {
 public:
  void handleToken(QPDFTokenizer::Token const& token) override;
  void handleEOF() override { Flush(); }
  // Whether any invisible text was removed.
  bool dropped() const { return dropped_; }

 private:
  void Flush() {
    for (const auto& t : pending_) writeToken(t);
    pending_.clear();
  }
  std::vector<QPDFTokenizer::Token> pending_;
  std::vector<int> saved_;
  int mode_ = 0;
  bool dropped_ = false;
};

}  // namespace pageflow
