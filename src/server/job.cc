#include "server/job.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <nlohmann/json.hpp>

#include "base/log.h"
#include "server/job_store.h"

namespace pageflow {

using nlohmann::json;

std::string_view JobStateName(JobState state) {
  switch (state) {
    case JobState::kQueued:
      return "queued";
    case JobState::kRunning:
      return "running";
    case JobState::kDone:
      return "done";
    case JobState::kCancelled:
      return "cancelled";
  }
  return "unknown";
}

Job::Job(std::string id, std::string filename, std::string upload_path,
         std::string result_path, int page_count, JobSettings settings, JobStore* store)
    : id_(std::move(id)),
      filename_(std::move(filename)),
      upload_path_(std::move(upload_path)),
      result_path_(std::move(result_path)),
      page_count_(page_count),
      settings_(std::move(settings)),
      store_(store) {
  // Created 0600 like the upload: results are the user's document text.
  const int fd =
      open(result_path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd >= 0) close(fd);
  out_.open(result_path_, std::ios::binary | std::ios::trunc);
}

Job::Job(const StoredJob& stored, std::vector<PageRecord> saved, JobStore* store)
    : id_(stored.id),
      filename_(stored.filename),
      upload_path_(stored.upload_path),
      result_path_(stored.result_path),
      page_count_(stored.pages),
      settings_(stored.settings),
      store_(store) {
  const std::time_t now = std::time(nullptr);
  admitted_wall_ = stored.admitted;
  if (stored.state == JobState::kDone || stored.state == JobState::kCancelled) {
    state_ = stored.state;
    next_page_ = stored.pages_done + 1;
    pages_failed_ = stored.pages_failed;
    finished_wall_ = stored.finished;
    finished_at_ = Clock::now() -
                   std::chrono::seconds(std::max<std::time_t>(0, now - stored.finished));
    admitted_ = finished_at_ - std::chrono::duration_cast<Clock::duration>(
                                   std::chrono::duration<double>(stored.seconds));
    // A done job's upload is kept for its page images (deleted with the Job); a
    // cancelled one's was deleted when it finished.
    owns_upload_ = stored.state == JobState::kDone;
    return;
  }
  admitted_ = Clock::now() -
              std::chrono::seconds(std::max<std::time_t>(0, now - stored.admitted));
  const int fd =
      open(result_path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd >= 0) close(fd);
  out_.open(result_path_, std::ios::binary | std::ios::trunc);
  for (const PageRecord& r : saved) {
    if (!r.error.empty()) ++pages_failed_;
    AppendLineLocked(r);
    ++next_page_;
  }
  out_.flush();
}

Job::~Job() {
  out_.close();
  if (keep_files_) return;  // the server stops; the job is back after a restart
  if (owns_upload_) unlink(upload_path_.c_str());
  unlink(result_path_.c_str());
  if (store_ != nullptr) store_->Remove(id_);
}

int Job::DocumentPage(int index) const {
  for (const PageRange& r : settings_.pages) {
    if (index < r.size()) return r.first + index;
    index -= r.size();
  }
  return index;  // no selection: every page
}

int Job::IndexOf(int document_page) const {
  if (settings_.pages.empty()) return document_page;
  int index = 0;
  for (const PageRange& r : settings_.pages) {
    if (document_page <= r.last) return index + std::max(0, document_page - r.first);
    index += r.size();
  }
  return index;
}

void Job::AppendLineLocked(const PageRecord& r) {
  if (lines_ % kLinesPerCheckpoint == 0) checkpoints_.push_back(bytes_);
  const std::string line = PageRecordJson(r);
  out_ << line << '\n';
  bytes_ += static_cast<int64_t>(line.size()) + 1;
  ++lines_;
}

Job::LineStart Job::LineStartFor(int index) const {
  std::lock_guard<std::mutex> lock(mu_);
  const size_t k =
      std::min(checkpoints_.size(),
               static_cast<size_t>(std::max(0, index) / kLinesPerCheckpoint + 1));
  if (k == 0) return {};
  return {static_cast<int>(k - 1) * kLinesPerCheckpoint, checkpoints_[k - 1]};
}

void Job::WriteLocked(const PageRecord& r) {
  if (!r.error.empty()) ++pages_failed_;
  AppendLineLocked(r);
  out_.flush();  // readers follow the file
  if (store_ == nullptr) return;
  // Saved range by range, as `run` does, so that a killed server goes on from there.
  range_.push_back(r);
  // Ranges of the job's pages by index: with pages= they are not the document's.
  if (next_page_ % JobStore::kRangePages != 0 && next_page_ != page_count_) return;
  const int first = next_page_ - static_cast<int>(range_.size());  // 0-based
  Status st = store_->SaveRange(id_, PageRange{first, next_page_ - 1}, range_);
  if (!st.ok()) LogWarning("job " + id_ + ": cannot save pages: " + st.message());
  range_.clear();
}

void Job::OnPageDone(PageRecord record) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (cancel_ || state_ == JobState::kDone || state_ == JobState::kCancelled) return;
    const int index = IndexOf(record.page - 1) + 1;
    if (index != next_page_) {
      early_.emplace(index, std::move(record));
      return;
    }
    // Small writes of one page's text; the lock keeps lines whole and in order.
    WriteLocked(record);
    ++next_page_;
    for (auto it = early_.find(next_page_); it != early_.end();
         it = early_.find(next_page_)) {
      WriteLocked(it->second);
      early_.erase(it);
      ++next_page_;
    }
  }
  cv_.notify_all();
}

