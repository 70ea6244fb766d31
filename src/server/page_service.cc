#include "server/page_service.h"

#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <random>

#include "base/log.h"
#include "base/process_stats.h"
#include "input/document.h"
#include "pipeline/page_executor.h"

namespace pageflow {
namespace {

using Clock = std::chrono::steady_clock;


std::string NewJobId() {
  static std::mutex mu;
  static std::mt19937_64 rng{std::random_device{}()};
  std::lock_guard<std::mutex> lock(mu);
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(rng()));
  return buf;
}

std::string EngineKey(const EngineOptions& e) { return e.kind + "|" + e.lang; }

}  // namespace

// One worker's engines, least recently used last; [0] is the default and stays.
// Touched only by its worker (and by Start before the workers run).
struct PageService::WorkerEngines {
  std::vector<std::pair<std::string, std::unique_ptr<Engine>>> loaded;

  StatusOr<Engine*> Get(const EngineOptions& options, const EngineFactory& make,
                        MemoryBudget& budget, size_t max_loaded) {
    const std::string key = EngineKey(options);
    for (size_t i = 0; i < loaded.size(); ++i) {
      if (loaded[i].first != key) continue;
      if (i > 1) std::rotate(loaded.begin() + 1, loaded.begin() + i, loaded.begin() + i + 1);
      return loaded[i > 1 ? 1 : i].second.get();
    }
    // Unload first: its fixed charge goes back to the budget before the new one loads.
    if (loaded.size() >= std::max<size_t>(2, max_loaded)) loaded.pop_back();
    PF_ASSIGN_OR_RETURN(std::unique_ptr<Engine> engine, make(options, budget));
    auto at = loaded.empty() ? loaded.end() : loaded.begin() + 1;
    return loaded.emplace(at, key, std::move(engine))->second.get();
  }
};

PageService::PageService(const PageServiceOptions& options, PageServiceObserver* observer, int64_t limit)
    : options_(options),
      observer_(observer),
      budget_(limit),
      governor_(&budget_, GovernorOptions{}),
      pages_(static_cast<size_t>(std::max(1, options.workers))) {}

StatusOr<std::unique_ptr<PageService>> PageService::Start(const PageServiceOptions& in,
                                                          PageServiceObserver* observer) {
  PageServiceOptions options = in;
  options.workers = std::max(1, options.workers);
  options.max_jobs = std::max(1, options.max_jobs);
  options.queue = std::max(0, options.queue);
  if (options.spool_dir.empty()) {
    const char* tmp = std::getenv("TMPDIR");
    std::string templ = std::string(tmp != nullptr ? tmp : "/tmp") + "/pageflow-serve-XXXXXX";
    if (mkdtemp(templ.data()) == nullptr) return IoError("cannot create a spool directory in " + templ);
    options.spool_dir = templ;
  } else if (mkdir(options.spool_dir.c_str(), 0700) != 0 && errno != EEXIST) {
    return IoError("cannot create spool directory " + options.spool_dir);
  }
  const int64_t limit = options.memory_limit_bytes > 0 ? options.memory_limit_bytes : DefaultMemoryLimitBytes();
  std::unique_ptr<PageService> s(new PageService(options, observer, limit));
  s->owns_spool_dir_ = in.spool_dir.empty();

  SetPdfStoreLimit(options.pdf_store_bytes);
  PF_ASSIGN_OR_RETURN(s->pdf_store_, s->budget_.ChargeFixed(options.pdf_store_bytes, "PDF resource store"));
  // Every offered kind gets its run-wide factory now (a vlm server is checked here, not
  // on a user's first page), and the default engine is loaded by every worker.
  std::vector<std::string>& offered = s->offered_;
  offered = {options.defaults.engine.kind};
  for (const std::string& k : options.engines) {
    if (!IsKnownEngine(k)) return InvalidArgument("unknown engine '" + k + "' (use " + KnownEnginesList() + ")");
    if (std::find(offered.begin(), offered.end(), k) == offered.end()) offered.push_back(k);
  }
  for (const std::string& kind : offered) {
    EngineOptions e = options.defaults.engine;
    e.kind = kind;
    PF_ASSIGN_OR_RETURN(s->factories_[kind], CreateSharedEngineFactory(e, s->budget_));
  }
  const size_t max_loaded = static_cast<size_t>(std::max(options.max_engines_per_worker, 2));
  for (int i = 0; i < options.workers; ++i) {
    auto engines = std::make_unique<WorkerEngines>();
    const EngineOptions& e = options.defaults.engine;
    StatusOr<Engine*> engine = engines->Get(e, s->factories_.at(e.kind), s->budget_, max_loaded);
    if (!engine.ok()) return engine.status().WithContext("worker " + std::to_string(i + 1));
    s->engines_.push_back(std::move(engines));
  }
  // Each engine states what a page costs it; admission asks that, for the engine the
  // job will run. Asked of one engine per kind, loaded once and then released (the
  // request it returns owns what it needs).
  for (const std::string& kind : offered) {
    EngineOptions e = options.defaults.engine;
    e.kind = kind;
    if (kind == options.defaults.engine.kind) {
      s->sizing_[kind] = {s->engines_[0]->loaded[0].second->PageRenderRequest()};
      continue;
    }
    StatusOr<std::unique_ptr<Engine>> engine = s->factories_.at(kind)(e, s->budget_);
    if (!engine.ok()) return engine.status().WithContext("engine " + kind);
    s->sizing_[kind] = {(*engine)->PageRenderRequest()};
  }
  const MemoryBudgetStats fixed = s->budget_.Stats();
  LogInfo("memory limit " + FormatBytes(limit) + "; fixed costs " + FormatBytes(fixed.fixed_bytes) + " (" +
          std::to_string(options.workers) + " x " + options.defaults.engine.kind +
          " engine + PDF store); up to " + FormatBytes(s->budget_.MaxSingleReservation()) + " per page");
  s->governor_.Start();
  s->threads_.emplace_back([p = s.get()] { p->Feed(); });
  for (int i = 0; i < options.workers; ++i) s->threads_.emplace_back([p = s.get(), i] { p->Work(i); });
  return s;
}

