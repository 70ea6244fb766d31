#include "server/page_service.h"

#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <ctime>
#include <random>

#include "base/log.h"
#include "base/process_stats.h"
#include "input/document.h"
#include "pipeline/page_executor.h"
#include "pipeline/page_selection.h"

namespace pageflow {
namespace {

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

// One worker's engines, least recently used last; [0] is the default and stays. Guarded
// by PageService::engines_mu_.
struct PageService::WorkerEngines {
  struct Loaded {
    std::string key, lang;
    std::unique_ptr<Engine> engine;
    bool in_use = false;  // a page of its worker runs on it
    std::chrono::steady_clock::time_point last_used;
  };
  std::vector<Loaded> loaded;
};

PageService::PageService(const PageServiceOptions& options, PageServiceObserver* observer,
                         int64_t limit)
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
    std::string templ =
        std::string(tmp != nullptr ? tmp : "/tmp") + "/pageflow-serve-XXXXXX";
    if (mkdtemp(templ.data()) == nullptr)
      return IoError("cannot create a spool directory in " + templ);
    options.spool_dir = templ;
  } else if (mkdir(options.spool_dir.c_str(), 0700) != 0 && errno != EEXIST) {
    return IoError("cannot create spool directory " + options.spool_dir);
  }
  const int64_t limit = options.memory_limit_bytes > 0 ? options.memory_limit_bytes
                                                       : DefaultMemoryLimitBytes();
  std::unique_ptr<PageService> s(new PageService(options, observer, limit));
  s->owns_spool_dir_ = in.spool_dir.empty();
  if (!options.state_dir.empty()) {
    PF_ASSIGN_OR_RETURN(s->store_, JobStore::Open(options.state_dir));
  }

