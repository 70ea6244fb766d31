#include "server/admission.h"

#include <fcntl.h>
#include <unistd.h>

#include <chrono>

#include "input/format.h"
#include "server/http_errors.h"
#include "server/job_settings.h"

namespace pageflow {
namespace {

using Clock = std::chrono::steady_clock;

// Multipart framing (boundaries, part headers) allowed on top of --max-upload.
constexpr int64_t kMultipartSlack = 64 << 10;

bool IsAcceptedContentType(const std::string& type) {
  const std::string t = type.substr(0, type.find(';'));
  return t.empty() || t == "application/pdf" || t == "image/png" || t == "image/jpeg" ||
         t == "image/tiff" || t == "application/octet-stream" ||
         t == "multipart/form-data";
}

// An owned spool file: deleted unless released to a job.
class SpoolFile {
 public:
  explicit SpoolFile(std::string path) : path_(std::move(path)) {}
  ~SpoolFile() {
    if (!path_.empty()) unlink(path_.c_str());
  }
  SpoolFile(const SpoolFile&) = delete;
  SpoolFile& operator=(const SpoolFile&) = delete;
  const std::string& path() const { return path_; }
  void Release() { path_.clear(); }

 private:
  std::string path_;
};

struct FdCloser {
  void operator()(const int* fd) const {
    if (fd != nullptr && *fd >= 0) close(*fd);
    delete fd;
  }
};

enum class SpoolResult { kOk, kTooLarge, kNoFile, kBroken };

// Copies the request body (or its multipart field "file") to `path` as it arrives.
SpoolResult Spool(const HttpRequest& req, const std::string& path, int64_t max_bytes,
                  std::string* filename) {
  std::unique_ptr<int, FdCloser> fd(
      new int(open(path.c_str(), O_WRONLY | O_TRUNC | O_CLOEXEC)));
  if (*fd < 0) return SpoolResult::kBroken;
  int64_t written = 0;
  bool too_large = false, write_failed = false;
  // Chunks are the library's receive buffer, written straight to the file: nothing of
  // the body accumulates in memory.
  auto sink = [&](const char* data, size_t size) {
    if (written + static_cast<int64_t>(size) > max_bytes) {
      too_large = true;
      return false;
    }
    for (size_t off = 0; off < size;) {
      const ssize_t n = write(*fd, data + off, size - off);
      if (n <= 0) {
        write_failed = true;
        return false;
      }
      off += static_cast<size_t>(n);
    }
    written += static_cast<int64_t>(size);
    return true;
  };
  bool ok;
  if (req.multipart) {
    bool in_file = false, seen_file = false;
    ok = req.ReadMultipart(
        [&](const std::string& name, const std::string& fname, const std::string&) {
          in_file = name == "file" && !seen_file;
          if (in_file) {
            seen_file = true;
            *filename = fname;
          }
          return true;
        },
        [&](const char* data, size_t size) { return in_file ? sink(data, size) : true; });
    if (ok && !seen_file) return SpoolResult::kNoFile;
  } else {
    ok = req.ReadBody(sink);
  }
  if (too_large) return SpoolResult::kTooLarge;
  if (!ok || write_failed) return SpoolResult::kBroken;
  return written == 0 ? SpoolResult::kNoFile : SpoolResult::kOk;
}

}  // namespace

bool RefuseBeforeBody(const HttpRequest& req, HttpResponse& res,
                      const PageService& service, ServerMetrics& metrics,
                      int64_t max_upload_bytes) {
  const int64_t limit = max_upload_bytes + (req.multipart ? kMultipartSlack : 0);
  if (req.content_length > limit) {
    metrics.Rejected("too_large");
    SetError(res, 413, "too_large",
             "the document is " + FormatBytes(req.content_length) +
                 "; this server accepts up to " + FormatBytes(max_upload_bytes));
    return true;
  }
  if (!service.HasRoom()) {
    metrics.Rejected("queue_full");
    SetError(res, 429, "queue_full", "the job queue is full; retry later");
    res.AddHeader("Retry-After", "1");
    return true;
  }
  return false;
}

std::shared_ptr<Job> Admit(HttpRequest& req, HttpResponse& res, PageService& service,
                           ServerMetrics& metrics, int64_t max_upload_bytes) {
  const OfferedEngines offered{[&](const std::string& k) { return service.Offers(k); },
                               service.OfferedList()};
  StatusOr<JobSettings> settings =
      ParseJobSettings([&](const std::string& k) { return req.Query(k); },
                       service.options().defaults, offered);
  if (!settings.ok()) {
    SetStatusError(res, settings.status());
    return nullptr;
  }
  if (!IsAcceptedContentType(req.Header("Content-Type"))) {
    metrics.Rejected("unsupported");
    SetError(res, 415, "unsupported",
             "unsupported content type '" + req.Header("Content-Type") +
                 "' (send application/pdf, image/png, image/jpeg, image/tiff or "
                 "multipart field 'file')");
    return nullptr;
  }
  if (RefuseBeforeBody(req, res, service, metrics, max_upload_bytes)) return nullptr;
  StatusOr<std::string> path = service.NewSpoolFile();
  if (!path.ok()) {
    SetStatusError(res, path.status());
    return nullptr;
  }
  SpoolFile spool(*path);
  std::string filename = req.Query("filename");
  const Clock::time_point t0 = Clock::now();
  switch (Spool(req, spool.path(), max_upload_bytes, &filename)) {
    case SpoolResult::kOk:
      break;
    case SpoolResult::kTooLarge:
      metrics.Rejected("too_large");
      SetError(res, 413, "too_large",
               "the document exceeds " + FormatBytes(max_upload_bytes));
      res.close_connection = true;  // the rest of the body is not read
      return nullptr;
    case SpoolResult::kNoFile:
      SetError(res, 400, "invalid_argument",
               "no document: send it as the body or as multipart field 'file'");
      return nullptr;
    case SpoolResult::kBroken:
      SetError(res, 400, "bad_request", "the request body could not be read");
      res.close_connection = true;
      return nullptr;
  }
  metrics.UploadSeconds(std::chrono::duration<double>(Clock::now() - t0).count());
  if (filename.empty()) filename = "document";
  StatusOr<DocumentFormat> format = DetectFormat(spool.path());
  Rejection why = Rejection::kNone;
  StatusOr<std::shared_ptr<Job>> job =
      format.ok() ? service.Submit(spool.path(), filename, *settings, &why)
                  : StatusOr<std::shared_ptr<Job>>(format.status());
  if (!job.ok()) {
    const Status& st = job.status();
    if (why == Rejection::kQueueFull || why == Rejection::kMemory ||
        why == Rejection::kLangSets) {
      const char* reason = why == Rejection::kQueueFull ? "queue_full"
                           : why == Rejection::kMemory  ? "memory"
                                                        : "lang_sets";
      metrics.Rejected(reason);
      SetError(res, 429, reason, st.message());
      res.AddHeader("Retry-After", "1");
    } else {
      if (st.code() == StatusCode::kUnsupported) metrics.Rejected("unsupported");
      if (st.code() == StatusCode::kCorrupt) metrics.Rejected("corrupt");
      SetStatusError(res, st.WithContext(filename));
    }
    return nullptr;
  }
  spool.Release();  // the job owns the upload now
  return *job;
}

}  // namespace pageflow