PageService::~PageService() {
  Shutdown();
  {
    std::lock_guard<std::mutex> lock(mu_);
    finished_.clear();
    by_id_.clear();
    running_.clear();
    waiting_.clear();
  }
  if (owns_spool_dir_) rmdir(options_.spool_dir.c_str());
}

StatusOr<std::string> PageService::NewSpoolFile() {
  std::string path = options_.spool_dir + "/upload-XXXXXX";
  const int fd = mkstemp(path.data());  // mode 0600
  if (fd < 0) return IoError("cannot create a spool file in " + options_.spool_dir);
  close(fd);
  return path;
}

bool PageService::Offers(const std::string& kind) const { return factories_.count(kind) != 0; }

std::string PageService::OfferedList() const {
  std::string list;
  for (const std::string& k : offered_) list += (list.empty() ? "" : ", ") + k;
  return list;
}

int64_t PageService::AdmissionBytes(const JobSettings& settings, const PageGeometry& geometry) const {
  auto it = sizing_.find(settings.engine.kind);
  if (it == sizing_.end()) return 0;
  StatusOr<int64_t> bytes = PageReservationBytes(it->second.request, geometry, settings.render,
                                                 budget_.MaxSingleReservation());
  // A page that cannot fit even alone fails by itself later, with its reason.
  return bytes.ok() ? *bytes : 0;
}

bool PageService::HasRoom() const {
  std::lock_guard<std::mutex> lock(mu_);
  return !stopping_ && static_cast<int>(running_.size()) < options_.max_jobs + options_.queue;
}

