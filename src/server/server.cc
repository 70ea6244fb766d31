#include "server/server.h"

#include <cstdio>
#include <nlohmann/json.hpp>

#include "base/log.h"
#include "base/parse_int.h"
#include "server/admission.h"
#include "server/http_errors.h"
#include "server/job_settings.h"
#include "server/page_image.h"
#include "server/result_stream.h"
#include "server/web_assets.h"

namespace pageflow {
namespace {

// One line per request: "GET /v1/jobs/3f2a 200 512 bytes 0.003s from 127.0.0.1"; with
// --log-format json the same as fields (method, path, status, bytes, seconds, client).
void LogRequest(const HttpRequest& req, const ResponseInfo& info) {
  if (!LogEnabled(LogLevel::kInfo)) return;
  const std::string method = req.method.empty() ? "-" : req.method;
  const std::string path = req.path.empty() ? "-" : req.path;
  char secs[32];
  std::snprintf(secs, sizeof secs, "%.3fs", info.seconds);
  nlohmann::json fields = {{"method", method},        {"path", path},
                           {"status", info.status},   {"bytes", info.bytes},
                           {"seconds", info.seconds}, {"client", req.remote_addr}};
  std::string f = fields.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  LogEvent(LogLevel::kInfo, "request",
           method + " " + path + " " + std::to_string(info.status) + " " +
               std::to_string(info.bytes) + " bytes " + secs +
               (req.remote_addr.empty() ? "" : " from " + req.remote_addr),
           std::string_view(f).substr(1, f.size() - 2));
}

using nlohmann::json;

bool ConstantTimeEquals(const std::string& a, const std::string& b) {
  unsigned char diff = a.size() == b.size() ? 0 : 1;
  for (size_t i = 0; i < a.size(); ++i)
    diff |= static_cast<unsigned char>(a[i] ^ b[i % (b.empty() ? 1 : b.size())]);
  return diff == 0;
}

std::string Dump(const json& j) {
  return j.dump(-1, ' ', false, json::error_handler_t::replace);
}

json SnapshotJson(const JobSnapshot& s) {
  return {{"id", s.id},
          {"filename", s.filename},
          {"status", JobStateName(s.state)},
          {"pages", s.pages},
          {"pages_done", s.pages_done},
          {"pages_failed", s.pages_failed},
          {"seconds", s.seconds},
          {"engine", s.engine},
          {"admission_bytes", s.admission_bytes}};
}

constexpr const char* kJobPath = "/v1/jobs/([0-9a-f]{16})";

}  // namespace

Server::Server(const ServerOptions& options) : options_(options) {}

Server::~Server() { Stop(); }

StatusOr<std::unique_ptr<Server>> Server::Create(const ServerOptions& options) {
  std::unique_ptr<Server> s(new Server(options));
  PF_ASSIGN_OR_RETURN(s->service_, PageService::Start(options.service, &s->metrics_));
  HttpServerOptions http = options.http;
  // A streaming response holds a thread for its whole job: every admissible job can
  // stream and a few threads stay for status, metrics and refusals.
  http.threads =
      std::max(http.threads, options.service.max_jobs + options.service.queue + 8);
  s->http_ = std::make_unique<HttpServer>(http);
  s->DeclareGates();
  s->DeclareProbes();
  s->DeclareJobRoutes();
  s->DeclarePageRoutes();
  s->DeclareWebRoutes();
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

// The bearer token, the response counter, and refusals sent before a client that asked
// "Expect: 100-continue" (curl does for large uploads) sends its body.
void Server::DeclareGates() {
  const ServerOptions& opts = options_;
  ServerMetrics* metrics = &metrics_;
  PageService* service = service_.get();
  http_->SetGate([&opts, metrics](HttpRequest& req, HttpResponse& res) {
    if (opts.token.empty()) return false;
    const bool guarded = req.path.rfind("/v1/", 0) == 0 || req.path == "/metrics";
    if (!guarded) return false;
    if (ConstantTimeEquals(req.Header("Authorization"), "Bearer " + opts.token))
      return false;
    metrics->Rejected("unauthorized");
    SetError(res, 401, "unauthorized",
             "this server needs \"Authorization: Bearer TOKEN\"");
    res.AddHeader("WWW-Authenticate", "Bearer");
    return true;
  });
  http_->SetResponseObserver([metrics](const HttpRequest& req, const ResponseInfo& info) {
    metrics->Request(info.status);
    LogRequest(req, info);
  });
  http_->SetExpectGate([service, metrics, &opts](HttpRequest& req, HttpResponse& res) {
    if (req.method != "POST" || (req.path != "/v1/ocr" && req.path != "/v1/jobs"))
      return false;
    return RefuseBeforeBody(req, res, *service, *metrics, opts.max_upload_bytes);
  });
}

// Health, readiness, metrics and status: answered from counters, never waiting on jobs.
void Server::DeclareProbes() {
  HttpServer& http = *http_;
  PageService* service = service_.get();
  ServerMetrics* metrics = &metrics_;
  const ServerOptions& opts = options_;
  http.Route("GET", "/healthz",
             [](HttpRequest&, HttpResponse& res) { res.body = "{\"status\":\"ok\"}"; });
  http.Route("GET", "/readyz", [service](HttpRequest&, HttpResponse& res) {
    if (service->HasRoom()) {
      res.body = "{\"status\":\"ready\"}";
    } else {
      SetError(res, 503, "saturated", "the job queue is full");
      res.AddHeader("Retry-After", "1");
    }
  });
  http.Route("GET", "/metrics", [service, metrics](HttpRequest&, HttpResponse& res) {
    res.SetText(200, metrics->Render(service->Stats()),
                "text/plain; version=0.0.4; charset=utf-8");
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
              {"jobs",
               {{"waiting", s.jobs_waiting},
                {"running", s.jobs_active},
                {"capacity", s.queue_capacity}}},
              {"pages_queued", s.pages_queued},
              {"engines_loaded", s.engines_loaded},
              {"workers", {{"busy", s.workers_busy}, {"total", s.workers}}},
              {"defaults",
               {{"engine", o.defaults.engine.kind},
                {"lang", o.defaults.engine.lang},
                {"dpi", o.defaults.render.dpi}}},
              {"engines", service->OfferedList()},
              {"max_upload_bytes", opts.max_upload_bytes}};
    res.body = j.dump();
  });
}

// The jobs API: synchronous OCR with a streamed result, and asynchronous jobs.
void Server::DeclareJobRoutes() {
  HttpServer& http = *http_;
  PageService* service = service_.get();
  ServerMetrics* metrics = &metrics_;
  const int64_t max_upload = options_.max_upload_bytes;

  http.Route("POST", "/v1/ocr",
             [service, metrics, max_upload](HttpRequest& req, HttpResponse& res) {
               StatusOr<ResultFormat> format = ParseResultFormat(req.Query("format"));
               if (!format.ok()) return SetStatusError(res, format.status());
               std::shared_ptr<Job> job = Admit(req, res, *service, *metrics, max_upload);
               if (!job) return;
               const ResultFormat f = *format;
               res.status = 200;
               res.content_type = ContentTypeOf(f);
               res.AddHeader("X-Job-Id", job->id());
               const ResultRequest what{f, job->settings().boxes};
               res.stream = [job, what, service](StreamSink& sink) {
                 return StreamResult(job, what, true, service, sink);
               };
             });
  http.Route("POST", "/v1/jobs",
             [service, metrics, max_upload](HttpRequest& req, HttpResponse& res) {
               std::shared_ptr<Job> job = Admit(req, res, *service, *metrics, max_upload);
               if (!job) return;
               res.status = 202;
               res.AddHeader("Location", "/v1/jobs/" + job->id());
               json j = SnapshotJson(job->Snapshot());
               j["result"] = "/v1/jobs/" + job->id() + "/result";
               res.body = Dump(j);
             });
  const std::string job_path = kJobPath;
  http.Route("GET", job_path, [service](HttpRequest& req, HttpResponse& res) {
    std::shared_ptr<Job> job = service->Find(req.path_params.at(0));
    if (!job) return SetError(res, 404, "not_found", "no such job (unknown or expired)");
    res.body = Dump(SnapshotJson(job->Snapshot()));
  });
  http.Route("GET", job_path + "/result", [service](HttpRequest& req, HttpResponse& res) {
    std::shared_ptr<Job> job = service->Find(req.path_params.at(0));
    if (!job) return SetError(res, 404, "not_found", "no such job (unknown or expired)");
    StatusOr<ResultFormat> format = ParseResultFormat(req.Query("format"));
    if (!format.ok()) return SetStatusError(res, format.status());
    if (!job->finished()) {
      return SetError(
          res, 409, "not_finished",
          "the job is still " + std::string(JobStateName(job->Snapshot().state)));
    }
    const ResultFormat f = *format;
    res.content_type = ContentTypeOf(f);
    if (req.Query("download") == "1") {
      res.AddHeader("Content-Disposition",
                    "attachment; filename=\"" + job->id() + "." + ExtensionOf(f) + "\"");
    }
    // The job's own boxes=1, or this request's.
    StatusOr<bool> boxes = ParseBoxesParameter(req.Query("boxes"), job->settings().boxes);
    if (!boxes.ok()) return SetStatusError(res, boxes.status());
    const ResultRequest what{f, *boxes};
    res.stream = [job, what, service](StreamSink& sink) {
      return StreamResult(job, what, false, service, sink);
    };
  });
  http.Route("DELETE", job_path, [service](HttpRequest& req, HttpResponse& res) {
    const std::string id = req.path_params.at(0);
    std::shared_ptr<Job> job = service->Find(id);
    if (!job || !service->Cancel(id, true))
      return SetError(res, 404, "not_found", "no such job (unknown or expired)");
    json j = SnapshotJson(job->Snapshot());
    j["deleted"] = true;
    res.body = Dump(j);
  });
  // Any other POST: answered without reading its body (the library would buffer it).
  http.Route("POST", "/.*", [](HttpRequest& req, HttpResponse& res) {
    SetError(res, 404, "not_found", "no such endpoint: POST " + req.path);
  });
}

namespace {

// The job and page a /v1/jobs/ID/pages/N path names: N is the page's number in the
// document (with pages= only the selected ones are); *index is its place among the
// job's pages. Null, with 404 set on `res`, when there is no such job or page.
std::shared_ptr<Job> PageOfJob(PageService* service, const HttpRequest& req,
                               HttpResponse& res, int* page, int* index) {
  std::shared_ptr<Job> job = service->Find(req.path_params.at(0));
  if (!job) {
    SetError(res, 404, "not_found", "no such job (unknown or expired)");
    return nullptr;
  }
  const std::string& asked = req.path_params.at(1);
  StatusOr<int> n = ParseIntStrict(asked, 1, 999999999);
  *index = n.ok() ? job->IndexOf(*n - 1) : 0;
  if (!n.ok() || *index >= job->page_count() || job->DocumentPage(*index) != *n - 1) {
    SetError(res, 404, "not_found",
             "job " + job->id() + " has no page " + asked + " (it has " +
                 std::to_string(job->page_count()) + ")");
    return nullptr;
  }
  *page = *n;
  return job;
}

void SetNotFinished(HttpResponse& res, const std::string& asked, const JobSnapshot& s) {
  SetError(res, 409, "not_finished",
           "page " + asked + " is not finished yet (" + std::to_string(s.pages_done) +
               " of " + std::to_string(s.pages) + " done)");
}

}  // namespace

// A finished page's record and its image, small, rendered from the job's upload when
// asked: the web UI shows them side by side, building a page only when it is scrolled
// near and dropping it when it is far, so a long job costs the browser a few pages.
// The image's raster and PNG are reserved from the budget without waiting: 429 when
// they do not fit now.
void Server::DeclarePageRoutes() {
  PageService* service = service_.get();
  const int ttl_s = options_.service.job_ttl_s;
  const std::string page_path = std::string(kJobPath) + "/pages/([0-9]{1,9})";
  http_->Route("GET", page_path, [service](HttpRequest& req, HttpResponse& res) {
    int page = 0, index = 0;
    std::shared_ptr<Job> job = PageOfJob(service, req, res, &page, &index);
    if (!job) return;
    const JobSnapshot snapshot = job->Snapshot();
    if (snapshot.pages_done <= index) {
      return SetNotFinished(res, req.path_params.at(1), snapshot);
    }
    // The job's own boxes=1, or this request's.
    StatusOr<bool> boxes = ParseBoxesParameter(req.Query("boxes"), job->settings().boxes);
    if (!boxes.ok()) return SetStatusError(res, boxes.status());
    StatusOr<std::string> line = ReadPageLine(*job, index, *boxes);
    if (!line.ok()) return SetError(res, 410, "gone", line.status().message());
    res.body = std::move(*line);
    res.content_type = "application/json";
  });
  http_->Route(
      "GET", page_path + "/image", [service, ttl_s](HttpRequest& req, HttpResponse& res) {
        int page = 0, index = 0;
        std::shared_ptr<Job> job = PageOfJob(service, req, res, &page, &index);
        if (!job) return;
        const std::string& asked = req.path_params.at(1);
        StatusOr<int> width = ParseIntStrict(req.Query("width", "800"), 16, 1 << 20);
        if (!width.ok()) return SetStatusError(res, width.status().WithContext("width"));
        const JobSnapshot snapshot = job->Snapshot();
        if (snapshot.state == JobState::kCancelled) {
          return SetError(res, 410, "gone",
                          "the job was cancelled and its upload removed");
        }
        if (snapshot.pages_done <= index) return SetNotFinished(res, asked, snapshot);
        const std::string label = "image of page " + asked + " of job " + job->id();
        StatusOr<PageImage> image = RenderPageImage(
            job->upload_path(), page - 1, std::min(*width, kMaxPageImageWidth),
            job->settings().render, service->budget(), label);
        if (!image.ok()) {
          const Status& st = image.status();
          if (st.code() == StatusCode::kNotFound) {
            return SetError(res, 410, "gone",
                            "the job's upload is gone: " + st.message());
          }
          if (st.code() == StatusCode::kResourceExhausted) {
            const MemoryBudgetStats b = service->budget()->Stats();
            if (b.reserved_bytes > b.fixed_bytes) {  // pages in flight hold the rest
              SetError(res, 429, "memory", label + ": " + st.message());
              res.AddHeader("Retry-After", "1");
              return;
            }
            return SetError(
                res, 503, "memory",
                label + " does not fit this server's memory limit: " + st.message());
          }
          return SetStatusError(res, st.WithContext(label));
        }
        res.content_type = "image/png";
        // The page's pixels do not change while the job is kept.
        res.AddHeader("Cache-Control", "private, max-age=" + std::to_string(ttl_s));
        res.AddHeader("X-Image-Size",
                      std::to_string(image->width) + "x" + std::to_string(image->height));
        // The PNG stays paid for by its reservation until it is sent.
        auto png = std::make_shared<PageImage>(std::move(*image));
        res.stream = [png](StreamSink& sink) { return sink.Write(png->png); };
      });
}

// The embedded web UI.
void Server::DeclareWebRoutes() {
  http_->Route("GET", "/", [](HttpRequest&, HttpResponse& res) {
    const WebAsset* a = FindWebAsset("index.html");
    if (a == nullptr)
      return SetError(res, 404, "not_found", "the web UI is not built in");
    res.SetText(200, std::string(reinterpret_cast<const char*>(a->data), a->size),
                a->content_type);
  });
  http_->Route("GET", "/ui/([A-Za-z0-9_.-]+)", [](HttpRequest& req, HttpResponse& res) {
    const WebAsset* a = FindWebAsset(req.path_params.at(0));
    if (a == nullptr) return SetError(res, 404, "not_found", "no such file");
    res.SetText(200, std::string(reinterpret_cast<const char*>(a->data), a->size),
                a->content_type);
    res.AddHeader("Cache-Control", "no-cache");
  });
}

}  // namespace pageflow
