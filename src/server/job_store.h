// JobStore: `serve --state-dir DIR`, where accepted jobs live on disk so that a 202
// survives a restart (SIGKILL included):
//
//   DIR/jobs/ID.json         the job: file name, settings, pages, state, times; written
//                            atomically at admission and when it finishes
//   DIR/uploads/upload-XXXX  the spooled document (until the job finishes)
//   DIR/results/ID.ndjson    the result file, one page line per page in order
//   DIR/.pageflow/ranges/ID/ the finished page ranges of an unfinished job (Workspace,
//                            as `run` keeps them), dropped when the job finishes
//   DIR/lock                 held (flock) by the one server using DIR
//
// At start the server loads the jobs: finished ones are served until --job-ttl after
// they finished; queued and running ones run again from the first page range not saved
// (their result file is rebuilt from the saved ranges, so every page is in it once).
//
//   StatusOr<std::unique_ptr<JobStore>> store = JobStore::Open(dir);
//   for (const StoredJob& j : (*store)->Load(defaults)) ...
//
// Thread-safe (every method touches only its own job's files).
#pragma once

#include <cstdint>
#include <ctime>
#include <memory>
#include <string>
#include <vector>

#include "base/status.h"
#include "output/workspace.h"
#include "server/job.h"

namespace pageflow {

// A job as DIR/jobs/ID.json holds it.
struct StoredJob {
  std::string id;
  std::string filename;
  std::string upload_path;  // absolute
  std::string result_path;  // absolute
  int pages = 0;           // the selected pages (settings.pages), all without a selection
  int document_pages = 0;  // selected or not
  // Restored over the server's defaults: engine kind and lang, dpi, max_dim, layout,
  // boxes, pages (what a request may choose).
  JobSettings settings;
  JobState state = JobState::kQueued;  // kRunning is saved as kQueued
  std::time_t admitted = 0;            // wall clock
  std::time_t finished = 0;            // wall clock; finished jobs only
  double seconds = 0;                  // admission to finish; finished jobs only
  int pages_done = 0;                  // finished jobs only
  int pages_failed = 0;                // finished jobs only
  int64_t admission_bytes = 0;
};

class JobStore {
 public:
  // Pages per saved range: a killed job is redone from at most this many pages back.
  static constexpr int kRangePages = 8;

  // Creates the directory tree (0700) and takes DIR/lock. IO_ERROR if it cannot be
  // made, or UNAVAILABLE if another server holds it.
  static StatusOr<std::unique_ptr<JobStore>> Open(const std::string& dir);
  ~JobStore();
  JobStore(const JobStore&) = delete;
  JobStore& operator=(const JobStore&) = delete;

  const std::string& dir() const { return dir_; }
  // A fresh 0600 upload file in DIR/uploads.
  StatusOr<std::string> NewUploadFile();
  std::string ResultPath(const std::string& id) const;

  // Writes DIR/jobs/ID.json atomically.
  Status Save(const StoredJob& job);
  // Every readable DIR/jobs/*.json, oldest admission first, settings applied over
  // `defaults`; damaged ones are logged and skipped.
  std::vector<StoredJob> Load(const JobSettings& defaults) const;
  // Forgets the job: its metadata and ranges (not its upload or result file).
  void Remove(const std::string& id);

  // Saves pages [range.first, range.last] (0-based) of a job, in order.
  Status SaveRange(const std::string& id, PageRange range,
                   const std::vector<PageRecord>& pages);
  // The pages of the job's saved ranges from page 1 on, up to the first range missing.
  std::vector<PageRecord> SavedPages(const std::string& id, int page_count) const;
  void DropRanges(const std::string& id);

  // Removes uploads and results no job in `kept` names, and the ranges and temporaries
  // a killed server left. Returns how many files went.
  int RemoveUnreferenced(const std::vector<StoredJob>& kept);

 private:
  JobStore(std::string dir, Workspace ws, int lock_fd)
      : dir_(std::move(dir)), ws_(std::move(ws)), lock_fd_(lock_fd) {}
  std::string MetaPath(const std::string& id) const;

  const std::string dir_;
  Workspace ws_;
  int lock_fd_ = -1;
};

}  // namespace pageflow
