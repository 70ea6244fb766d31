#include "pipeline/worker_document.h"

#include <chrono>

namespace pageflow {

StatusOr<Document*> WorkerDocument::Get(const std::string& path) {
  if (doc_ && doc_->path() == path) return doc_.get();
  doc_.reset();
  const auto t0 = std::chrono::steady_clock::now();
  StatusOr<std::unique_ptr<Document>> d = OpenDocument(path);
  if (!d.ok()) return d.status();
  open_seconds_ = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  doc_ = std::move(*d);
  ++opens_;
  return doc_.get();
}

void WorkerDocument::PageDone(double page_seconds) {
  if (doc_ && open_seconds_ <= kMaxReopenShare * page_seconds) doc_.reset();
}

}  // namespace pageflow