StatusOr<std::shared_ptr<Job>> PageService::Submit(const std::string& path, const std::string& filename,
                                                   const JobSettings& settings, Rejection* why) {
  *why = Rejection::kNone;
  int pages = 0;
  int64_t first_page_bytes = 0;
  {
    PF_ASSIGN_OR_RETURN(std::unique_ptr<Document> doc, OpenDocument(path));
    pages = doc->page_count();
    if (pages <= 0) return Corrupt("the document has no pages");
    PF_ASSIGN_OR_RETURN(PageGeometry geometry, doc->Geometry(0));
    if (!Offers(settings.engine.kind)) {
      return InvalidArgument("engine '" + settings.engine.kind + "' is not offered here (use " +
                             OfferedList() + ")");
    }
    first_page_bytes = AdmissionBytes(settings, geometry);
  }
  // The check only: holding this reservation until the page renders could deadlock
  // workers waiting for budget behind jobs that wait for a worker.
  if (first_page_bytes > 0) {
    StatusOr<Reservation> probe = budget_.TryReserve(first_page_bytes, "admission of " + filename);
    if (!probe.ok()) {
      *why = Rejection::kMemory;
      return ResourceExhausted("the first page needs " + FormatBytes(first_page_bytes) +
                               " and the memory budget has no room now");
    }
  }
  auto job = std::make_shared<Job>(NewJobId(), filename, path,
                                   options_.spool_dir + "/result-" + NewJobId() + ".ndjson", pages, settings);
  job->set_admission_bytes(first_page_bytes);
  {
    std::lock_guard<std::mutex> lock(mu_);
    ExpireLocked();
    if (stopping_ || static_cast<int>(running_.size()) >= options_.max_jobs + options_.queue) {
      *why = Rejection::kQueueFull;
      job->DisownUpload();  // not admitted: the caller keeps the upload
      return ResourceExhausted("the job queue is full (" + std::to_string(options_.max_jobs) + " running + " +
                               std::to_string(options_.queue) + " waiting)");
    }
    running_[job->id()] = JobProgress{job, 0, 0};
    waiting_.push_back(job);
    by_id_[job->id()] = job;
  }
  feed_cv_.notify_all();
  return job;
}

std::shared_ptr<Job> PageService::Find(const std::string& id) {
  std::lock_guard<std::mutex> lock(mu_);
  ExpireLocked();
  auto it = by_id_.find(id);
  return it == by_id_.end() ? nullptr : it->second;
}

bool PageService::Cancel(const std::string& id, bool forget) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto known = by_id_.find(id);
    if (known == by_id_.end()) return false;
    std::shared_ptr<Job> job = known->second;
    job->RequestCancel();
    auto it = running_.find(id);
    if (it != running_.end()) {
      waiting_.erase(std::remove(waiting_.begin(), waiting_.end(), job), waiting_.end());
      active_.erase(std::remove(active_.begin(), active_.end(), id), active_.end());
      if (it->second.fed == it->second.settled) FinishLocked(it, JobState::kCancelled);
    }
    if (forget) {
      by_id_.erase(id);
      finished_.erase(std::remove(finished_.begin(), finished_.end(), job), finished_.end());
    }
  }
  feed_cv_.notify_all();
  return true;
}

void PageService::FinishLocked(std::unordered_map<std::string, JobProgress>::iterator it, JobState state) {
  std::shared_ptr<Job> job = it->second.job;
  running_.erase(it);
  active_.erase(std::remove(active_.begin(), active_.end(), job->id()), active_.end());
  if (by_id_.count(job->id()) != 0) finished_.push_back(job);
  // Under mu_ so that status, metrics and the job agree at every moment; both are
  // short (counters, one unlink).
  if (job->cancel_requested()) state = JobState::kCancelled;
  if (observer_ != nullptr) observer_->OnJobFinished(state, job->Snapshot().seconds);
  job->Finish(state);
}

void PageService::ExpireLocked() {
  const Clock::time_point now = Clock::now();
  while (!finished_.empty()) {
    const std::shared_ptr<Job>& oldest = finished_.front();
    const bool too_many = finished_.size() > static_cast<size_t>(options_.max_finished_jobs);
    const bool finished = oldest->finished();
    if (!too_many && (!finished || now - oldest->finished_at() < std::chrono::seconds(options_.job_ttl_s))) break;
    auto it = by_id_.find(oldest->id());
    if (it != by_id_.end() && it->second == oldest) by_id_.erase(it);
    finished_.pop_front();
  }
}

