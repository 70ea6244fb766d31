// MuPDF contexts: one process-wide base context (with lock callbacks and a bounded
// resource store) and a clone per thread, made on first use and dropped at thread exit.
//
//   fz_context* ctx = ThreadMupdfContext();   // never null unless MuPDF is out of memory
#pragma once

#include <cstdint>
#include <string>
#include <vector>

extern "C" {
#include <mupdf/fitz.h>
}

namespace pageflow {

// Sets the resource store limit for the base context; only before its first use.
void SetMupdfStoreBytes(int64_t bytes);
int64_t MupdfStoreBytes();
// This thread's context: a clone of the base context (sharing its store, and so its
// locks, with every other clone), or the thread's own (UseOwnMupdfContext); null if
// MuPDF could not start.
fz_context* ThreadMupdfContext();
// Gives this thread a context of its own instead of a clone: its own store of
// `store_bytes` and no locks, so its allocations and font loads never wait for another
// thread's (two text-layer workers on clones took 3.9 million locks for 178 pages and
// waited on them for a third of the run). For threads that read their own documents
// only (pipeline workers): a document must be used on the thread that opened it.
// Returns false, changing nothing, once the thread has used MuPDF.
bool UseOwnMupdfContext(int64_t store_bytes);

// MuPDF's allocations on this thread are capped (see PdfLibraryAllowance in
// document.h). This thread's cap, the bytes its allocations hold now, and the size of
// the last allocation refused for the cap that MuPDF did not then get on a retry (0:
// none since the last ClearMupdfRefusal).
int64_t ThreadMupdfLimit();
int64_t ThreadMupdfBytes();
int64_t ThreadMupdfAllowance();  // the innermost PdfLibraryAllowance's bytes
int64_t ThreadMupdfRefusedBytes();
void ClearMupdfRefusal();
// Collects the warnings MuPDF gives on this thread while the object lives (a damaged
// file's "repairing PDF document", "cannot find object"...). Scopes do not nest: an
// inner one collects alone until it ends. Keeps the first kMaxKept messages.
class MupdfWarnings {
 public:
  static constexpr size_t kMaxKept = 4;
  MupdfWarnings();
  ~MupdfWarnings();
  MupdfWarnings(const MupdfWarnings&) = delete;
  MupdfWarnings& operator=(const MupdfWarnings&) = delete;

  int count() const { return count_; }
  const std::vector<std::string>& messages() const { return messages_; }
  void Add(const char* message);

 private:
  MupdfWarnings* outer_;
  int count_ = 0;
  std::vector<std::string> messages_;
};

}  // namespace pageflow