void Job::MarkRunning() {
  std::lock_guard<std::mutex> lock(mu_);
  if (state_ == JobState::kQueued) state_ = JobState::kRunning;
}

void Job::Finish(JobState state) {
  // Before readers can see the end. A done job's upload stays until ~Job: its pages'
  // images are rendered from it. Kept for a restart when the server stops.
  const bool cancelled = state == JobState::kCancelled || cancel_requested();
  if (owns_upload_ && cancelled && !keep_files_) unlink(upload_path_.c_str());
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (state_ == JobState::kDone || state_ == JobState::kCancelled) return;
    state_ = cancel_ ? JobState::kCancelled : state;
    early_.clear();
    range_.clear();
    out_.close();
    finished_at_ = Clock::now();
    finished_wall_ = std::time(nullptr);
  }
  if (store_ != nullptr && !keep_files_) {
    // On disk before the state directory says the job is finished.
    const int fd = open(result_path_.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd >= 0) {
      fsync(fd);
      close(fd);
    }
  }
  cv_.notify_all();
}

bool Job::cancel_requested() const {
  std::lock_guard<std::mutex> lock(mu_);
  return cancel_;
}

void Job::RequestCancel() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (state_ == JobState::kDone || state_ == JobState::kCancelled) return;
    cancel_ = true;
    cancel_flag_ = true;
  }
  cv_.notify_all();
}

int Job::WaitForLines(int lines_seen, std::chrono::milliseconds timeout) {
  std::unique_lock<std::mutex> lock(mu_);
  cv_.wait_for(lock, timeout, [&] {
    return next_page_ - 1 > lines_seen || state_ == JobState::kDone ||
           state_ == JobState::kCancelled;
  });
  return next_page_ - 1;
}

bool Job::finished() const {
  std::lock_guard<std::mutex> lock(mu_);
  return state_ == JobState::kDone || state_ == JobState::kCancelled;
}

Job::Clock::time_point Job::finished_at() const {
  std::lock_guard<std::mutex> lock(mu_);
  return finished_at_;
}

JobSnapshot Job::Snapshot() const {
  std::lock_guard<std::mutex> lock(mu_);
  JobSnapshot s;
  s.id = id_;
  s.filename = filename_;
  s.state = state_;
  s.pages = page_count_;
  s.pages_done = next_page_ - 1;
  s.pages_failed = pages_failed_;
  const bool over = state_ == JobState::kDone || state_ == JobState::kCancelled;
  s.seconds =
      std::chrono::duration<double>((over ? finished_at_ : Clock::now()) - admitted_)
          .count();
  s.engine = settings_.engine.kind;
  s.admission_bytes = admission_bytes_;
  return s;
}

StoredJob Job::Stored() const {
  const JobSnapshot s = Snapshot();
  StoredJob j;
  j.id = id_;
  j.filename = filename_;
  j.upload_path = upload_path_;
  j.result_path = result_path_;
  j.pages = page_count_;
  j.settings = settings_;
  j.state = s.state == JobState::kRunning ? JobState::kQueued : s.state;
  j.admitted = admitted_wall_;
  {
    std::lock_guard<std::mutex> lock(mu_);
    j.finished = finished_wall_;
  }
  j.seconds = s.seconds;
  j.pages_done = s.pages_done;
  j.pages_failed = s.pages_failed;
  j.admission_bytes = admission_bytes_;
  j.document_pages = document_pages();
  return j;
}

std::string Job::SummaryJson() const {
  const JobSnapshot s = Snapshot();
  json j = {{"type", "summary"},
            {"id", s.id},
            {"status", JobStateName(s.state)},
            {"pages", s.pages},
            {"pages_done", s.pages_done},
            {"pages_failed", s.pages_failed},
            {"seconds", s.seconds},
            {"engine", s.engine}};
  return j.dump(-1, ' ', false, json::error_handler_t::replace);
}

}  // namespace pageflow
