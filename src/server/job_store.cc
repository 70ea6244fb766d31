#include "server/job_store.h"

#include <fcntl.h>
#include <stdlib.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <set>
#include <system_error>

#include "base/log.h"
#include "output/atomic_file.h"
#include "pipeline/page_selection.h"

namespace pageflow {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

// Range files belong to one job id (ids are random), so the fingerprint only says
// whose format they are.
constexpr const char* kFingerprint = "serve-job-v1";

std::string_view StoredStateName(JobState state) {
  switch (state) {
    case JobState::kDone:
      return "done";
    case JobState::kCancelled:
      return "cancelled";
    default:
      return "queued";
  }
}

json SettingsJson(const JobSettings& s) {
  return {{"engine", s.engine.kind},
          {"lang", s.engine.lang},
          {"dpi", s.render.dpi},
          {"max_dim", s.render.max_dim},
          {"layout", s.layout},
          {"boxes", s.boxes},
          {"pages", PageSelectionText(s.pages)}};
}

JobSettings SettingsFromJson(const json& j, const JobSettings& defaults) {
  JobSettings s = defaults;
  if (!j.is_object()) return s;
  s.engine.kind = j.value("engine", s.engine.kind);
  s.engine.lang = j.value("lang", s.engine.lang);
  s.render.dpi = j.value("dpi", s.render.dpi);
  s.render.max_dim = j.value("max_dim", s.render.max_dim);
  s.layout = j.value("layout", s.layout);
  s.boxes = j.value("boxes", s.boxes);
  StatusOr<std::vector<PageRange>> pages = ParsePageSelection(j.value("pages", ""));
  if (pages.ok()) s.pages = std::move(*pages);
  return s;
}

}  // namespace

StatusOr<std::unique_ptr<JobStore>> JobStore::Open(const std::string& dir) {
  std::error_code ec;
  const bool made = fs::create_directories(dir, ec);
  if (ec) return IoError("cannot create state directory " + dir + ": " + ec.message());
  if (made) chmod(dir.c_str(), 0700);  // uploads and results are the users' documents
  const std::string abs = fs::absolute(dir, ec).lexically_normal().string();
  for (const char* sub : {"/jobs", "/uploads"}) {
    fs::create_directories(abs + sub, ec);
    if (ec) return IoError("cannot create " + abs + sub + ": " + ec.message());
  }
  const std::string lock = abs + "/lock";
  const int fd = open(lock.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) return IoError("cannot open " + lock);
  if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
    close(fd);
    return Unavailable("state directory " + abs +
                       " is in use by another pageflow serve (--state-dir)");
  }
  StatusOr<Workspace> ws = Workspace::Open(abs, kFingerprint);
  if (!ws.ok()) {
    close(fd);
    return ws.status();
  }
  // Job files and saved ranges hold the documents' text too: only this user's.
  for (const char* sub : {"/jobs", "/uploads", "/results", "/.pageflow"})
    chmod((abs + sub).c_str(), 0700);
  return std::unique_ptr<JobStore>(new JobStore(abs, std::move(*ws), fd));
}

JobStore::~JobStore() {
  if (lock_fd_ >= 0) close(lock_fd_);  // releases the lock
}

StatusOr<std::string> JobStore::NewUploadFile() {
  std::string path = dir_ + "/uploads/upload-XXXXXX";
  const int fd = mkstemp(path.data());  // mode 0600
  if (fd < 0) return IoError("cannot create an upload file in " + dir_ + "/uploads");
  close(fd);
  return path;
}

std::string JobStore::ResultPath(const std::string& id) const {
  return dir_ + "/results/" + id + ".ndjson";
}

std::string JobStore::MetaPath(const std::string& id) const {
  return dir_ + "/jobs/" + id + ".json";
}

Status JobStore::Save(const StoredJob& j) {
  json doc = {{"id", j.id},
              {"filename", j.filename},
              {"upload", j.upload_path},
              {"result", j.result_path},
              {"pages", j.pages},
              {"settings", SettingsJson(j.settings)},
              {"state", StoredStateName(j.state)},
              {"admitted", static_cast<int64_t>(j.admitted)},
              {"admission_bytes", j.admission_bytes},
              {"document_pages", j.document_pages}};
  if (j.state == JobState::kDone || j.state == JobState::kCancelled) {
    doc["finished"] = static_cast<int64_t>(j.finished);
    doc["seconds"] = j.seconds;
    doc["pages_done"] = j.pages_done;
    doc["pages_failed"] = j.pages_failed;
  }
  return WriteFileAtomically(MetaPath(j.id),
                             doc.dump(-1, ' ', false, json::error_handler_t::replace));
}

