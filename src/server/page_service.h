// PageService: serving's jobs around the shared page executor. One MemoryBudget for the process, a
// fixed pool of workers each holding its engines, and jobs (one document each) whose
// pages flow through one bounded queue:
//
//   Submit ─► waiting jobs (≤ queue) ─► active jobs (≤ max_jobs) ─► feeder ─► BoundedQueue<PageTask>
//   (admission: queue room and            round robin, one page       (capacity = workers)
//    the first page's reservation fits)   at a time                    ─► N workers ─► Job::OnPageDone
//
// Pages in flight are bounded by workers + queue capacity whatever the number or length
// of documents; each page runs through the PageExecutor `pageflow run` uses, which
// reserves its raster and engine working set before rendering. Cancelling a job drops
// its queued pages without reserving anything; a page waiting on a remote server gives
// up (PageAccess::Cancelled), one inside a local engine finishes and releases.
//
//   StatusOr<std::unique_ptr<PageService>> s = PageService::Start(options, &observer);
//   Rejection why;
//   StatusOr<std::shared_ptr<Job>> job = (*s)->Submit(path, "a.pdf", settings, &why);
//
// Thread-safe.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "base/bounded_queue.h"
#include "base/governor.h"
#include "base/memory_budget.h"
#include "server/job.h"
#include "server/job_store.h"

namespace pageflow {

struct PageServiceOptions {
  // Pages recognized at once; each worker holds one engine per (kind, lang) it was asked
  // for, at most max_engines_per_worker (Tesseract eng: ~17 MB each, charged as fixed;
  // the least recently used one that is not the default is unloaded to make room).
  int workers = 2;
  int max_engines_per_worker = 3;
  // Distinct language sets (lang values, the default's included) engines are held or
  // wanted for at once; a job asking for one more gets 429 (Rejection::kLangSets) while
  // the others are in use. Idle engines of other sets are unloaded to make room.
  int max_lang_sets = 8;
  // An engine other than a worker's default unused this long is unloaded and its fixed
  // charge returned to the budget.
  int engine_idle_s = 30;
  // The engine kinds requests may choose (defaults.engine.kind is always offered). vlm
  // needs defaults.engine.vlm set up (serve --vlm-url). Empty: the default only.
  std::vector<std::string> engines;
  // Documents whose pages are being fed to workers at once (round robin between them).
  int max_jobs = 2;
  // Admitted documents waiting for a slot; a job beyond max_jobs + queue is refused.
  // Waiting jobs hold only their spooled file on disk, no memory.
  int queue = 8;
  // The process's byte budget; 0 = half of min(RAM, cgroup limit).
  int64_t memory_limit_bytes = 0;
  // Bytes of MuPDF's resource store, charged as a fixed cost.
  int64_t pdf_store_bytes = 64ll << 20;
  // The engine and render settings jobs get unless they ask otherwise; this engine is
  // loaded by every worker at start.
  JobSettings defaults;
  // Where uploads and results are spooled (created 0700 if missing).
  std::string spool_dir;
  // Non-empty: accepted jobs live here (JobStore: uploads, results, saved page ranges,
  // job files) and survive a restart; spool_dir is then not used for them. Empty: they
  // live in spool_dir and are gone when the server stops.
  std::string state_dir;
  // Finished jobs (results on disk) are forgotten this long after finishing.
  int job_ttl_s = 600;
  // At most this many finished jobs are kept; the oldest go first.
  int max_finished_jobs = 256;
};

enum class Rejection { kNone, kQueueFull, kMemory, kLangSets };

// What the engines offered say a page costs them, asked once at start.
struct EngineSizing {
  std::optional<RenderRequest> request;  // nullopt: text layer only
};

struct PageServiceStats {
  MemoryBudgetStats budget;
  int jobs_waiting = 0;
  int jobs_active = 0;
  int pages_queued = 0;     // in the page queue, not yet picked up by a worker
  int workers_busy = 0;
  int workers = 0;
  int queue_capacity = 0;   // max_jobs + queue
  int64_t rss_bytes = 0;
  int64_t peak_rss_bytes = 0;
  int engines_loaded = 0;  // over all workers, defaults included
};

// Told about every page and job as they finish (metrics). Called from worker threads.
class PageServiceObserver {
 public:
  virtual ~PageServiceObserver() = default;
  virtual void OnPage(const std::string& engine, bool failed, double queue_seconds,
                      double recognize_seconds) = 0;
  virtual void OnJobFinished(JobState state, double seconds) = 0;
};

class PageService {
 public:
  // Charges the fixed costs (PDF store, one default engine per worker) and starts the
  // threads. RESOURCE_EXHAUSTED if the fixed costs do not fit; UNAVAILABLE if an engine
  // cannot load; IO_ERROR if the spool directory cannot be made.
  static StatusOr<std::unique_ptr<PageService>> Start(const PageServiceOptions& options,
                                                      PageServiceObserver* observer);
  ~PageService();
  PageService(const PageService&) = delete;
  PageService& operator=(const PageService&) = delete;

