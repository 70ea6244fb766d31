#include "server/server.h"

#include <fcntl.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <nlohmann/json.hpp>
#include <regex>

#include "base/log.h"
#include "input/format.h"
#include "server/web_assets.h"

namespace pageflow {
namespace {

using nlohmann::json;
using Clock = std::chrono::steady_clock;

// How often a response waiting for pages checks that its client is still there.
constexpr std::chrono::milliseconds kClientCheck{200};
// Multipart framing (boundaries, part headers) allowed on top of --max-upload.
constexpr int64_t kMultipartSlack = 64 << 10;

void SetError(HttpResponse& res, int status, const std::string& code, const std::string& message) {
  res.status = status;
  res.content_type = "application/json";
  res.body = json{{"error", {{"code", code}, {"message", message}}}}.dump(-1, ' ', false,
                                                                          json::error_handler_t::replace);
}

// The one place a Status becomes an HTTP status (STYLE: errors).
void SetStatusError(HttpResponse& res, const Status& st) {
  switch (st.code()) {
    case StatusCode::kInvalidArgument: return SetError(res, 400, "invalid_argument", st.message());
    case StatusCode::kCorrupt: return SetError(res, 400, "corrupt", st.message());
    case StatusCode::kNotFound: return SetError(res, 404, "not_found", st.message());
    case StatusCode::kUnsupported: return SetError(res, 415, "unsupported", st.message());
    case StatusCode::kResourceExhausted: return SetError(res, 429, "over_capacity", st.message());
    case StatusCode::kCancelled: return SetError(res, 503, "cancelled", st.message());
    case StatusCode::kUnavailable: return SetError(res, 503, "unavailable", st.message());
    default: return SetError(res, 500, "internal", st.message());
  }
}

bool ConstantTimeEquals(const std::string& a, const std::string& b) {
  unsigned char diff = a.size() == b.size() ? 0 : 1;
  for (size_t i = 0; i < a.size(); ++i) diff |= static_cast<unsigned char>(a[i] ^ b[i % (b.empty() ? 1 : b.size())]);
  return diff == 0;
}

enum class ResultFormat { kNdjson, kJson, kText, kMarkdown };

StatusOr<ResultFormat> ParseResultFormat(const std::string& s) {
  if (s.empty() || s == "ndjson" || s == "jsonl") return ResultFormat::kNdjson;
  if (s == "json") return ResultFormat::kJson;
  if (s == "text" || s == "txt") return ResultFormat::kText;
  if (s == "markdown" || s == "md") return ResultFormat::kMarkdown;
  return InvalidArgument("unknown format '" + s + "' (use ndjson, json, text, markdown)");
}

std::string ContentTypeOf(ResultFormat f) {
  switch (f) {
    case ResultFormat::kNdjson: return "application/x-ndjson";
    case ResultFormat::kJson: return "application/json";
    case ResultFormat::kText: return "text/plain; charset=utf-8";
    case ResultFormat::kMarkdown: return "text/markdown; charset=utf-8";
  }
  return "application/octet-stream";
}

// Reads page lines from a job's result file as the job writes them.
class ResultReader {
 public:
  explicit ResultReader(const std::string& path) : in_(path, std::ios::binary) {}
  // The next complete line; the caller knows from the Job how many exist.
  bool Next(std::string* line) { return static_cast<bool>(std::getline(in_, *line)); }

