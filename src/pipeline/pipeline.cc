#include "pipeline/pipeline.h"

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <thread>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "base/bounded_queue.h"
#include "base/governor.h"
#include "base/log.h"
#include "base/memory_budget.h"
#include "base/process_stats.h"
#include "input/document.h"
#include "input/input_walker.h"
#include "output/atomic_file.h"
#include "output/document_writer.h"
#include "output/workspace.h"
#include "pipeline/fixed_costs.h"
#include "pipeline/page_executor.h"
#include "pipeline/page_selection.h"
#include "pipeline/progress.h"
#include "pipeline/stdin_spool.h"

namespace pageflow {
namespace {

using Clock = std::chrono::steady_clock;

struct DocInfo {
  DocumentMeta meta;
  std::vector<bool> range_done;      // finished by an earlier run
  std::vector<bool> range_selected;  // RunOptions::select_range (all true without it)
  // Pages failed so far; the first kMaxLoggedPageErrors are logged, the record lists all.
  mutable std::atomic<int> page_errors{0};
};

// A document whose every page fails (a corrupt page tree) would log a line a page.
constexpr int kMaxLoggedPageErrors = 20;

struct PageJob {
  std::shared_ptr<const DocInfo> doc;
  int range_index = 0;
  int page = 0;  // 0-based
};

// What flows to the assembler: a document's start, its failure, or one page's outcome.
struct Event {
  enum class Kind { kDocStarted, kDocFailed, kPage } kind = Kind::kPage;
  std::shared_ptr<const DocInfo> doc;  // kDocStarted, kPage
  std::string path, id, error;         // kDocFailed
  int range_index = 0;
  PageRecord record;
  // kDocStarted: pages a stopped run finished in ranges it left unfinished (their
  // .partial files), by range index; the source queues only the rest.
  std::map<int, std::vector<PageRecord>> resumed;

  static Event Failed(std::string path, std::string id, std::string error) {
    Event e;
    e.kind = Kind::kDocFailed;
    e.path = std::move(path);
    e.id = std::move(id);
    e.error = std::move(error);
    return e;
  }
  static Event Started(std::shared_ptr<const DocInfo> doc) {
    Event e;
    e.kind = Kind::kDocStarted;
    e.doc = std::move(doc);
    return e;
  }
};

// A vlm run's results depend on the model, the prompt and the image size too.
std::string VlmFingerprint(const RunOptions& o) {
  if (o.engine.kind != "vlm" && !(o.engine.kind == "auto" && o.engine.auto_ocr == "vlm"))
    return "";
  return ";vlm_model=" + o.engine.vlm.model + ";vlm_prompt=" + o.engine.vlm.prompt +
         ";vlm_dim=" + std::to_string(o.engine.vlm.target_dim);
}

std::string Fingerprint(const RunOptions& o) {
  return "engine=" + o.engine.kind + ";lang=" + o.engine.lang +
         ";dpi=" + std::to_string(o.render.dpi) +
         ";max_dim=" + std::to_string(o.render.max_dim) +
         ";formats=" + (o.formats.jsonl ? "j" : "") + (o.formats.md ? "m" : "") +
         (o.formats.txt ? "t" : "") + (o.formats.hocr ? "h" : "") +
         (o.formats.alto ? "a" : "") + (o.formats.pdf ? "p" : "") +
         ";range=" + std::to_string(o.pages_per_range) +
         ";max_pages=" + std::to_string(o.max_pages) + ";ocr=" + o.engine.auto_ocr +
         ";models=" + o.engine.models_dir + ";tessdata=" + o.engine.tessdata_dir +
         ";layout=" + (o.layout ? "auto" : "none") + (o.formats.boxes ? ";boxes=1" : "") +
         VlmFingerprint(o) +
         (o.page_selection.empty() ? ""
                                   : ";pages=" + PageSelectionText(o.page_selection));
}

// Ids of the documents between the source's start and the assembler's last word on
// them. A path listed twice is recognized here while its first listing runs, and by
// its done marker after that: memory follows the documents in flight (bounded by the
// page queue), not the size of the collection.
class InFlightDocuments {
 public:
  bool Add(const std::string& id) {  // false if already in flight
    std::lock_guard<std::mutex> lock(mu_);
    return ids_.insert(id).second;
  }
  void Remove(const std::string& id) {
    std::lock_guard<std::mutex> lock(mu_);
    ids_.erase(id);
  }

