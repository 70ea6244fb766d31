// ServerSupervisor: starts the inference server (--vlm-serve "CMD"), waits until
// GET {url}/v1/models answers 200, and restarts it whenever it dies, until destroyed
// (which stops it: SIGTERM to its process group, SIGKILL after 10 s).
//
//   StatusOr<std::unique_ptr<ServerSupervisor>> s = ServerSupervisor::Start(options.serve, options.url);
//   ... requests ...   // while it restarts, requests see connection errors and back off
#pragma once

#include <sys/types.h>

#include <atomic>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "base/status.h"
#include "engine/vlm/vlm_options.h"

namespace pageflow {

// The shell command run: options.command plus the named memory flags that are set.
std::string ServeCommandLine(const VlmServeOptions& options);

class ServerSupervisor {
 public:
  // Starts the server and waits until it is ready. UNAVAILABLE if it exits first or is
  // not ready within ready_timeout_s (it is stopped then).
  static StatusOr<std::unique_ptr<ServerSupervisor>> Start(const VlmServeOptions& options, const std::string& url);
  ~ServerSupervisor();
  ServerSupervisor(const ServerSupervisor&) = delete;
  ServerSupervisor& operator=(const ServerSupervisor&) = delete;

  int restarts() const { return restarts_.load(); }

 private:
  ServerSupervisor(VlmServeOptions options, std::string url) : options_(std::move(options)), url_(std::move(url)) {}
  Status Launch();          // fork + exec; sets pid_
  Status WaitReady();       // polls /v1/models; fails if the child exits or time runs out
  void Watch();             // the supervision thread
  void Kill();              // stops the current child and reaps it

  const VlmServeOptions options_;
  const std::string url_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stopping_ = false;   // guarded by mu_
  std::atomic<pid_t> pid_{-1};
  std::atomic<bool> reaped_{false};  // the current child has been waited for
  std::atomic<int> restarts_{0};
  std::thread watcher_;
};

}  // namespace pageflow