std::vector<StoredJob> JobStore::Load(const JobSettings& defaults) const {
  std::vector<StoredJob> jobs;
  std::error_code ec;
  for (const fs::directory_entry& e : fs::directory_iterator(dir_ + "/jobs", ec)) {
    const std::string name = e.path().filename().string();
    if (e.path().extension() != ".json" || name.find(".tmp-") != std::string::npos)
      continue;
    StatusOr<std::string> data = ReadSmallFile(e.path().string());
    const json doc = data.ok() ? json::parse(*data, nullptr, false) : json();
    StoredJob j;
    const bool ok = doc.is_object() && doc.value("id", "") + ".json" == name &&
                    doc.value("pages", 0) > 0 && doc.contains("upload") &&
                    doc.contains("result");
    if (!ok) {
      LogWarning("state directory: skipping damaged job file " + e.path().string());
      continue;
    }
    j.id = doc["id"].get<std::string>();
    j.filename = doc.value("filename", "document");
    j.upload_path = doc.value("upload", "");
    j.result_path = doc.value("result", "");
    j.pages = doc.value("pages", 0);
    j.settings = SettingsFromJson(doc.value("settings", json::object()), defaults);
    const std::string state = doc.value("state", "queued");
    j.state = state == "done"        ? JobState::kDone
              : state == "cancelled" ? JobState::kCancelled
                                     : JobState::kQueued;
    j.admitted = static_cast<std::time_t>(doc.value("admitted", int64_t{0}));
    j.finished = static_cast<std::time_t>(doc.value("finished", int64_t{0}));
    j.seconds = doc.value("seconds", 0.0);
    j.pages_done = doc.value("pages_done", 0);
    j.pages_failed = doc.value("pages_failed", 0);
    j.admission_bytes = doc.value("admission_bytes", int64_t{0});
    j.document_pages = doc.value("document_pages", j.pages);
    jobs.push_back(std::move(j));
  }
  std::stable_sort(jobs.begin(), jobs.end(), [](const StoredJob& a, const StoredJob& b) {
    return a.admitted < b.admitted;
  });
  return jobs;
}

void JobStore::Remove(const std::string& id) {
  std::error_code ec;
  fs::remove(MetaPath(id), ec);
  DropRanges(id);
}

Status JobStore::SaveRange(const std::string& id, PageRange range,
                           const std::vector<PageRecord>& pages) {
  return ws_.WriteRange(id, range, pages);
}

std::vector<PageRecord> JobStore::SavedPages(const std::string& id,
                                             int page_count) const {
  std::vector<PageRecord> pages;
  for (int first = 0; first < page_count; first += kRangePages) {
    const PageRange range{first, std::min(first + kRangePages, page_count) - 1};
    StatusOr<std::vector<PageRecord>> saved = ws_.ReadRange(id, range);
    if (!saved.ok()) break;
    for (PageRecord& p : *saved) pages.push_back(std::move(p));
  }
  return pages;
}

void JobStore::DropRanges(const std::string& id) { ws_.Cleanup(id); }

int JobStore::RemoveUnreferenced(const std::vector<StoredJob>& kept) {
  std::set<std::string> files, ids;
  for (const StoredJob& j : kept) {
    files.insert(j.upload_path);
    files.insert(j.result_path);
    ids.insert(j.id);
  }
  int removed = 0;
  std::error_code ec;
  for (const char* sub : {"/uploads", "/results"}) {
    for (const fs::directory_entry& e : fs::directory_iterator(dir_ + sub, ec)) {
      if (files.count(e.path().string()) != 0) continue;
      removed += fs::remove(e.path(), ec) ? 1 : 0;
    }
  }
  for (const fs::directory_entry& e :
       fs::directory_iterator(dir_ + "/.pageflow/ranges", ec)) {
    if (ids.count(e.path().filename().string()) != 0) continue;
    removed += static_cast<int>(fs::remove_all(e.path(), ec));
  }
  RemoveStaleTemporaries(dir_);
  return removed;
}

}  // namespace pageflow