  // A fresh 0600 file in the spool directory for an upload; the caller deletes it if it
  // does not submit it.
  StatusOr<std::string> NewSpoolFile();
  // Admits the spooled document at `path` (ownership passes to the job when admitted).
  // UNSUPPORTED / CORRUPT / NOT_FOUND from opening it; RESOURCE_EXHAUSTED when refused,
  // with *why saying if the queue was full, the job's engine (when not loaded) and first
  // page did not fit the budget, or --max-lang-sets language sets are in use.
  StatusOr<std::shared_ptr<Job>> Submit(const std::string& path, const std::string& filename,
                                        const JobSettings& settings, Rejection* why);
  // Quick check before reading an upload: false when the job queue is full now.
  bool HasRoom() const;
  // True if requests may choose `kind`.
  bool Offers(const std::string& kind) const;
  // The kinds requests may choose, for messages: "auto, text-layer, tesseract".
  std::string OfferedList() const;
  std::shared_ptr<Job> Find(const std::string& id);
  // Cancels (frees queued pages; in-flight pages finish) and forgets the job.
  // False if unknown.
  bool Cancel(const std::string& id, bool forget);
  PageServiceStats Stats() const;
  const PageServiceOptions& options() const { return options_; }
  // The process's budget, for work the server does beside jobs (page images, the
  // searchable PDF's writer).
  MemoryBudget* budget() { return &budget_; }
  // Closes the queues and joins every thread; jobs still running are cancelled.
  void Shutdown();

 private:
  using Clock = std::chrono::steady_clock;
  struct PageTask {
    std::shared_ptr<Job> job;
    int page = 0;  // 0-based
    std::chrono::steady_clock::time_point queued;
  };
  struct JobProgress {  // the service's bookkeeping of a job, guarded by mu_
    std::shared_ptr<Job> job;
    int fed = 0;       // pages handed to the page queue
    int settled = 0;   // pages finished or dropped
  };

  PageService(const PageServiceOptions& options, PageServiceObserver* observer, int64_t limit);
  // The bytes the first page of a job reserves (its engine's own estimate).
  int64_t AdmissionBytes(const JobSettings& settings, const PageGeometry& geometry) const;
  void Feed();
  void Work(int index);
  // A page of `job` is finished or dropped; finishes the job when it was the last.
  void Settle(const std::shared_ptr<Job>& job);
  // Ends the job (kCancelled instead if a cancel was requested) and tells the observer.
  // Unloads the engines (not a worker's default) that no page is using and, with
  // `idle_for` set, that were last used longer ago; only those whose lang is not in
  // `keep`. Takes engines_mu_. Returns how many were unloaded.
  int EvictIdle(std::optional<Clock::duration> idle_for,
                const std::vector<std::string>& keep);
  // Worker `index`'s engine for `options`, marked in use (built if missing: its least
  // recently used engine is unloaded first when it holds max_engines_per_worker, and
  // idle engines of every worker when the budget has no room for the new one).
  StatusOr<Engine*> AcquireEngine(int index, const EngineOptions& options);
  void ReleaseEngine(int index, Engine* engine);
  // Evicts idle engines and expires finished jobs every second until stopping_.
  void Reap();
  // Admission's check of the job's engine: the lang-set cap, and room for building it
  // (with the first page). kNone when it may run.
  Rejection CheckEngine(const JobSettings& settings, int64_t first_page_bytes,
                        std::string* message);
  void FinishLocked(std::unordered_map<std::string, JobProgress>::iterator it, JobState state);
  // Loads the state directory's jobs: finished ones until their TTL, unfinished ones
  // queued again from their saved ranges. Before the threads start.
  void Recover();
  void ExpireLocked();

  const PageServiceOptions options_;
  bool owns_spool_dir_ = false;  // made by Start (removed on destruction)
  std::unique_ptr<JobStore> store_;  // with options_.state_dir; set by Start
  PageServiceObserver* observer_;
  MemoryBudget budget_;
  Governor governor_;
  Reservation pdf_store_;
  // engines_[worker]: that worker's engines by "kind|lang", guarded by engines_mu_; an
  // engine in use by its worker's page is never unloaded. Engines are built and
  // destroyed outside the lock.
  struct WorkerEngines;
  mutable std::mutex engines_mu_;
  std::vector<std::unique_ptr<WorkerEngines>> engines_;
  // What building an engine charged, by "kind|lang" (admission's estimate); guarded by
  // engines_mu_.
  std::unordered_map<std::string, int64_t> engine_cost_;
  int64_t default_engine_cost_ = 0;  // one worker's default engine; set by Start
  std::condition_variable reap_cv_;  // with mu_
  // Offered kind -> the factory that makes its engines (one run-wide group each, e.g.
  // one vlm fallback and metrics) and what a page costs it. Read-only after Start.
  std::unordered_map<std::string, EngineFactory> factories_;
  std::unordered_map<std::string, EngineSizing> sizing_;
  std::vector<std::string> offered_;  // the default first, then --engines in order
  BoundedQueue<PageTask> pages_;
  std::vector<std::thread> threads_;
  std::atomic<int> workers_busy_{0};

  mutable std::mutex mu_;
  std::condition_variable feed_cv_;
  bool stopping_ = false;                                  // guarded by mu_
  std::deque<std::shared_ptr<Job>> waiting_;               // guarded by mu_; ≤ options_.queue + max_jobs
  std::vector<std::string> active_;                        // guarded by mu_; ≤ options_.max_jobs
  size_t next_active_ = 0;                                 // guarded by mu_; round-robin cursor
  std::unordered_map<std::string, JobProgress> running_;   // guarded by mu_; waiting and active
  std::deque<std::shared_ptr<Job>> finished_;              // guarded by mu_; oldest first
  std::unordered_map<std::string, std::shared_ptr<Job>> by_id_;  // guarded by mu_; all known
};

}  // namespace pageflow
