// Job: one document submitted to the server, from admission to expiry. Workers hand it
// page outcomes in any order; it writes them to its result file in page order (one
// NDJSON line per page), so readers — a streaming response, a later GET of the result —
// follow the file while only the few pages that finished early are held in memory.
//
//   job->OnPageDone(record);                 // worker thread, any order
//   while (job->WaitForLines(seen, 200ms) ...) read job->result_path() up to
//   LinesWritten()
//
// Thread-safe.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <ctime>
#include <fstream>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "engine/engine_factory.h"
#include "output/workspace.h"
#include "raster/render_plan.h"

namespace pageflow {

class JobStore;
struct StoredJob;

enum class JobState { kQueued, kRunning, kDone, kCancelled };
std::string_view JobStateName(JobState state);

// Per-job processing choices (from the request's query).
struct JobSettings {
  EngineOptions engine;
  RenderOptions render;
  bool layout = true;  // ?layout=auto|none, as run's --layout
  // ?boxes=1, as run's --boxes: the served page lines carry their boxes and the jsonl
  // record "page_boxes". The result file keeps the boxes whatever this says (hOCR and
  // ALTO may be asked of any job), so this only chooses what is sent.
  bool boxes = false;
  // ?pages=16-25,30, as run's --pages: the pages recognized (0-based, sorted, merged);
  // empty: all. Once admitted, only pages that exist: the job's pages are these, in
  // order, and each page record keeps its page number in the document.
  std::vector<PageRange> pages;
};

struct JobSnapshot {
  std::string id;
  std::string filename;
  JobState state = JobState::kQueued;
  int pages = 0;       // in the document
  int pages_done = 0;  // written to the result, including failed ones
  int pages_failed = 0;
  double seconds = 0;  // since admission (until finished)
  std::string engine;
  int64_t admission_bytes = 0;  // what its first page was sized at when admitted
};

class Job {
 public:
  using Clock = std::chrono::steady_clock;

  // upload_path is the spooled document and result_path the result, created now. Both
  // are deleted with the Job (when it expires or is deleted); a cancelled job's upload
  // goes when it finishes. A done job keeps its upload so its pages' images can be
  // rendered (GET /v1/jobs/ID/pages/N/image) and its searchable PDF made (?format=pdf).
  // With `store` (serve --state-dir), finished page ranges are saved to it as they are
  // written and the job's files stay until it is forgotten (see KeepFiles).
  Job(std::string id, std::string filename, std::string upload_path,
      std::string result_path, int page_count, JobSettings settings,
      JobStore* store = nullptr);
  // A job loaded from the state directory. A finished one keeps its result file as it
  // is; an unfinished one's result file is rewritten from `saved` (its pages 1..N in
  // order, from the saved ranges) and the job goes on from page N+1.
  Job(const StoredJob& stored, std::vector<PageRecord> saved, JobStore* store);
  ~Job();
  Job(const Job&) = delete;
  Job& operator=(const Job&) = delete;

  const std::string& id() const { return id_; }
  const std::string& filename() const { return filename_; }
  std::time_t admitted_time() const { return admitted_wall_; }  // wall clock
  const std::string& upload_path() const { return upload_path_; }
  const std::string& result_path() const { return result_path_; }
  int page_count() const { return page_count_; }  // the selected pages
  // The 0-based document page of the job's `index`th page (0-based), and back.
  int DocumentPage(int index) const;
  int IndexOf(int document_page) const;
  const JobSettings& settings() const { return settings_; }

  // The upload stays with the caller (a job that was not admitted). Before sharing only.
  void DisownUpload() { owns_upload_ = false; }
  // The server stops and the job is to run (or be served) again after a restart: from
  // now on finishing and destruction leave its upload, result and saved state on disk.
  void KeepFiles() { keep_files_ = true; }
  bool keep_files() const { return keep_files_; }
  // The job as the state directory holds it (JobStore::Save).
  StoredJob Stored() const;

