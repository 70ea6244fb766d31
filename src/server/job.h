// Job: one document submitted to the server, from admission to expiry. Workers hand it
// page outcomes in any order; it writes them to its result file in page order (one
// NDJSON line per page), so readers — a streaming response, a later GET of the result —
// follow the file while only the few pages that finished early are held in memory.
//
//   job->OnPageDone(record);                 // worker thread, any order
//   while (job->WaitForLines(seen, 200ms) ...) read job->result_path() up to LinesWritten()
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

#include "engine/engine_factory.h"
#include "output/workspace.h"
#include "raster/render_plan.h"

namespace pageflow {

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
};

struct JobSnapshot {
  std::string id;
  std::string filename;
  JobState state = JobState::kQueued;
  int pages = 0;         // in the document
  int pages_done = 0;    // written to the result, including failed ones
  int pages_failed = 0;
  double seconds = 0;    // since admission (until finished)
  std::string engine;
  int64_t admission_bytes = 0;  // what its first page was sized at when admitted
};

class Job {
 public:
  using Clock = std::chrono::steady_clock;

  // upload_path is the spooled document and result_path its results (created now); both
  // are deleted with the Job, the upload kept until then because a searchable PDF
  // (?format=pdf) is made from it after the pages are done.
  Job(std::string id, std::string filename, std::string upload_path, std::string result_path,
      int page_count, JobSettings settings);
  ~Job();
  Job(const Job&) = delete;
  Job& operator=(const Job&) = delete;

  const std::string& id() const { return id_; }
  const std::string& filename() const { return filename_; }
  std::time_t admitted_time() const { return admitted_wall_; }  // wall clock
  const std::string& upload_path() const { return upload_path_; }
  const std::string& result_path() const { return result_path_; }
  int page_count() const { return page_count_; }
  const JobSettings& settings() const { return settings_; }

  // The upload stays with the caller (a job that was not admitted). Before sharing only.
  void DisownUpload() { owns_upload_ = false; }

  // A page's outcome (record.page is 1-based). Pages are written in order as soon as
  // all earlier ones are in.
  void OnPageDone(PageRecord record);
  void MarkRunning();
  // Final state; wakes readers. Idempotent.
  void Finish(JobState state);
  bool cancel_requested() const;
  void RequestCancel();
  // Becomes true with RequestCancel: handed to the job's pages so that an engine waiting
  // on a server gives up (PageAccess::Cancelled).
  const std::atomic<bool>* cancel_flag() const { return &cancel_flag_; }
  void set_admission_bytes(int64_t bytes) { admission_bytes_ = bytes; }  // before sharing

  // Blocks until more than `lines_seen` page lines are written, the job is finished, or
  // the timeout passes. Returns the number of page lines written so far.
  int WaitForLines(int lines_seen, std::chrono::milliseconds timeout);
  bool finished() const;
  JobSnapshot Snapshot() const;
  Clock::time_point finished_at() const;
  // The summary line closing an NDJSON result.
  std::string SummaryJson() const;

 private:
  void WriteLocked(const PageRecord& record);

  const std::string id_, filename_, upload_path_, result_path_;
  const int page_count_;
  const JobSettings settings_;
  const Clock::time_point admitted_ = Clock::now();
  const std::time_t admitted_wall_ = std::time(nullptr);
  bool owns_upload_ = true;
  int64_t admission_bytes_ = 0;
  std::atomic<bool> cancel_flag_{false};

  mutable std::mutex mu_;
  std::condition_variable cv_;
  JobState state_ = JobState::kQueued;         // guarded by mu_
  bool cancel_ = false;                        // guarded by mu_
  std::map<int, PageRecord> early_;            // guarded by mu_; pages ahead of next_page_,
                                               // at most the pages in flight
  int next_page_ = 1;                          // guarded by mu_
  int pages_failed_ = 0;                       // guarded by mu_
  std::ofstream out_;                          // guarded by mu_
  Clock::time_point finished_at_;              // guarded by mu_
};

}  // namespace pageflow