void PageService::Feed() {
  for (;;) {
    PageTask task;
    {
      std::unique_lock<std::mutex> lock(mu_);
      auto pick = [&]() -> bool {
        while (static_cast<int>(active_.size()) < options_.max_jobs && !waiting_.empty()) {
          waiting_.front()->MarkRunning();
          active_.push_back(waiting_.front()->id());
          waiting_.pop_front();
        }
        if (active_.empty()) return false;
        next_active_ %= active_.size();
        JobProgress& p = running_.at(active_[next_active_]);
        task = PageTask{p.job, p.fed++, Clock::now()};
        if (p.fed == p.job->page_count()) {
          active_.erase(active_.begin() + static_cast<long>(next_active_));  // fully fed
        } else {
          ++next_active_;
        }
        return true;
      };
      feed_cv_.wait(lock, [&] { return stopping_ || pick(); });
      if (stopping_) return;
    }
    if (!pages_.Push(std::move(task))) return;
  }
}

void PageService::Work(int index) {
  WorkerEngines& engines = *engines_[static_cast<size_t>(index)];
  PageExecutor executor(&budget_);
  const size_t max_loaded = static_cast<size_t>(std::max(options_.max_engines_per_worker, 2));
  while (std::optional<PageTask> task = pages_.Pop()) {
    const std::shared_ptr<Job> job = task->job;
    if (job->cancel_requested()) {
      Settle(job);  // dropped before reserving anything
      continue;
    }
    ++workers_busy_;
    const Clock::time_point t0 = Clock::now();
    const double queue_seconds = std::chrono::duration<double>(t0 - task->queued).count();
    const EngineOptions& wanted = job->settings().engine;
    PageWork work{job->upload_path(), task->page, job->settings().render,
                  "page " + std::to_string(task->page + 1) + " of job " + job->id(), job->cancel_flag(),
                  job->settings().layout};
    // Every page keeps its boxes in the job's result file, whatever the job asked:
    // hOCR and ALTO may be asked of any finished job. They live on disk (about 30 KB a
    // dense page); one page at a time is in memory, as without them.
    work.boxes = true;
    PageOutcome outcome;
    StatusOr<Engine*> engine = engines.Get(wanted, factories_.at(wanted.kind), budget_, max_loaded);
    if (engine.ok()) {
      outcome = executor.Run(**engine, work);
    } else {
      outcome.record.page = task->page + 1;
      outcome.record.error = engine.status().message();
    }
    --workers_busy_;
    if (!outcome.cancelled) {
      const PageRecord& record = outcome.record;
      if (!record.error.empty()) LogWarning(work.label + ": " + record.error);
      if (observer_ != nullptr) {
        observer_->OnPage(record.error.empty() ? record.engine : wanted.kind, !record.error.empty(),
                          queue_seconds, record.seconds);
      }
      job->OnPageDone(std::move(outcome.record));
    }
    Settle(job);
  }
}

void PageService::Settle(const std::shared_ptr<Job>& job) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = running_.find(job->id());
    if (it == running_.end()) return;
    JobProgress& p = it->second;
    ++p.settled;
    if (p.settled < p.job->page_count() && !(job->cancel_requested() && p.settled == p.fed)) return;
    FinishLocked(it, JobState::kDone);
  }
  feed_cv_.notify_all();
}

PageServiceStats PageService::Stats() const {
  PageServiceStats s;
  s.budget = budget_.Stats();
  {
    std::lock_guard<std::mutex> lock(mu_);
    s.jobs_waiting = static_cast<int>(waiting_.size());
    s.jobs_active = static_cast<int>(running_.size()) - s.jobs_waiting;
  }
  s.pages_queued = static_cast<int>(pages_.size());
  s.workers_busy = workers_busy_.load();
  s.workers = options_.workers;
  s.queue_capacity = options_.max_jobs + options_.queue;
  s.rss_bytes = CurrentRssBytes();
  s.peak_rss_bytes = std::max(PeakRssBytes(), governor_.Stats().peak_rss_bytes);
  return s;
}

void PageService::Shutdown() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (stopping_) return;
    stopping_ = true;
    for (auto& [id, p] : running_) p.job->RequestCancel();
  }
  feed_cv_.notify_all();
  pages_.Close();
  budget_.Close();
  for (std::thread& t : threads_) t.join();
  threads_.clear();
  governor_.Stop();
  std::lock_guard<std::mutex> lock(mu_);
  while (!running_.empty()) FinishLocked(running_.begin(), JobState::kCancelled);
}

}  // namespace pageflow