  SetPdfStoreLimit(options.pdf_store_bytes);
  PF_ASSIGN_OR_RETURN(s->pdf_store_, s->budget_.ChargeFixed(options.pdf_store_bytes,
                                                            "PDF resource store"));
  // Every offered kind gets its run-wide factory now (a vlm server is checked here, not
  // on a user's first page), and the default engine is loaded by every worker.
  std::vector<std::string>& offered = s->offered_;
  offered = {options.defaults.engine.kind};
  for (const std::string& k : options.engines) {
    if (!IsKnownEngine(k))
      return InvalidArgument("unknown engine '" + k + "' (use " + KnownEnginesList() +
                             ")");
    if (std::find(offered.begin(), offered.end(), k) == offered.end())
      offered.push_back(k);
  }
  for (const std::string& kind : offered) {
    EngineOptions e = options.defaults.engine;
    e.kind = kind;
    PF_ASSIGN_OR_RETURN(s->factories_[kind], CreateSharedEngineFactory(e, s->budget_));
  }
  for (int i = 0; i < options.workers; ++i) {
    s->engines_.push_back(std::make_unique<WorkerEngines>());
    const int64_t before = s->budget_.Stats().fixed_bytes;
    StatusOr<Engine*> engine = s->AcquireEngine(i, options.defaults.engine);
    if (!engine.ok())
      return engine.status().WithContext("worker " + std::to_string(i + 1));
    s->ReleaseEngine(i, *engine);
    s->default_engine_cost_ = s->budget_.Stats().fixed_bytes - before;
  }
  // Each engine states what a page costs it; admission asks that, for the engine the
  // job will run. Asked of one engine per kind, loaded once and then released (the
  // request it returns owns what it needs).
  for (const std::string& kind : offered) {
    EngineOptions e = options.defaults.engine;
    e.kind = kind;
    if (kind == options.defaults.engine.kind) {
      s->sizing_[kind] = {s->engines_[0]->loaded[0].engine->PageRenderRequest()};
      continue;
    }
    StatusOr<std::unique_ptr<Engine>> engine = s->factories_.at(kind)(e, s->budget_);
    if (!engine.ok()) return engine.status().WithContext("engine " + kind);
    s->sizing_[kind] = {(*engine)->PageRenderRequest()};
  }
  const MemoryBudgetStats fixed = s->budget_.Stats();
  LogInfo("memory limit " + FormatBytes(limit) + "; fixed costs " +
          FormatBytes(fixed.fixed_bytes) + " (" + std::to_string(options.workers) +
          " x " + options.defaults.engine.kind + " engine + PDF store); up to " +
          FormatBytes(s->budget_.MaxSingleReservation()) + " per page");
  if (s->store_) s->Recover();
  s->governor_.Start();
  s->threads_.emplace_back([p = s.get()] { p->Feed(); });
  for (int i = 0; i < options.workers; ++i)
    s->threads_.emplace_back([p = s.get(), i] { p->Work(i); });
  s->threads_.emplace_back([p = s.get()] { p->Reap(); });
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

void PageService::Recover() {
  const std::time_t now = std::time(nullptr);
  std::vector<StoredJob> kept;
  int finished = 0, resumed = 0, expired = 0;
  std::lock_guard<std::mutex> lock(mu_);
  for (const StoredJob& stored : store_->Load(options_.defaults)) {
    const bool over =
        stored.state == JobState::kDone || stored.state == JobState::kCancelled;
    if (over && now - stored.finished >= options_.job_ttl_s) {
      store_->Remove(stored.id);  // its result goes with the unreferenced files below
      ++expired;
      continue;
    }
    std::vector<PageRecord> saved;
    if (over) {
      store_->DropRanges(stored.id);  // left if it stopped right after finishing
    } else {
      saved = store_->SavedPages(stored.id, stored.pages);
    }
    const int done = static_cast<int>(saved.size());
    // Finishing removes the upload before the job file says so: with every page saved
    // the job is complete without it.
    if (!over && done < stored.pages && access(stored.upload_path.c_str(), R_OK) != 0) {
      LogWarning("job " + stored.id + ": its upload " + stored.upload_path +
                 " is gone; the job is dropped");
      store_->Remove(stored.id);
      continue;
    }
    auto job = std::make_shared<Job>(stored, std::move(saved), store_.get());
    job->set_admission_bytes(stored.admission_bytes);
    job->set_document_pages(stored.document_pages);
    kept.push_back(stored);
    by_id_[job->id()] = job;
    if (over) {
      finished_.push_back(job);
      ++finished;
      continue;
    }
    ++resumed;
    auto it = running_.emplace(job->id(), JobProgress{job, done, done}).first;
    if (done == stored.pages) {
      FinishLocked(it, JobState::kDone);  // every page was saved before it stopped
    } else {
      waiting_.push_back(job);
    }
  }
  std::stable_sort(finished_.begin(), finished_.end(),
                   [](const std::shared_ptr<Job>& a, const std::shared_ptr<Job>& b) {
                     return a->finished_at() < b->finished_at();
                   });
  const int swept = store_->RemoveUnreferenced(kept);
  LogInfo("state directory " + store_->dir() + ": " + std::to_string(finished) +
          " finished job(s) kept, " + std::to_string(resumed) +
          " to run again from their saved pages, " + std::to_string(expired) +
          " expired, " + std::to_string(swept) + " stale file(s) removed");
}

StatusOr<std::string> PageService::NewSpoolFile() {
  if (store_) return store_->NewUploadFile();  // survives a restart with its job
  std::string path = options_.spool_dir + "/upload-XXXXXX";
  const int fd = mkstemp(path.data());  // mode 0600
  if (fd < 0) return IoError("cannot create a spool file in " + options_.spool_dir);
  close(fd);
  return path;
}

bool PageService::Offers(const std::string& kind) const {
  return factories_.count(kind) != 0;
}

std::string PageService::OfferedList() const {
  std::string list;
  for (const std::string& k : offered_) list += (list.empty() ? "" : ", ") + k;
  return list;
}

int64_t PageService::AdmissionBytes(const JobSettings& settings,
                                    const PageGeometry& geometry) const {
  auto it = sizing_.find(settings.engine.kind);
  if (it == sizing_.end()) return 0;
  StatusOr<int64_t> bytes = PageReservationBytes(
      it->second.request, geometry, settings.render, budget_.MaxSingleReservation());
  // A page that cannot fit even alone fails by itself later, with its reason.
  return bytes.ok() ? *bytes : 0;
}

bool PageService::HasRoom() const {
  std::lock_guard<std::mutex> lock(mu_);
  return !stopping_ &&
         static_cast<int>(running_.size()) < options_.max_jobs + options_.queue;
}

StatusOr<std::shared_ptr<Job>> PageService::Submit(const std::string& path,
                                                   const std::string& filename,
                                                   const JobSettings& asked,
                                                   Rejection* why) {
  *why = Rejection::kNone;
  JobSettings settings = asked;
  int pages = 0, document_pages = 0;
  int64_t first_page_bytes = 0;
  {
    PF_ASSIGN_OR_RETURN(std::unique_ptr<Document> doc, OpenDocument(path));
    pages = doc->page_count();
    if (pages <= 0) return Corrupt("the document has no pages");
    document_pages = pages;
    if (!settings.pages.empty()) {
      // As run --pages: selected pages past the end are left out; none left is refused.
      settings.pages = WorkRanges(pages, asked.pages, 0, pages);
      if (settings.pages.empty()) {
        return InvalidArgument(
            "none of the pages pages=" + PageSelectionText(asked.pages) +
            " selects is in this document (" + std::to_string(pages) + " pages)");
      }
      pages = 0;
      for (const PageRange& r : settings.pages) pages += r.size();
    }
    // Admission is sized on the first page the job recognizes.
    const int first_page = settings.pages.empty() ? 0 : settings.pages[0].first;
    PF_ASSIGN_OR_RETURN(PageGeometry geometry, doc->Geometry(first_page));
    if (!Offers(settings.engine.kind)) {
      return InvalidArgument("engine '" + settings.engine.kind +
                             "' is not offered here (use " + OfferedList() + ")");
    }
    first_page_bytes = AdmissionBytes(settings, geometry);
  }
  // The check only: holding this reservation until the page renders could deadlock
  // workers waiting for budget behind jobs that wait for a worker.
  std::string message;
  *why = CheckEngine(settings, first_page_bytes, &message);
  if (*why != Rejection::kNone) return ResourceExhausted(message);
  const std::string id = NewJobId();
  auto job = std::make_shared<Job>(
      id, filename, path,
      store_ ? store_->ResultPath(id)
             : options_.spool_dir + "/result-" + NewJobId() + ".ndjson",
      pages, settings, store_.get());
  job->set_admission_bytes(first_page_bytes);
  job->set_document_pages(document_pages);
  if (store_) {
    // On disk before the 202: a restart from here on runs it.
    Status saved = store_->Save(job->Stored());
    if (!saved.ok()) {
      job->DisownUpload();
      return saved.WithContext("saving the job");
    }
  }
  {
    std::lock_guard<std::mutex> lock(mu_);
    ExpireLocked();
    if (stopping_ ||
        static_cast<int>(running_.size()) >= options_.max_jobs + options_.queue) {
      *why = Rejection::kQueueFull;
      job->DisownUpload();  // not admitted: the caller keeps the upload (its job file
                            // goes with the job)
      return ResourceExhausted("the job queue is full (" +
                               std::to_string(options_.max_jobs) + " running + " +
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
      if (store_) store_->Remove(id);  // not run again after a restart
      by_id_.erase(id);
      finished_.erase(std::remove(finished_.begin(), finished_.end(), job),
                      finished_.end());
    }
  }
  feed_cv_.notify_all();
  return true;
}

void PageService::FinishLocked(std::unordered_map<std::string, JobProgress>::iterator it,
                               JobState state) {
  std::shared_ptr<Job> job = it->second.job;
  running_.erase(it);
  active_.erase(std::remove(active_.begin(), active_.end(), job->id()), active_.end());
  if (by_id_.count(job->id()) != 0) finished_.push_back(job);
  // Under mu_ so that status, metrics and the job agree at every moment; both are
  // short (counters, one unlink).
  if (job->cancel_requested()) state = JobState::kCancelled;
  if (observer_ != nullptr) observer_->OnJobFinished(state, job->Snapshot().seconds);
  job->Finish(state);
  // Saved finished unless the server is stopping (then it runs again after a restart)
  // or the job was deleted. Small writes under mu_, as above.
  if (store_ && !job->keep_files() && by_id_.count(job->id()) != 0) {
    Status saved = store_->Save(job->Stored());
    if (!saved.ok()) LogWarning("job " + job->id() + ": " + saved.message());
    store_->DropRanges(job->id());
  }
}

void PageService::ExpireLocked() {
  const Clock::time_point now = Clock::now();
  while (!finished_.empty()) {
    const std::shared_ptr<Job>& oldest = finished_.front();
    const bool too_many =
        finished_.size() > static_cast<size_t>(options_.max_finished_jobs);
    const bool finished = oldest->finished();
    if (!too_many && (!finished || now - oldest->finished_at() <
                                       std::chrono::seconds(options_.job_ttl_s)))
      break;
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
        while (static_cast<int>(active_.size()) < options_.max_jobs &&
               !waiting_.empty()) {
          waiting_.front()->MarkRunning();
          active_.push_back(waiting_.front()->id());
          waiting_.pop_front();
        }
        if (active_.empty()) return false;
        next_active_ %= active_.size();
        JobProgress& p = running_.at(active_[next_active_]);
        task = PageTask{p.job, p.job->DocumentPage(p.fed++), Clock::now()};
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
  PageExecutor executor(&budget_);
  for (;;) {
    std::optional<PageTask> task = pages_.TryPop();
    if (!task) {
      // Idle: the last page's document is let go before waiting, or the worker would
      // hold a finished job's upload open past its deletion (a file that takes disk
      // space until the next page comes).
      executor.CloseDocument();
      task = pages_.Pop();
      if (!task) break;
    }
    const std::shared_ptr<Job> job = task->job;
    if (job->cancel_requested()) {
      Settle(job);  // dropped before reserving anything
      continue;
    }
    ++workers_busy_;
    const Clock::time_point t0 = Clock::now();
    const double queue_seconds = std::chrono::duration<double>(t0 - task->queued).count();
    const EngineOptions& wanted = job->settings().engine;
    PageWork work{job->upload_path(),
                  task->page,
                  job->settings().render,
                  "page " + std::to_string(task->page + 1) + " of job " + job->id(),
                  job->cancel_flag(),
                  job->settings().layout};
    // Every page keeps its boxes in the job's result file, whatever the job asked:
    // hOCR and ALTO may be asked of any finished job. They live on disk (about 30 KB a
    // dense page); one page at a time is in memory, as without them.
    work.boxes = true;
    PageOutcome outcome;
    StatusOr<Engine*> engine = AcquireEngine(index, wanted);
    if (engine.ok()) {
      outcome = executor.Run(**engine, work);
      ReleaseEngine(index, *engine);
    } else {
      outcome.record.page = task->page + 1;
      outcome.record.error = engine.status().message();
    }
    --workers_busy_;
    if (!outcome.cancelled) {
      const PageRecord& record = outcome.record;
      if (!record.error.empty()) LogWarning(work.label + ": " + record.error);
      if (observer_ != nullptr) {
        observer_->OnPage(record.error.empty() ? record.engine : wanted.kind,
                          !record.error.empty(), queue_seconds, record.seconds);
      }
      job->OnPageDone(std::move(outcome.record));
    }
    Settle(job);
  }
}

StatusOr<Engine*> PageService::AcquireEngine(int index, const EngineOptions& options) {
  WorkerEngines& mine = *engines_[static_cast<size_t>(index)];
  const std::string key = EngineKey(options);
  std::vector<std::unique_ptr<Engine>> unload;  // destroyed outside the lock
  {
    std::lock_guard<std::mutex> lock(engines_mu_);
    for (size_t i = 0; i < mine.loaded.size(); ++i) {
      if (mine.loaded[i].key != key) continue;
      if (i > 1)
        std::rotate(mine.loaded.begin() + 1, mine.loaded.begin() + i,
                    mine.loaded.begin() + i + 1);
      WorkerEngines::Loaded& hit = mine.loaded[i > 1 ? 1 : i];
      hit.in_use = true;
      return hit.engine.get();
    }
    // Unload first: its fixed charge goes back to the budget before the new one loads.
    const size_t max_loaded =
        static_cast<size_t>(std::max(options_.max_engines_per_worker, 2));
    if (mine.loaded.size() >= max_loaded) {
      unload.push_back(std::move(mine.loaded.back().engine));
      mine.loaded.pop_back();
    }
  }
  unload.clear();
  auto factory = factories_.find(options.kind);
  if (factory == factories_.end()) {  // a job from before a restart with other --engines
    return Unavailable("engine '" + options.kind + "' is not offered by this server now");
  }
  const EngineFactory& make = factory->second;
  const int64_t before = budget_.Stats().fixed_bytes;
  StatusOr<std::unique_ptr<Engine>> engine = make(options, budget_);
  if (!engine.ok() && engine.status().code() == StatusCode::kResourceExhausted &&
      EvictIdle(std::nullopt, {}) > 0) {
    engine = make(options, budget_);  // other workers' idle engines returned their charge
  }
  if (!engine.ok()) return engine.status();
  std::lock_guard<std::mutex> lock(engines_mu_);
  engine_cost_[key] = std::max<int64_t>(0, budget_.Stats().fixed_bytes - before);
  auto at = mine.loaded.empty() ? mine.loaded.end() : mine.loaded.begin() + 1;
  WorkerEngines::Loaded& added = *mine.loaded.insert(
      at,
      WorkerEngines::Loaded{key, options.lang, std::move(*engine), true, Clock::now()});
  return added.engine.get();
}

void PageService::ReleaseEngine(int index, Engine* engine) {
  std::lock_guard<std::mutex> lock(engines_mu_);
  for (WorkerEngines::Loaded& l : engines_[static_cast<size_t>(index)]->loaded) {
    if (l.engine.get() != engine) continue;
    l.in_use = false;
    l.last_used = Clock::now();
  }
}

int PageService::EvictIdle(std::optional<Clock::duration> idle_for,
                           const std::vector<std::string>& keep) {
  std::vector<std::unique_ptr<Engine>> unload;  // destroyed outside the lock
  {
    std::lock_guard<std::mutex> lock(engines_mu_);
    const Clock::time_point now = Clock::now();
    for (std::unique_ptr<WorkerEngines>& w : engines_) {
      for (size_t i = w->loaded.size(); i-- > 1;) {  // [0] is the default
        WorkerEngines::Loaded& l = w->loaded[i];
        if (l.in_use || (idle_for && now - l.last_used < *idle_for)) continue;
        if (std::find(keep.begin(), keep.end(), l.lang) != keep.end()) continue;
        unload.push_back(std::move(l.engine));
        w->loaded.erase(w->loaded.begin() + static_cast<long>(i));
      }
    }
  }
  if (!unload.empty())
    LogInfo("unloaded " + std::to_string(unload.size()) + " idle engine(s)");
  return static_cast<int>(unload.size());
}

void PageService::Reap() {
  const auto idle = std::chrono::seconds(std::max(1, options_.engine_idle_s));
  for (;;) {
    {
      std::unique_lock<std::mutex> lock(mu_);
      if (reap_cv_.wait_for(lock, std::chrono::seconds(1), [&] { return stopping_; }))
        return;
      // Expired jobs' uploads and results leave the disk within a second, not at the
      // next request.
      ExpireLocked();
    }
    EvictIdle(idle, {});
  }
}

Rejection PageService::CheckEngine(const JobSettings& settings, int64_t first_page_bytes,
                                   std::string* message) {
  const std::string key = EngineKey(settings.engine);
  const std::string& lang = settings.engine.lang;
  std::vector<std::string> wanted = {
      options_.defaults.engine.lang};  // lang sets of admitted jobs
  {
    std::lock_guard<std::mutex> lock(mu_);
    for (const auto& [id, p] : running_) {
      const std::string& l = p.job->settings().engine.lang;
      if (std::find(wanted.begin(), wanted.end(), l) == wanted.end()) wanted.push_back(l);
    }
  }
  const bool wanted_already =
      std::find(wanted.begin(), wanted.end(), lang) != wanted.end();
  if (!wanted_already && static_cast<int>(wanted.size()) >= options_.max_lang_sets) {
    *message = "this server runs engines for at most " +
               std::to_string(options_.max_lang_sets) +
               " language sets at once (--max-lang-sets) and all are in use; retry later "
               "or use lang=" +
               options_.defaults.engine.lang;
    return Rejection::kLangSets;
  }
  wanted.push_back(lang);
  int64_t engine_bytes = 0;
  {
    std::unique_lock<std::mutex> lock(engines_mu_);
    bool loaded = false;
    std::vector<std::string> langs;  // of loaded engines
    for (const std::unique_ptr<WorkerEngines>& w : engines_) {
      for (const WorkerEngines::Loaded& l : w->loaded) {
        loaded |= l.key == key;
        if (std::find(langs.begin(), langs.end(), l.lang) == langs.end())
          langs.push_back(l.lang);
      }
    }
    if (std::find(langs.begin(), langs.end(), lang) == langs.end()) langs.push_back(lang);
    if (static_cast<int>(langs.size()) > options_.max_lang_sets) {
      lock.unlock();
      EvictIdle(std::nullopt, wanted);  // sets no admitted job wants
      lock.lock();
    }
    if (!loaded) {
      auto known = engine_cost_.find(key);
      const int64_t languages = 1 + std::count(lang.begin(), lang.end(), '+');
      const bool tesseract =
          settings.engine.kind == "tesseract" || settings.engine.kind == "auto";
      engine_bytes = known != engine_cost_.end() ? known->second
                     : tesseract                 ? default_engine_cost_ * languages
                                                 : 0;
    }
  }
  const int64_t need = engine_bytes + first_page_bytes;
  if (need <= 0) return Rejection::kNone;
  // The check only (see Submit); idle engines of other sets make room if needed.
  if (budget_.TryReserve(need, "admission").ok()) return Rejection::kNone;
  if (EvictIdle(std::nullopt, {}) > 0 && budget_.TryReserve(need, "admission").ok())
    return Rejection::kNone;
  *message = engine_bytes > 0 ? "the engine for lang=" + lang + " (about " +
                                    FormatBytes(engine_bytes) + ") and the first page (" +
                                    FormatBytes(first_page_bytes) +
                                    ") do not fit the memory budget now"
                              : "the first page needs " + FormatBytes(first_page_bytes) +
                                    " and the memory budget has no room now";
  return Rejection::kMemory;
}

void PageService::Settle(const std::shared_ptr<Job>& job) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = running_.find(job->id());
    if (it == running_.end()) return;
    JobProgress& p = it->second;
    ++p.settled;
    if (p.settled < p.job->page_count() &&
        !(job->cancel_requested() && p.settled == p.fed))
      return;
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
  {
    std::lock_guard<std::mutex> lock(engines_mu_);
    for (const std::unique_ptr<WorkerEngines>& w : engines_)
      s.engines_loaded += static_cast<int>(w->loaded.size());
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
    // With a state directory every job known stays on disk for the next start.
    if (store_) {
      for (auto& [id, job] : by_id_) job->KeepFiles();
    }
    for (auto& [id, p] : running_) p.job->RequestCancel();
  }
  feed_cv_.notify_all();
  reap_cv_.notify_all();
  pages_.Close();
  budget_.Close();
  for (std::thread& t : threads_) t.join();
  threads_.clear();
  governor_.Stop();
  std::lock_guard<std::mutex> lock(mu_);
  while (!running_.empty()) FinishLocked(running_.begin(), JobState::kCancelled);
}

}  // namespace pageflow