 private:
  std::mutex mu_;
  std::unordered_set<std::string> ids_;
};

class Run {
 public:
  Run(const RunOptions& o, Workspace ws, MemoryBudget* budget,
      const std::atomic<bool>* stop)
      : options_(o),
        ws_(std::move(ws)),
        budget_(budget),
        stop_(stop),
        jobs_(static_cast<size_t>(o.workers)),
        events_(static_cast<size_t>(2 * o.workers + 4)) {}

  Status Execute(const std::vector<std::unique_ptr<Engine>>& engines,
                 RunSummary* summary);

 private:
  void Source();
  void Worker(Engine* engine);
  void Assemble(RunSummary* summary);
  void OnPage(Event& e, RunSummary* summary);
  Status Finish(const DocInfo& doc, RunSummary* summary);
  Status Complete(const DocInfo& doc, RunSummary* summary);
  void Report(const std::string& id, PageRange range, const Status& st) const {
    if (options_.on_range_done) options_.on_range_done(id, range, st);
  }
  void Monitor();
  void CountDocuments();
  void KeepFinishedPages();
  bool Stopping() const { return stop_ != nullptr && stop_->load(); }
  // INPUT "-": the standard input copied to StdinSpoolPath() (removed when the run ends).
  std::string StdinSpoolPath() const { return ws_.spill_dir() + "/spool/stdin"; }
  StatusOr<std::string> SpoolStdin();

  const RunOptions& options_;
  Workspace ws_;
  MemoryBudget* budget_;
  const std::atomic<bool>* stop_;
  BoundedQueue<PageJob> jobs_;
  BoundedQueue<Event> events_;
  RunCounters counters_;
  Clock::time_point start_ = Clock::now();
  std::mutex monitor_mu_;
  std::condition_variable monitor_cv_;
  bool finished_ = false;  // guarded by monitor_mu_
  std::atomic<bool> counting_cancelled_{false};
  std::atomic<bool> walker_exhausted_{false};  // the source reached the end of the inputs