  // A page's outcome (record.page is 1-based). Pages are written in order as soon as
  // all earlier ones are in.
  void OnPageDone(PageRecord record);
  void MarkRunning();
  // Final state; wakes readers. Deletes the upload if the job was cancelled. Idempotent.
  void Finish(JobState state);
  bool cancel_requested() const;
  void RequestCancel();
  // Becomes true with RequestCancel: handed to the job's pages so that an engine waiting
  // on a server gives up (PageAccess::Cancelled).
  const std::atomic<bool>* cancel_flag() const { return &cancel_flag_; }
  void set_admission_bytes(int64_t bytes) { admission_bytes_ = bytes; }  // before sharing
  // The document's pages, selected or not (page_count() without pages=). Before sharing.
  void set_document_pages(int pages) { document_pages_ = pages; }
  int document_pages() const {
    return document_pages_ > 0 ? document_pages_ : page_count_;
  }

  // Where to start reading the result file for page line `index` (0-based): the line
  // and byte offset of the nearest indexed line at or before it (every
  // kLinesPerCheckpoint-th line of what this Job wrote; a finished job loaded from the
  // state directory has none, so that is line 0 at offset 0).
  static constexpr int kLinesPerCheckpoint = 64;
  struct LineStart {
    int line = 0;
    int64_t offset = 0;
  };
  LineStart LineStartFor(int index) const;

  // Blocks until more than `lines_seen` page lines are written, the job is finished, or
  // the timeout passes. Returns the number of page lines written so far.
  int WaitForLines(int lines_seen, std::chrono::milliseconds timeout);
  bool finished() const;
  JobSnapshot Snapshot() const;
  Clock::time_point finished_at() const;
  // The summary line closing an NDJSON result.
  std::string SummaryJson() const;

 private:
  void WriteLocked(const PageRecord& record);       // as the job's page next_page_
  void AppendLineLocked(const PageRecord& record);  // to out_, indexing it

  const std::string id_, filename_, upload_path_, result_path_;
  const int page_count_;
  const JobSettings settings_;
  Clock::time_point admitted_ = Clock::now();       // set by the constructors only
  std::time_t admitted_wall_ = std::time(nullptr);  // set by the constructors only
  JobStore* const store_ = nullptr;                 // not owned; null: nothing saved
  std::atomic<bool> keep_files_{false};
  bool owns_upload_ = true;
  int64_t admission_bytes_ = 0;
  int document_pages_ = 0;  // 0: page_count_
  std::atomic<bool> cancel_flag_{false};

  mutable std::mutex mu_;
  std::condition_variable cv_;
  JobState state_ = JobState::kQueued;  // guarded by mu_
  bool cancel_ = false;                 // guarded by mu_
  std::map<int, PageRecord> early_;     // guarded by mu_; pages ahead of next_page_,
                                        // at most the pages in flight; by index
  int next_page_ = 1;                   // guarded by mu_; 1-based index of the
                                        // selected pages (= page without pages=)
  int pages_failed_ = 0;                // guarded by mu_
  std::ofstream out_;                   // guarded by mu_
  int lines_ = 0;                       // guarded by mu_; lines in out_
  int64_t bytes_ = 0;                   // guarded by mu_; bytes in out_
  // Guarded by mu_: the byte offset of line k * kLinesPerCheckpoint, so that a page
  // line is found by reading at most kLinesPerCheckpoint - 1 others (8 bytes per 64
  // pages: 100,000 pages hold 12.5 KB).
  std::vector<int64_t> checkpoints_;
  Clock::time_point finished_at_;  // guarded by mu_
  std::time_t finished_wall_ = 0;  // guarded by mu_
  // With a store: the pages written since the last saved range, at most
  // JobStore::kRangePages records (their text and boxes, tens of KB a page: like early_,
  // small and bounded, not charged to the budget). Guarded by mu_.
  std::vector<PageRecord> range_;
};

}  // namespace pageflow
