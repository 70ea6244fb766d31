// `pageflow serve`: the HTTP API and web UI (src/server/).
#include <pthread.h>
#include <signal.h>

#include <algorithm>
#include <fstream>
#include <iostream>
#include <memory>
#include <sstream>
#include <thread>

#include "base/log.h"
#include "cli/command.h"
#include "cli/log_flags.h"
#include "cli/vlm_flags.h"
#include "engine/engine_factory.h"
#include "server/server.h"

namespace pageflow {
namespace {

struct ServeFlags {
  ServerOptions server;
  std::string listen = "127.0.0.1:8080";
  std::string memory_limit, pdf_store, max_upload = "100M";
  std::string port_file;
  std::string state_dir;  // "" = the default (see --state-dir)
  std::string body_min_rate = "16K";
  std::string engines = "auto,text-layer,tesseract";
  VlmFlags vlm;
  RunOptions vlm_run;  // holds the vlm flags (shared with `run`); copied into the defaults
  LogFlags log;
  CLI::App* cmd = nullptr;
};

// --engines and --engine: what requests may choose. vlm only with a server to talk to.
bool ApplyEngineFlags(ServeFlags& f) {
  PageServiceOptions& s = f.server.service;
  s.engines.clear();
  std::stringstream in(f.engines);
  std::string kind;
  while (std::getline(in, kind, ',')) {
    if (kind.empty()) continue;
    if (!IsKnownEngine(kind)) {
      std::cerr << "pageflow: --engines: unknown engine '" << kind << "' (use " << KnownEnginesList() << ")\n";
      return false;
    }
    s.engines.push_back(kind);
  }
  const bool vlm_offered = s.defaults.engine.kind == "vlm" ||
                           std::find(s.engines.begin(), s.engines.end(), "vlm") != s.engines.end();
  if (vlm_offered && f.cmd->count("--vlm-url") == 0) {
    std::cerr << "pageflow: serve offers the vlm engine only with --vlm-url (the inference server to use)\n";
    return false;
  }
  f.vlm_run.engine.kind = s.defaults.engine.kind;
  if (!ApplyVlmFlags(f.vlm, f.cmd, &f.vlm_run)) return false;
  s.defaults.engine.vlm = f.vlm_run.engine.vlm;
  return true;
}

bool IsLoopback(const std::string& host) {
  return host == "127.0.0.1" || host == "localhost" || host == "::1" || host.rfind("127.", 0) == 0;
}

int ExecuteServe(ServeFlags& f) {
  ServerOptions& o = f.server;
  PageServiceOptions& s = o.service;
  if (!IsKnownEngine(s.defaults.engine.kind)) {
    std::cerr << "pageflow: unknown --engine '" << s.defaults.engine.kind << "' (use " << KnownEnginesList() << ")\n";
    return kExitUsage;
  }
  if (!f.log.Apply() || !ApplyEngineFlags(f)) return kExitUsage;
  if (!ParseSizeFlag("--memory-limit", f.memory_limit, &s.memory_limit_bytes) ||
      !ParsePdfStoreFlag(f.pdf_store, &s.pdf_store_bytes) ||
      !ParseSizeFlag("--max-upload", f.max_upload, &o.max_upload_bytes) ||
      !ParseSizeFlag("--body-min-rate", f.body_min_rate, &o.http.body_min_rate)) {
    return kExitUsage;
  }
  const size_t colon = f.listen.rfind(':');
  if (colon == std::string::npos) {
    std::cerr << "pageflow: --listen wants HOST:PORT, e.g. 127.0.0.1:8080\n";
    return kExitUsage;
  }
  o.http.host = f.listen.substr(0, colon);
  if (o.http.host.size() > 2 && o.http.host.front() == '[') o.http.host = o.http.host.substr(1, o.http.host.size() - 2);
  o.http.port = std::atoi(f.listen.c_str() + colon + 1);
  if (o.http.port < 0 || o.http.port > 65535) {
    std::cerr << "pageflow: --listen: bad port\n";
    return kExitUsage;
  }
  // Any route's body: the largest document plus multipart framing and fields (every
  // byte of a multipart body counts, not only the file's).
  o.http.max_body_bytes = o.max_upload_bytes + (64 << 10);
  if (s.workers <= 0) s.workers = DefaultWorkers();
  // Jobs persist where the user said, or beside a spool directory they named (a fresh
  // temporary one is gone at exit, so nothing would be found again).
  if (f.state_dir == "none") {
    s.state_dir.clear();
  } else if (!f.state_dir.empty()) {
    s.state_dir = f.state_dir;
  } else if (!s.spool_dir.empty()) {
    s.state_dir = s.spool_dir + "/state";
  }
  if (o.token.empty()) {
    if (const char* t = std::getenv("PAGEFLOW_TOKEN")) o.token = t;
  }
  if (!IsLoopback(o.http.host) && o.token.empty()) {
    LogWarning("listening on " + o.http.host + " without --token: anyone who can reach it can use it");
  }

  // SIGINT/SIGTERM are taken by sigwait below; every thread started from here on
  // inherits the mask.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

  StatusOr<std::unique_ptr<Server>> server = Server::Create(o);
  if (!server.ok()) {
    LogError(server.status().message());
    return kExitFatal;
  }
  StatusOr<int> port = (*server)->Bind();
  if (!port.ok()) {
    LogError(port.status().message());
    return kExitFatal;
  }
  const std::string url = "http://" + (o.http.host.find(':') != std::string::npos ? "[" + o.http.host + "]" : o.http.host) +
                          ":" + std::to_string(*port) + "/";
  LogInfo("listening on " + url + (o.token.empty() ? "" : " (bearer token required for /v1 and /metrics)"));
  if (!f.port_file.empty()) {
    std::ofstream(f.port_file + ".tmp") << *port << "\n";
    std::rename((f.port_file + ".tmp").c_str(), f.port_file.c_str());
  }
  Status run_status;
  std::thread listener([&] { run_status = (*server)->Run(); });
  int signal = 0;
  sigwait(&stop_signals, &signal);
  LogInfo(s.state_dir.empty() ? "stopping: cancelling running jobs"
                              : "stopping: running jobs stop and go on after a restart (" +
                                    s.state_dir + ")");
  (*server)->Stop();
  listener.join();
  server->reset();
  return kExitOk;
}

}  // namespace

Command AddServeCommand(CLI::App& app) {
  auto f = std::make_shared<ServeFlags>();
  ServerOptions& o = f->server;
  PageServiceOptions& s = o.service;
  CLI::App* cmd = app.add_subcommand("serve", "HTTP API and web UI (see docs/http-api.md)");
  cmd->add_option("--listen", f->listen, "HOST:PORT to listen on; port 0 picks a free one")->default_val("127.0.0.1:8080");
  f->log.Add(cmd);  // one line per request: method, path, status, bytes, seconds
  cmd->add_option("--memory-limit", f->memory_limit,
                  "Byte budget for the whole process, e.g. 2G, 600M [default: half of min(RAM, cgroup limit)]");
  cmd->add_option("--workers", s.workers,
                  "Pages recognized at once; each holds one engine (Tesseract eng: ~17 MB) [default: CPU cores]");
  cmd->add_option("--max-jobs", s.max_jobs, "Documents processed at once (their pages interleave)")
      ->default_val(2)
      ->check(CLI::Range(1, 1000));
  cmd->add_option("--queue", s.queue, "Admitted documents waiting for a slot; beyond it requests get 429")
      ->default_val(8)
      ->check(CLI::Range(0, 10000));
  cmd->add_option("--max-upload", f->max_upload, "Largest document accepted (413 beyond)")->default_val("100M");
  cmd->add_option("--token", o.token, "Require \"Authorization: Bearer TOKEN\" on /v1 and /metrics (or env PAGEFLOW_TOKEN)");
  f->cmd = cmd;
  cmd->add_option("--engine", s.defaults.engine.kind,
                  "Default engine for requests that name none (always offered)")
      ->default_val("auto");
  cmd->add_option("--engines", f->engines,
                  "Engines requests may choose with ?engine=, comma-separated, from " + KnownEnginesList() +
                      "; vlm needs --vlm-url. Others get 400 naming these")
      ->default_val(f->engines);
  cmd->add_option("--max-engines-per-worker", s.max_engines_per_worker,
                  "Engines (kind, languages) a worker keeps loaded; the least recently used is unloaded and its "
                  "memory returned to make room")
      ->default_val(3)
      ->check(CLI::Range(2, 64));
  cmd->add_option("--max-lang-sets", s.max_lang_sets,
                  "Distinct language sets (lang values, the default's included) engines "
                  "run for at once; a job "
                  "asking for one more gets 429 while the others are in use")
      ->default_val(8)
      ->check(CLI::Range(1, 1000));
  cmd->add_option("--engine-idle", s.engine_idle_s,
                  "Seconds an engine other than a worker's default may stay unused "
                  "before it is unloaded and its "
                  "memory returned")
      ->default_val(30)
      ->check(CLI::Range(1, 86400));
  cmd->add_option("--lang", s.defaults.engine.lang, "Default Tesseract languages, e.g. eng+deu")->default_val("eng");
  cmd->add_option("--dpi", s.defaults.render.dpi, "Default resolution PDF pages are rendered at")
      ->default_val(300)
      ->check(CLI::Range(50, 1200));
  cmd->add_option("--max-dim", s.defaults.render.max_dim, "Longest side of a page raster in pixels")
      ->default_val(10000)
      ->check(CLI::Range(500, 100000));
  cmd->add_option("--job-ttl", s.job_ttl_s, "Seconds a finished job's result is kept")->default_val(600)->check(CLI::Range(1, 604800));
  cmd->add_option("--spool-dir", s.spool_dir, "Directory for uploads and results [default: a fresh one in $TMPDIR]");
  cmd->add_option("--state-dir", f->state_dir,
                  "Directory where accepted jobs (uploads, results, finished page ranges) live, so that they "
                  "survive a restart; 'none': they go when the server stops [default: SPOOL/state with "
                  "--spool-dir, else none]");
  cmd->add_option("--pdf-store", f->pdf_store, "Bytes MuPDF may cache; charged to the budget [default: 64M]");
  cmd->add_option("--tessdata", s.defaults.engine.tessdata_dir, "Tesseract language data directory");
  cmd->add_option("--port-file", f->port_file, "Write the port listened on to FILE (for scripts and tests)");
  AddVlmFlags(cmd, &f->vlm, &f->vlm_run);
  HttpServerOptions& h = o.http;
  cmd->add_option("--header-timeout", h.header_timeout_s,
                  "Seconds a request's line and headers may take to arrive; then the connection is closed")
      ->default_val(10)
      ->check(CLI::Range(1, 3600));
  cmd->add_option("--body-timeout", h.body_timeout_s,
                  "Seconds a request body may take before --body-min-rate applies; then the body must have come "
                  "at that average rate or the request gets 408 and the connection is closed")
      ->default_val(10)
      ->check(CLI::Range(1, 3600));
  cmd->add_option("--body-min-rate", f->body_min_rate,
                  "Bytes a second a request body must average after --body-timeout, e.g. 16K")
      ->default_val("16K");
  cmd->add_option("--keep-alive-timeout", h.keep_alive_timeout_s, "Seconds an idle keep-alive connection is kept")
      ->default_val(5)
      ->check(CLI::Range(1, 3600));
  cmd->add_option("--max-idle-connections", h.max_idle_connections,
                  "Idle keep-alive connections kept; beyond, the one idle longest is closed")
      ->default_val(128)
      ->check(CLI::Range(0, 100000));
  cmd->add_option("--max-connections", h.max_connections, "Open connections in all; beyond, 503 and closed")
      ->default_val(512)
      ->check(CLI::Range(1, 100000));
  cmd->add_option("--max-connections-per-client", h.max_connections_per_client,
                  "Open connections per client address; beyond, 429 and closed")
      ->default_val(32)
      ->check(CLI::Range(1, 100000));
  return {cmd, [f] { return ExecuteServe(*f); }};
}

}  // namespace pageflow