  // Assembler state (assembler thread only): pages of ranges not yet complete.
  struct RangeProgress {
    std::vector<PageRecord> pages;
    std::vector<bool> have;
    int received = 0;
    // True once every page of `range` is here.
    bool Add(PageRange range, PageRecord record) {
      if (pages.empty()) {
        pages.resize(range.size());
        have.resize(range.size());
      }
      const int i = record.page - 1 - range.first;
      if (!have[i]) ++received;
      have[i] = true;
      pages[i] = std::move(record);
      return received == range.size();
    }
  };
  struct DocProgress {
    std::shared_ptr<const DocInfo> doc;
    int ranges_left = 0;
    std::unordered_map<int, RangeProgress> open;
  };
  std::unordered_map<std::string, DocProgress> docs_;
  InFlightDocuments in_flight_;  // the source adds, the assembler removes
  bool spooled_stdin_ = false;   // the source thread's, read after it is joined
};

void Run::Source() {
  InputWalker walker(options_.inputs);
  for (;;) {
    if (Stopping()) {
      // Stopped between documents: was that the last one?
      walker_exhausted_ = !walker.Next().has_value();
      return;
    }
    std::optional<InputItem> item = walker.Next();
    if (!item) {
      walker_exhausted_ = true;
      break;
    }
    if (!item->error.ok()) {
      events_.Push(Event::Failed(item->path, DocumentId(item->path),
                                 item->path + ": " + item->error.message()));
      continue;
    }
    std::string name = item->path;  // what the log and the record call it
    if (item->path == kStdinInput) {
      name = "stdin";
      StatusOr<std::string> spooled = SpoolStdin();
      if (!spooled.ok()) {
        events_.Push(Event::Failed(name, DocumentId(StdinSpoolPath()),
                                   name + ": " + spooled.status().message()));
        continue;
      }
      item->path = *spooled;
    }
    const std::string id = DocumentId(item->path);
    if (!in_flight_.Add(id)) continue;  // listed twice: the first listing is running
    ++counters_.documents_seen;
    const std::string stamp = SourceStamp(item->path);
    if (!options_.redo &&
        ws_.IsDone(id,
                   stamp)) {  // by an earlier run, or by this one under another listing
      in_flight_.Remove(id);
      ++counters_.documents_skipped;
      Report(id, PageRange{-1, -1}, Status::Ok());
      continue;
    }
    int pages = 0;
    std::vector<std::string> notes;
    ++counters_.documents_opened;
    {
      StatusOr<std::unique_ptr<Document>> doc = OpenDocument(item->path);
      if (!doc.ok()) {
        in_flight_.Remove(id);
        events_.Push(Event::Failed(name, id, name + ": " + doc.status().message()));
        continue;
      }
      pages = (*doc)->page_count();
      notes = (*doc)->notes();
      for (const std::string& note : notes) LogWarning(name + ": " + note);
    }  // closed: workers open their own
    auto info = std::make_shared<DocInfo>();
    std::string relative =
        options_.mirror_relative ? options_.mirror_relative(item->path) : "";
    if (relative.empty()) relative = item->relative;
    info->meta.id = id;
    info->meta.source_path = item->path;
    if (name != item->path) info->meta.source_name = name;
    info->meta.relative = relative;
    info->meta.page_count = pages;
    info->meta.engine = options_.engine.kind;
    info->meta.lang = options_.engine.lang;
    info->meta.max_page_error_rate = options_.max_page_error_rate;
    info->meta.points_dpi = options_.render.dpi;
    info->meta.notes = std::move(notes);
    info->meta.source_stamp = stamp;
    for (const PageRange& r : WorkRanges(pages, options_.page_selection,
                                         options_.max_pages, options_.pages_per_range)) {
      info->meta.ranges.push_back(r);
      const bool selected = !options_.select_range || options_.select_range(id, r);
      info->range_selected.push_back(selected);
      info->range_done.push_back(selected && !options_.redo &&
                                 ws_.HasRange(id, r, stamp));  // others: not our concern
    }
    // Only now are the ranges known: an empty list means the selection missed them all.
    if (!options_.page_selection.empty() && info->meta.ranges.empty()) {
      const std::string note =
          "none of the pages --pages " + PageSelectionText(options_.page_selection) +
          " selects is in this document (" + Plural(pages, "page") + ")";
      LogWarning(name + ": " + note);
      info->meta.notes.push_back(note);
    }
    for (size_t ri = 0; ri < info->meta.ranges.size(); ++ri) {
      if (info->range_selected[ri] && !info->range_done[ri]) {
        counters_.pages_known += info->meta.ranges[ri].size();
      }
    }
    // Pages an earlier run finished: whole ranges, and the pages of ranges a stop left
    // unfinished (at most pages_per_range - 1 records a range, in memory until the
    // assembler has them).
    std::map<int, std::vector<PageRecord>> resumed;
    int64_t already = 0;
    for (size_t ri = 0; ri < info->meta.ranges.size(); ++ri) {
      if (!info->range_selected[ri]) continue;
      if (info->range_done[ri]) {
        already += info->meta.ranges[ri].size();
        continue;
      }
      if (options_.redo) continue;
      StatusOr<std::vector<PageRecord>> part =
          ws_.ReadPartial(id, info->meta.ranges[ri], stamp);
      if (!part.ok() || part->empty()) continue;
      already += static_cast<int64_t>(part->size());
      counters_.pages_known -= static_cast<int64_t>(part->size());
      resumed[static_cast<int>(ri)] = std::move(*part);
    }
    if (already > 0) {
      LogInfo(name + ": resuming: " + Plural(already, "page") + " already done");
    }
    std::vector<std::vector<int>> skip(info->meta.ranges.size());
    for (const auto& [ri, pages] : resumed) {
      for (const PageRecord& p : pages) skip[ri].push_back(p.page - 1);
    }
    std::shared_ptr<const DocInfo> doc = info;
    Event started = Event::Started(doc);
    started.resumed = std::move(resumed);
    if (!events_.Push(std::move(started))) break;
    for (size_t ri = 0; ri < doc->meta.ranges.size() && !Stopping(); ++ri) {
      if (doc->range_done[ri] || !doc->range_selected[ri]) continue;
      for (int p = doc->meta.ranges[ri].first; p <= doc->meta.ranges[ri].last; ++p) {
        if (std::find(skip[ri].begin(), skip[ri].end(), p) != skip[ri].end()) continue;
        ++counters_.pages_queued;
        if (!jobs_.Push(PageJob{doc, static_cast<int>(ri), p})) return;
      }
    }
  }
}

StatusOr<std::string> Run::SpoolStdin() {
  const std::string path = StdinSpoolPath();
  std::error_code ec;
  std::filesystem::create_directories(std::filesystem::path(path).parent_path(), ec);
  if (ec) return IoError("cannot create spool directory: " + ec.message());
  spooled_stdin_ = true;
  PF_RETURN_IF_ERROR(SpoolStream(STDIN_FILENO, path, options_.max_stdin_bytes, budget_));
  return path;
}

void Run::Worker(Engine* engine) {
  // Each worker reads its own documents with a PDF library context of its own: no lock
  // shared with the other workers (see UseOwnPdfContext). The store charged for the run
  // is shared out: a part for each worker, one for the other threads (ChargeFixedCosts).
  UseOwnPdfContext(options_.pdf_store_bytes / (options_.workers + 1));
  PageExecutor executor(budget_);
  while (std::optional<PageJob> job = jobs_.Pop()) {
    if (Stopping()) continue;  // drain without work; the range stays unfinished
    const DocumentMeta& meta = job->doc->meta;
    PageWork work{meta.source_path,
                  job->page,
                  options_.render,
                  "page " + std::to_string(job->page + 1) + " of " + meta.name(),
                  stop_,
                  options_.layout,
                  KeepBoxes(options_.formats)};
    PageOutcome outcome = executor.Run(*engine, work);
    counters_.source_cpu_us += static_cast<int64_t>(outcome.source_cpu_seconds * 1e6);
    counters_.engine_cpu_us += static_cast<int64_t>(outcome.engine_cpu_seconds * 1e6);
    counters_.layout_cpu_us += static_cast<int64_t>(outcome.layout_cpu_seconds * 1e6);
    if (outcome.cancelled) continue;
    if (!outcome.record.error.empty()) {
      ++counters_.pages_failed;
      const int errors = ++job->doc->page_errors;
      if (errors <= kMaxLoggedPageErrors) {
        LogWarning(work.label + ": " + outcome.record.error);
      } else if (errors == kMaxLoggedPageErrors + 1) {
        LogWarning(meta.name() +
                   ": more pages failed; their errors are listed in the "
                   "record, not here");
      }
    }
    ++counters_.pages_done;
    if (outcome.record.error.empty() && LogEnabled(LogLevel::kDebug)) {
      char secs[32];
      std::snprintf(secs, sizeof secs, "%.2fs", outcome.record.seconds);
      LogDebug(work.label + ": done by " + outcome.record.engine + " in " + secs);
    }
    Event e;
    e.doc = job->doc;
    e.range_index = job->range_index;
    e.record = std::move(outcome.record);
    if (!events_.Push(std::move(e))) return;
  }
}

void Run::OnPage(Event& e, RunSummary* summary) {
  auto it = docs_.find(e.doc->meta.id);
  if (it == docs_.end()) return;
  DocProgress& dp = it->second;
  const PageRange range = dp.doc->meta.ranges[e.range_index];
  RangeProgress& rp = dp.open[e.range_index];
  if (!rp.Add(range, std::move(e.record))) return;
  Status st = ws_.WriteRange(dp.doc->meta.id, range, rp.pages, dp.doc->meta.source_stamp);
  dp.open.erase(e.range_index);
  ws_.RemovePartial(dp.doc->meta.id, range);
  if (!st.ok()) {
    LogError(dp.doc->meta.name() + ": " + st.message());
    ++summary->documents_failed;
    Report(dp.doc->meta.id, range, st);
    in_flight_.Remove(dp.doc->meta.id);
    docs_.erase(it);
    return;
  }
  if (--dp.ranges_left == 0) {
    std::shared_ptr<const DocInfo> doc = dp.doc;
    docs_.erase(it);
    st = Complete(*doc, summary);
    in_flight_.Remove(doc->meta.id);  // after its done marker is written
  }
  Report(e.doc->meta.id, range, st);
}

// With select_range, other processes may own the document's other ranges: the document
// is written by whoever finds all of its range files on disk (each writer checks after
// writing its own, so at least one sees them all; a second identical write is harmless).
Status Run::Complete(const DocInfo& doc, RunSummary* summary) {
  if (!options_.select_range) return Finish(doc, summary);
  if (ws_.IsDone(doc.meta.id)) {
    ws_.Cleanup(doc.meta.id);  // a late duplicate of a range whose document is written
    return Status::Ok();
  }
  // Newest ranges first: the ones still missing are usually the later ones.
  for (auto r = doc.meta.ranges.rbegin(); r != doc.meta.ranges.rend(); ++r) {
    if (!ws_.HasRange(doc.meta.id, *r, doc.meta.source_stamp)) return Status::Ok();
  }
  Status st = Finish(doc, summary);
  // A concurrent writer may have finished it first and removed the ranges under us.
  return (!st.ok() && ws_.IsDone(doc.meta.id)) ? Status::Ok() : st;
}

Status Run::Finish(const DocInfo& doc, RunSummary* summary) {
  if (const int errors = doc.page_errors.load(); errors > kMaxLoggedPageErrors) {
    LogWarning(doc.meta.name() + ": " + std::to_string(errors - kMaxLoggedPageErrors) +
               " more page errors not logged (" + std::to_string(errors) +
               " pages failed)");
  }
  DocumentSummary ds;
  Status st = WriteDocument(ws_, doc.meta, options_.formats, &ds, budget_);
  if (ds.over_error_rate) {
    // Reported failed, and its pages are dropped so that a re-run tries them again.
    LogError(doc.meta.name() + ": " + st.message());
    ++summary->documents_failed;
    ++counters_.documents_failed;
    // Also drops an earlier failure record: the new one is written after it.
    ws_.Cleanup(doc.meta.id);
    if (Status rf = ws_.RecordFailure(doc.meta.id, doc.meta.name(), st.message());
        !rf.ok()) {
      LogError(rf.message());
    }
    return st;  // a queue worker re-delivers the item (and dead-letters it in the end)
  }
  if (st.ok()) st = ws_.MarkDone(doc.meta.id, doc.meta.source_stamp);
  if (!st.ok()) {
    LogError(doc.meta.name() + ": cannot write results: " + st.message());
    ++summary->documents_failed;
    return st.WithContext(doc.meta.name() + ": cannot write results");
  }
  ws_.Cleanup(doc.meta.id);
  if (ds.no_text) LogWarning(doc.meta.name() + ": " + kNoTextNote);
  if (options_.on_document_written) options_.on_document_written(doc.meta, ws_);
  if (!ds.pdf_error.empty())
    LogWarning(doc.meta.name() + ": searchable PDF not written: " + ds.pdf_error);
  ++summary->documents;
  ++counters_.documents_done;
  if (ds.pages_failed > 0) ++summary->documents_with_failed_pages;
  return Status::Ok();
}

void Run::Assemble(RunSummary* summary) {
  while (std::optional<Event> e = events_.Pop()) {
    switch (e->kind) {
      case Event::Kind::kDocFailed:
        LogError(e->error);
        ++summary->documents_failed;
        ++counters_.documents_failed;
        if (Status st = ws_.RecordFailure(e->id, e->path, e->error); !st.ok())
          LogError(st.message());
        Report(e->id, PageRange{-1, -1}, Corrupt(e->error));
        break;
      case Event::Kind::kDocStarted: {
        int left = 0;
        for (size_t ri = 0; ri < e->doc->range_done.size(); ++ri) {
          left += (e->doc->range_done[ri] || !e->doc->range_selected[ri]) ? 0 : 1;
        }
        if (left == 0) {
          // Every (selected) range was done by an earlier run.
          const Status st = Complete(*e->doc, summary);
          in_flight_.Remove(e->doc->meta.id);
          for (size_t ri = 0; ri < e->doc->meta.ranges.size(); ++ri) {
            if (e->doc->range_selected[ri])
              Report(e->doc->meta.id, e->doc->meta.ranges[ri], st);
          }
          if (e->doc->meta.ranges.empty()) Report(e->doc->meta.id, PageRange{-1, -1}, st);
        } else {
          DocProgress& dp = docs_[e->doc->meta.id];
          dp = DocProgress{e->doc, left, {}};
          for (auto& [ri, pages] : e->resumed) {
            // Fewer than the range's pages (ReadPartial): the range stays open.
            for (PageRecord& p : pages)
              dp.open[ri].Add(e->doc->meta.ranges[ri], std::move(p));
          }
        }
        break;
      }
      case Event::Kind::kPage:
        OnPage(*e, summary);
        break;
    }
  }
  if (Stopping()) KeepFinishedPages();
}

// On a stop: the finished pages of ranges left unfinished go to .partial files, so that
// a re-run does only the rest.
void Run::KeepFinishedPages() {
  int64_t kept = 0;
  for (const auto& [id, dp] : docs_) {
    for (const auto& [ri, rp] : dp.open) {
      std::vector<PageRecord> pages;
      for (size_t i = 0; i < rp.pages.size(); ++i) {
        if (rp.have[i]) pages.push_back(rp.pages[i]);
      }
      if (pages.empty()) continue;
      Status st =
          ws_.WritePartial(id, dp.doc->meta.ranges[ri], pages, dp.doc->meta.source_stamp);
      if (!st.ok()) {
        LogError(dp.doc->meta.name() + ": cannot keep finished pages: " + st.message());
        continue;
      }
      kept += static_cast<int64_t>(pages.size());
    }
  }
  if (kept > 0)
    LogInfo("kept " + Plural(kept, "finished page") + " of unfinished ranges");
}

// Counts the documents of the inputs with a walker of its own (directory listings
// only, nothing opened), so that progress can say how many are not yet opened.
void Run::CountDocuments() {
  InputWalker walker(options_.inputs);
  int64_t n = 0;
  while (!Stopping() && !counting_cancelled_.load()) {
    std::optional<InputItem> item = walker.Next();
    if (!item) {
      counters_.documents_total = n;
      return;
    }
    if (item->error.ok()) ++n;
  }
}

void Run::Monitor() {
  // On a terminal with text logs: a line redrawn in place twice a second. Otherwise a
  // log line every progress_interval_seconds.
  const bool draw = options_.progress && isatty(STDERR_FILENO) &&
                    CurrentLogFormat() == LogFormat::kText;
  const double interval =
      options_.progress && !draw ? options_.progress_interval_seconds : 0;
  ProgressMeter meter;
  int tick = 0;
  double next_line = interval;
  std::unique_lock<std::mutex> lock(monitor_mu_);
  while (!monitor_cv_.wait_for(lock, std::chrono::milliseconds(100),
                               [&] { return finished_; })) {
    if (Stopping()) {
      // Unblock the source and waiting workers; finished ranges are already on disk.
      jobs_.Close();
      budget_->Close();
    }
    const double elapsed = std::chrono::duration<double>(Clock::now() - start_).count();
    ++tick;
    if (draw && tick % 5 == 0) {
      const ProgressSnapshot s = meter.Sample(counters_, elapsed);
      SetStatusLine(FormatProgress(s, budget_->Stats(), CurrentRssBytes()));
    } else if (interval > 0 && elapsed >= next_line) {
      next_line = elapsed + interval;
      const ProgressSnapshot s = meter.Sample(counters_, elapsed);
      const MemoryBudgetStats bs = budget_->Stats();
      const int64_t rss = CurrentRssBytes();
      LogEvent(LogLevel::kInfo, "progress", "progress: " + FormatProgress(s, bs, rss),
               ProgressJsonFields(s, bs, rss));
    } else if (tick % 5 == 0) {
      meter.Sample(counters_, elapsed);  // keeps the rate's window filled
    }
  }
  if (draw) SetStatusLine("");
  if (interval > 0) {
    // A last line with the final counts, so a log always ends with where the run got
    // (a run shorter than the interval has no other).
    const double elapsed = std::chrono::duration<double>(Clock::now() - start_).count();
    const ProgressSnapshot s = meter.Sample(counters_, elapsed);
    const MemoryBudgetStats bs = budget_->Stats();
    const int64_t rss = CurrentRssBytes();
    LogEvent(LogLevel::kInfo, "progress", "progress: " + FormatProgress(s, bs, rss),
             ProgressJsonFields(s, bs, rss));
  }
}

Status Run::Execute(const std::vector<std::unique_ptr<Engine>>& engines,
                    RunSummary* summary) {
  std::thread monitor([this] { Monitor(); });
  std::thread counter([this] { CountDocuments(); });
  std::thread source([this] {
    Source();
    counters_.source_finished = true;
    jobs_.Close();
  });
  std::vector<std::thread> workers;
  for (auto& engine : engines)
    workers.emplace_back([this, e = engine.get()] { Worker(e); });
  std::thread closer([&] {
    source.join();
    for (auto& w : workers) w.join();
    events_.Close();
  });
  Assemble(summary);
  closer.join();
  {
    std::lock_guard<std::mutex> lock(monitor_mu_);
    finished_ = true;
  }
  monitor_cv_.notify_all();
  monitor.join();
  counting_cancelled_ = true;
  counter.join();
  if (spooled_stdin_) unlink(StdinSpoolPath().c_str());
  summary->pages = counters_.pages_done.load();
  summary->pages_failed = counters_.pages_failed.load();
  summary->documents_skipped = counters_.documents_skipped.load();
  summary->source_cpu_seconds = counters_.source_cpu_us.load() / 1e6;
  summary->engine_cpu_seconds = counters_.engine_cpu_us.load() / 1e6;
  summary->layout_cpu_seconds = counters_.layout_cpu_us.load() / 1e6;
  // A stop that came after the last document was written leaves nothing to do.
  summary->interrupted = Stopping() && (!docs_.empty() || !walker_exhausted_.load());
  if (!engines.empty()) summary->engine_stats_json = engines.front()->StatsJson();
  return Status::Ok();
}

}  // namespace

PipelineHost::PipelineHost(int64_t limit_bytes)
    : budget_(std::make_unique<MemoryBudget>(
          limit_bytes > 0 ? limit_bytes : DefaultMemoryLimitBytes())) {}

StatusOr<const FixedCosts*> PipelineHost::Prepare(const RunOptions& options,
                                                  const std::atomic<bool>* stop) {
  // Engines that talk to a server own per-run state (its supervisor, metrics): never
  // reused.
  const bool reusable = options.engine.kind != "vlm" && options.engine.auto_ocr != "vlm";
  const EngineOptions& e = options.engine;
  const std::string key = e.kind + '\n' + e.auto_ocr + '\n' + e.lang + '\n' +
                          e.tessdata_dir + '\n' + e.models_dir + '\n' +
                          std::to_string(options.workers) + '\n' +
                          std::to_string(options.pdf_store_bytes);
  if (reusable && key == key_) return &fixed_;
  fixed_ = FixedCosts{};  // release the previous engines and their charges first
  key_.clear();
  RunOptions charged = options;
  charged.engine.vlm.stop = stop;  // a remote engine abandons its waits on Ctrl-C
  PF_ASSIGN_OR_RETURN(fixed_, ChargeFixedCosts(charged, *budget_));
  ++loads_;
  if (reusable) key_ = key;
  return &fixed_;
}

StatusOr<RunSummary> RunPipeline(const RunOptions& options,
                                 const std::atomic<bool>* stop) {
  PipelineHost host(options.memory_limit_bytes);
  return RunPipeline(options, stop, &host);
}

StatusOr<RunSummary> RunPipeline(const RunOptions& options, const std::atomic<bool>* stop,
                                 PipelineHost* host) {
  const Clock::time_point start = Clock::now();
  PF_ASSIGN_OR_RETURN(Workspace ws, Workspace::Open(options.out_dir, Fingerprint(options),
                                                    options.remove_stale_temporaries));
  MemoryBudget& budget = host->budget();
  const int64_t limit = budget.limit_bytes();
  Governor governor(&budget, GovernorOptions{});

  // Fixed costs first: MuPDF's store, then one engine per worker (kept for the whole
  // run).
  const int loads_before = host->loads();
  PF_ASSIGN_OR_RETURN(const FixedCosts* fixed_costs, host->Prepare(options, stop));
  const MemoryBudgetStats fixed = budget.Stats();
  // The engines loaded, once: a queue worker's later batches reuse them.
  const std::string engines = Plural(static_cast<int64_t>(fixed_costs->engines.size()),
                                     options.engine.kind + " engine");
  if (host->loads() != loads_before) {
    LogInfo("memory limit " + FormatBytes(limit) + "; fixed costs " +
            FormatBytes(fixed.fixed_bytes) + " (" + engines + " + PDF store); up to " +
            FormatBytes(budget.MaxSingleReservation()) + " per page");
  } else {
    LogDebug("reusing " + engines);
  }

  governor.Start();
  RunSummary summary;
  Run run(options, std::move(ws), &budget, stop);
  PF_RETURN_IF_ERROR(run.Execute(fixed_costs->engines, &summary));
  governor.Stop();
  const MemoryBudgetStats bs = budget.Stats();
  summary.wall_seconds = std::chrono::duration<double>(Clock::now() - start).count();
  summary.pages_per_second =
      summary.wall_seconds > 0 ? summary.pages / summary.wall_seconds : 0;
  summary.peak_rss_bytes = std::max(PeakRssBytes(), governor.Stats().peak_rss_bytes);
  summary.memory_limit_bytes = limit;
  summary.peak_reserved_bytes = bs.peak_reserved_bytes;
  summary.fixed_bytes = fixed.fixed_bytes;
  summary.budget_waits = bs.waits;
  summary.governor_trims = governor.Stats().trims;
  summary.workers = options.workers;
  summary.engine = options.engine.kind;
  if (!options.stats_path.empty()) {
    PF_RETURN_IF_ERROR(WriteFileAtomically(options.stats_path, summary.ToJson()));
  }
  return summary;
}

}  // namespace pageflow
