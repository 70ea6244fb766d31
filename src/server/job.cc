#include "server/job.h"

#include <fcntl.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

namespace pageflow {

using nlohmann::json;

std::string_view JobStateName(JobState state) {
  switch (state) {
    case JobState::kQueued: return "queued";
    case JobState::kRunning: return "running";
    case JobState::kDone: return "done";
    case JobState::kCancelled: return "cancelled";
  }
  return "unknown";
}

Job::Job(std::string id, std::string filename, std::string upload_path, std::string result_path,
         int page_count, JobSettings settings)
    : id_(std::move(id)),
      filename_(std::move(filename)),
      upload_path_(std::move(upload_path)),
      result_path_(std::move(result_path)),
      page_count_(page_count),
      settings_(std::move(settings)) {
  // Created 0600 like the upload: results are the user's document text.
  const int fd = open(result_path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd >= 0) close(fd);
  out_.open(result_path_, std::ios::binary | std::ios::trunc);
}

Job::~Job() {
  out_.close();
  if (owns_upload_) unlink(upload_path_.c_str());
  unlink(result_path_.c_str());
}

void Job::WriteLocked(const PageRecord& r) {
  if (!r.error.empty()) ++pages_failed_;
  out_ << PageRecordJson(r) << '\n';
  out_.flush();  // readers follow the file
}

void Job::OnPageDone(PageRecord record) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (cancel_ || state_ == JobState::kDone || state_ == JobState::kCancelled) return;
    if (record.page != next_page_) {
      early_.emplace(record.page, std::move(record));
      return;
    }
    // Small writes of one page's text; the lock keeps lines whole and in order.
    WriteLocked(record);
    ++next_page_;
    for (auto it = early_.find(next_page_); it != early_.end(); it = early_.find(next_page_)) {
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
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (state_ == JobState::kDone || state_ == JobState::kCancelled) return;
    state_ = cancel_ ? JobState::kCancelled : state;
    early_.clear();
    out_.close();
    finished_at_ = Clock::now();
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
    return next_page_ - 1 > lines_seen || state_ == JobState::kDone || state_ == JobState::kCancelled;
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
  s.seconds = std::chrono::duration<double>((over ? finished_at_ : Clock::now()) - admitted_).count();
  s.engine = settings_.engine.kind;
  s.admission_bytes = admission_bytes_;
  return s;
}

std::string Job::SummaryJson() const {
  const JobSnapshot s = Snapshot();
  json j = {{"type", "summary"},  {"id", s.id},           {"status", JobStateName(s.state)},
            {"pages", s.pages},   {"pages_done", s.pages_done}, {"pages_failed", s.pages_failed},
            {"seconds", s.seconds}, {"engine", s.engine}};
  return j.dump(-1, ' ', false, json::error_handler_t::replace);
}

}  // namespace pageflow