 private:
  std::ifstream in_;
};

// Writes one page line in the requested format; `first` is true for the first page.
bool WritePage(ResultFormat f, const std::string& line, bool first, StreamSink& sink) {
  switch (f) {
    case ResultFormat::kNdjson: return sink.Write(line + "\n");
    case ResultFormat::kJson: return sink.Write((first ? "" : ",") + line);
    case ResultFormat::kText:
    case ResultFormat::kMarkdown: {
      const json page = json::parse(line, nullptr, false);
      if (page.is_discarded()) return false;
      const std::string number = std::to_string(page.value("page", 0));
      const std::string text = page.value("text", "");
      const std::string error = page.value("error", "");
      if (f == ResultFormat::kText) return sink.Write((first ? "" : "\f") + (error.empty() ? text + "\n" : ""));
      if (!error.empty()) return sink.Write("<!-- page " + number + " failed: " + error + " -->\n\n");
      return sink.Write("<!-- page " + number + " -->\n\n" + text + "\n\n");
    }
  }
  return false;
}

// Streams the job's result: page lines as they are written (in page order), then the
// summary. A client that goes away cancels the job when cancel_on_disconnect. Memory:
// one page's line at a time (bounded by what one page can hold); the result file on
// disk holds the rest, so a slow reader never makes the server buffer a document.
bool StreamResult(const std::shared_ptr<Job>& job, ResultFormat f, bool cancel_on_disconnect,
                  PageService* service, StreamSink& sink) {
  auto gone = [&] {
    if (cancel_on_disconnect) service->Cancel(job->id(), false);
    return false;
  };
  const bool follow = f == ResultFormat::kNdjson;  // others wait for the whole job
  if (!follow) {
    while (!job->finished()) {
      job->WaitForLines(job->page_count(), kClientCheck);
      if (!sink.IsOpen()) return gone();
    }
  }
  if (f == ResultFormat::kJson && !sink.Write("{\"summary\":" + job->SummaryJson() + ",\"pages\":[")) return gone();
  ResultReader reader(job->result_path());
  int sent = 0;
  std::string line;
  for (;;) {
    const bool was_finished = job->finished();
    const int written = job->WaitForLines(sent, kClientCheck);
    for (; sent < written; ++sent) {
      if (!reader.Next(&line)) return false;  // the file went away: give up
      if (!WritePage(f, line, sent == 0, sink)) return gone();
    }
    if (was_finished) break;  // everything written before it finished is sent
    if (!sink.IsOpen()) return gone();
  }
  if (f == ResultFormat::kNdjson) return sink.Write(job->SummaryJson() + "\n");
  if (f == ResultFormat::kJson) return sink.Write("]}");
  return true;
}

json SnapshotJson(const JobSnapshot& s) {
  return {{"id", s.id},         {"filename", s.filename},     {"status", JobStateName(s.state)},
          {"pages", s.pages},   {"pages_done", s.pages_done}, {"pages_failed", s.pages_failed},
          {"seconds", s.seconds}, {"engine", s.engine}};
}

bool IsAcceptedContentType(const std::string& type) {
  const std::string t = type.substr(0, type.find(';'));
  return t.empty() || t == "application/pdf" || t == "image/png" || t == "image/jpeg" || t == "image/tiff" ||
         t == "application/octet-stream" || t == "multipart/form-data";
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
SpoolResult Spool(const HttpRequest& req, const std::string& path, int64_t max_bytes, std::string* filename) {
  std::unique_ptr<int, FdCloser> fd(new int(open(path.c_str(), O_WRONLY | O_TRUNC | O_CLOEXEC)));
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

// 413 when the declared size is over the limit, 429 when the job queue is full: what
// can be refused without reading a byte of the body.
bool RefuseBeforeBody(const HttpRequest& req, HttpResponse& res, const PageService& service,
                      ServerMetrics& metrics, const ServerOptions& opts) {
  const int64_t limit = opts.max_upload_bytes + (req.multipart ? kMultipartSlack : 0);
  if (req.content_length > limit) {
    metrics.Rejected("too_large");
    SetError(res, 413, "too_large",
             "the document is " + FormatBytes(req.content_length) + "; this server accepts up to " +
                 FormatBytes(opts.max_upload_bytes));
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

}  // namespace

Server::Server(const ServerOptions& options) : options_(options) {}

Server::~Server() { Stop(); }

StatusOr<std::unique_ptr<Server>> Server::Create(const ServerOptions& options) {
  std::unique_ptr<Server> s(new Server(options));
  PF_ASSIGN_OR_RETURN(s->service_, PageService::Start(options.service, &s->metrics_));
  HttpServerOptions http = options.http;
  // A streaming response holds a thread for its whole job: every admissible job can
  // stream and a few threads stay for status, metrics and refusals.
  http.threads = std::max(http.threads, options.service.max_jobs + options.service.queue + 8);
  s->http_ = std::make_unique<HttpServer>(http);
  s->DeclareRoutes();
  return s;
}

StatusOr<int> Server::Bind() { return http_->Bind(); }
Status Server::Run() { return http_->Run(); }

void Server::Stop() {
  // Jobs first: streaming responses then end with a "cancelled" summary and free their
  // connection threads, which the listener joins when it stops.
  if (service_) service_->Shutdown();
  if (http_) http_->Stop();
}

void Server::DeclareRoutes() {
  HttpServer& http = *http_;
  PageService* service = service_.get();
  ServerMetrics* metrics = &metrics_;
  const ServerOptions& opts = options_;

  http.SetGate([&opts, metrics](HttpRequest& req, HttpResponse& res) {
    if (opts.token.empty()) return false;
    const bool guarded = req.path.rfind("/v1/", 0) == 0 || req.path == "/metrics";
    if (!guarded) return false;
    if (ConstantTimeEquals(req.Header("Authorization"), "Bearer " + opts.token)) return false;
    metrics->Rejected("unauthorized");
    SetError(res, 401, "unauthorized", "this server needs \"Authorization: Bearer TOKEN\"");
    res.AddHeader("WWW-Authenticate", "Bearer");
    return true;
  });

  http.SetResponseObserver([metrics](const HttpRequest&, int status) { metrics->Request(status); });

  // Refusals that need no body, sent before a client that asked "Expect: 100-continue"
  // (curl does for large uploads) sends it.
  http.SetExpectGate([service, metrics, &opts](HttpRequest& req, HttpResponse& res) {
    if (req.method != "POST" || (req.path != "/v1/ocr" && req.path != "/v1/jobs")) return false;
    return RefuseBeforeBody(req, res, *service, *metrics, opts);
  });

  http.Route("GET", "/healthz", [](HttpRequest&, HttpResponse& res) { res.body = "{\"status\":\"ok\"}"; });
  http.Route("GET", "/readyz", [service](HttpRequest&, HttpResponse& res) {
    if (service->HasRoom()) {
      res.body = "{\"status\":\"ready\"}";
    } else {
      SetError(res, 503, "saturated", "the job queue is full");
      res.AddHeader("Retry-After", "1");
    }
  });
  http.Route("GET", "/metrics", [service, metrics](HttpRequest&, HttpResponse& res) {
    res.SetText(200, metrics->Render(service->Stats()), "text/plain; version=0.0.4; charset=utf-8");
  });
  http.Route("GET", "/v1/status", [service, &opts](HttpRequest&, HttpResponse& res) {
    const PageServiceStats s = service->Stats();
    const PageServiceOptions& o = service->options();
    json j = {{"memory",
               {{"limit_bytes", s.budget.limit_bytes},
                {"reserved_bytes", s.budget.reserved_bytes},
                {"fixed_bytes", s.budget.fixed_bytes},
                {"peak_reserved_bytes", s.budget.peak_reserved_bytes},
                {"rss_bytes", s.rss_bytes},
                {"peak_rss_bytes", s.peak_rss_bytes}}},
              {"jobs", {{"waiting", s.jobs_waiting}, {"running", s.jobs_active}, {"capacity", s.queue_capacity}}},
              {"pages_queued", s.pages_queued},
              {"workers", {{"busy", s.workers_busy}, {"total", s.workers}}},
              {"defaults", {{"engine", o.defaults.engine.kind}, {"lang", o.defaults.engine.lang}, {"dpi", o.defaults.render.dpi}}},
              {"max_upload_bytes", opts.max_upload_bytes}};
    res.body = j.dump();
  });

  // Admission shared by POST /v1/ocr and POST /v1/jobs: validate, refuse early what can
  // be refused without reading the body, spool, then submit. Null when `res` holds an
  // error.
  auto admit = [service, metrics, &opts](HttpRequest& req, HttpResponse& res) -> std::shared_ptr<Job> {
    JobSettings settings = service->options().defaults;
    const std::string engine = req.Query("engine");
    if (!engine.empty()) {
      if (!IsKnownEngine(engine)) {
        SetError(res, 400, "invalid_argument", "unknown engine '" + engine + "' (use " + KnownEnginesList() + ")");
        return nullptr;
      }
      settings.engine.kind = engine;
    }
    const std::string lang = req.Query("lang");
    if (!lang.empty()) {
      if (!std::regex_match(lang, std::regex("[A-Za-z_]{2,20}(\\+[A-Za-z_]{2,20}){0,4}"))) {
        SetError(res, 400, "invalid_argument", "lang must look like eng or eng+deu");
        return nullptr;
      }
      settings.engine.lang = lang;
    }
    const std::string dpi = req.Query("dpi");
    if (!dpi.empty()) {
      const int v = std::atoi(dpi.c_str());
      if (v < 50 || v > 1200) {
        SetError(res, 400, "invalid_argument", "dpi must be between 50 and 1200");
        return nullptr;
      }
      settings.render.dpi = v;
    }
    if (!IsAcceptedContentType(req.Header("Content-Type"))) {
      metrics->Rejected("unsupported");
      SetError(res, 415, "unsupported",
               "unsupported content type '" + req.Header("Content-Type") +
                   "' (send application/pdf, image/png, image/jpeg, image/tiff or multipart field 'file')");
      return nullptr;
    }
    if (RefuseBeforeBody(req, res, *service, *metrics, opts)) return nullptr;
    StatusOr<std::string> path = service->NewSpoolFile();
    if (!path.ok()) {
      SetStatusError(res, path.status());
      return nullptr;
    }
    SpoolFile spool(*path);
    std::string filename = req.Query("filename");
    const Clock::time_point t0 = Clock::now();
    switch (Spool(req, spool.path(), opts.max_upload_bytes, &filename)) {
      case SpoolResult::kOk: break;
      case SpoolResult::kTooLarge:
        metrics->Rejected("too_large");
        SetError(res, 413, "too_large", "the document exceeds " + FormatBytes(opts.max_upload_bytes));
        res.close_connection = true;  // the rest of the body is not read
        return nullptr;
      case SpoolResult::kNoFile:
        SetError(res, 400, "invalid_argument", "no document: send it as the body or as multipart field 'file'");
        return nullptr;
      case SpoolResult::kBroken:
        SetError(res, 400, "bad_request", "the request body could not be read");
        res.close_connection = true;
        return nullptr;
    }
    metrics->UploadSeconds(std::chrono::duration<double>(Clock::now() - t0).count());
    if (filename.empty()) filename = "document";
    StatusOr<DocumentFormat> format = DetectFormat(spool.path());
    Rejection why = Rejection::kNone;
    StatusOr<std::shared_ptr<Job>> job =
        format.ok() ? service->Submit(spool.path(), filename, settings, &why) : StatusOr<std::shared_ptr<Job>>(format.status());
    if (!job.ok()) {
      const Status& st = job.status();
      if (why == Rejection::kQueueFull || why == Rejection::kMemory) {
        const char* reason = why == Rejection::kQueueFull ? "queue_full" : "memory";
        metrics->Rejected(reason);
        SetError(res, 429, reason, st.message());
        res.AddHeader("Retry-After", "1");
      } else {
        if (st.code() == StatusCode::kUnsupported) metrics->Rejected("unsupported");
        if (st.code() == StatusCode::kCorrupt) metrics->Rejected("corrupt");
        SetStatusError(res, st.WithContext(filename));
      }
      return nullptr;
    }
    spool.Release();  // the job owns the upload now
    return *job;
  };

  http.Route("POST", "/v1/ocr", [service, admit](HttpRequest& req, HttpResponse& res) {
    StatusOr<ResultFormat> format = ParseResultFormat(req.Query("format"));
    if (!format.ok()) return SetStatusError(res, format.status());
    std::shared_ptr<Job> job = admit(req, res);
    if (!job) return;
    const ResultFormat f = *format;
    res.status = 200;
    res.content_type = ContentTypeOf(f);
    res.AddHeader("X-Job-Id", job->id());
    res.stream = [job, f, service](StreamSink& sink) { return StreamResult(job, f, true, service, sink); };
  });

  http.Route("POST", "/v1/jobs", [admit](HttpRequest& req, HttpResponse& res) {
    std::shared_ptr<Job> job = admit(req, res);
    if (!job) return;
    res.status = 202;
    res.AddHeader("Location", "/v1/jobs/" + job->id());
    json j = SnapshotJson(job->Snapshot());
    j["result"] = "/v1/jobs/" + job->id() + "/result";
    res.body = j.dump(-1, ' ', false, json::error_handler_t::replace);
  });

  const std::string job_path = "/v1/jobs/([0-9a-f]{16})";
  http.Route("GET", job_path, [service](HttpRequest& req, HttpResponse& res) {
    std::shared_ptr<Job> job = service->Find(req.path_params.at(0));
    if (!job) return SetError(res, 404, "not_found", "no such job (unknown or expired)");
    res.body = SnapshotJson(job->Snapshot()).dump(-1, ' ', false, json::error_handler_t::replace);
  });
  http.Route("GET", job_path + "/result", [service](HttpRequest& req, HttpResponse& res) {
    std::shared_ptr<Job> job = service->Find(req.path_params.at(0));
    if (!job) return SetError(res, 404, "not_found", "no such job (unknown or expired)");
    StatusOr<ResultFormat> format = ParseResultFormat(req.Query("format"));
    if (!format.ok()) return SetStatusError(res, format.status());
    if (!job->finished()) {
      return SetError(res, 409, "not_finished", "the job is still " + std::string(JobStateName(job->Snapshot().state)));
    }
    const ResultFormat f = *format;
    res.content_type = ContentTypeOf(f);
    if (req.Query("download") == "1") {
      const char* ext = f == ResultFormat::kMarkdown ? "md" : f == ResultFormat::kText ? "txt" : f == ResultFormat::kJson ? "json" : "jsonl";
      res.AddHeader("Content-Disposition", "attachment; filename=\"" + job->id() + "." + ext + "\"");
    }
    res.stream = [job, f, service](StreamSink& sink) { return StreamResult(job, f, false, service, sink); };
  });
  http.Route("DELETE", job_path, [service](HttpRequest& req, HttpResponse& res) {
    const std::string id = req.path_params.at(0);
    std::shared_ptr<Job> job = service->Find(id);
    if (!job || !service->Cancel(id, true)) return SetError(res, 404, "not_found", "no such job (unknown or expired)");
    json j = SnapshotJson(job->Snapshot());
    j["deleted"] = true;
    res.body = j.dump(-1, ' ', false, json::error_handler_t::replace);
  });

  http.Route("GET", "/", [](HttpRequest&, HttpResponse& res) {
    const WebAsset* a = FindWebAsset("index.html");
    if (a == nullptr) return SetError(res, 404, "not_found", "the web UI is not built in");
    res.SetText(200, std::string(reinterpret_cast<const char*>(a->data), a->size), a->content_type);
  });
  http.Route("GET", "/ui/([A-Za-z0-9_.-]+)", [](HttpRequest& req, HttpResponse& res) {
    const WebAsset* a = FindWebAsset(req.path_params.at(0));
    if (a == nullptr) return SetError(res, 404, "not_found", "no such file");
    res.SetText(200, std::string(reinterpret_cast<const char*>(a->data), a->size), a->content_type);
    res.AddHeader("Cache-Control", "no-cache");
  });
  // Any other POST: answered without reading its body (the library would buffer it).
  http.Route("POST", "/.*", [](HttpRequest& req, HttpResponse& res) {
    SetError(res, 404, "not_found", "no such endpoint: POST " + req.path);
  });
}

}  // namespace pageflow
