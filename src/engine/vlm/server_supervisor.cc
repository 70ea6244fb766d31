#include "engine/vlm/server_supervisor.h"

#include <signal.h>
#include <cerrno>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <vector>

#include "base/log.h"
#include "engine/vlm/http_client.h"

namespace pageflow {
namespace {

using Clock = std::chrono::steady_clock;

std::string Describe(int wstatus) {
  if (WIFEXITED(wstatus)) return "exited with code " + std::to_string(WEXITSTATUS(wstatus));
  if (WIFSIGNALED(wstatus)) return "was killed by signal " + std::to_string(WTERMSIG(wstatus));
  return "stopped";
}

}  // namespace

std::string ServeCommandLine(const VlmServeOptions& o) {
  std::string cmd = o.command;
  if (o.gpu_memory_utilization > 0) {
    char buf[64];
    std::snprintf(buf, sizeof buf, " --gpu-memory-utilization %g", o.gpu_memory_utilization);
    cmd += buf;
  }
  if (o.max_model_len > 0) cmd += " --max-model-len " + std::to_string(o.max_model_len);
  if (o.enforce_eager) cmd += " --enforce-eager";
  return cmd;
}

StatusOr<std::unique_ptr<ServerSupervisor>> ServerSupervisor::Start(const VlmServeOptions& options,
                                                                     const std::string& url) {
  std::unique_ptr<ServerSupervisor> s(new ServerSupervisor(options, url));
  PF_RETURN_IF_ERROR(s->Launch());
  if (Status st = s->WaitReady(); !st.ok()) {
    s->Kill();
    return st;
  }
  s->watcher_ = std::thread([p = s.get()] { p->Watch(); });
  return s;
}

ServerSupervisor::~ServerSupervisor() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  Kill();  // the watcher reaps the child and returns
  if (watcher_.joinable()) watcher_.join();
}

Status ServerSupervisor::Launch() {
  const std::string line = "exec " + ServeCommandLine(options_);
  LogInfo("vlm: starting inference server: " + ServeCommandLine(options_));
  const pid_t pid = fork();
  if (pid < 0) return Unavailable("cannot start the inference server: fork failed");
  if (pid == 0) {
    setpgid(0, 0);  // its own group, so that stopping it also stops its children
    execl("/bin/sh", "sh", "-c", line.c_str(), static_cast<char*>(nullptr));
    _exit(127);
  }
  setpgid(pid, pid);
  reaped_ = false;
  pid_ = pid;
  return Status::Ok();
}

Status ServerSupervisor::WaitReady() {
  HttpClient http(HttpClientOptions{2, 5});
  std::string answer;
  const Clock::time_point deadline = Clock::now() + std::chrono::seconds(options_.ready_timeout_s);
  while (Clock::now() < deadline) {
    int wstatus = 0;
    if (!reaped_ && waitpid(pid_, &wstatus, WNOHANG) == pid_) {
      reaped_ = true;
      return Unavailable("the inference server " + Describe(wstatus) + " before it was ready (--vlm-serve)");
    }
    StatusOr<HttpResponse> r = http.Get(url_ + "/v1/models", 5, &answer);
    if (r.ok() && r->status == 200) {
      LogInfo("vlm: inference server ready at " + url_);
      return Status::Ok();
    }
    std::unique_lock<std::mutex> lock(mu_);
    if (cv_.wait_for(lock, std::chrono::milliseconds(250), [&] { return stopping_; })) {
      return Cancelled("stopping");
    }
  }
  return Unavailable("the inference server was not ready (GET " + url_ + "/v1/models) within " +
                     std::to_string(options_.ready_timeout_s) + " s (--vlm-serve)");
}

void ServerSupervisor::Watch() {
  // The only exits: stopping (after the current child is gone), or no child to wait for.
  int delay_ms = 1000;
  for (;;) {
    std::string how = "exited before it was ready";
    if (!reaped_) {
      int wstatus = 0;
      if (waitpid(pid_, &wstatus, 0) != pid_) return;
      reaped_ = true;
      how = Describe(wstatus);
    }
    std::unique_lock<std::mutex> lock(mu_);
    if (stopping_) return;
    LogWarning("vlm: the inference server " + how + "; restarting in " + std::to_string(delay_ms / 1000) + " s");
    if (cv_.wait_for(lock, std::chrono::milliseconds(delay_ms), [&] { return stopping_; })) return;
    ++restarts_;
    // Launched under the lock: the destructor either sees this child or stops us first.
    if (!Launch().ok()) return;
    lock.unlock();
    // Requests back off on connection errors meanwhile; a server that keeps dying before
    // it is ready is restarted with growing delays (up to a minute). If stopping, the
    // child is stopped by Kill() and reaped at the top of the loop.
    const Status ready = WaitReady();
    delay_ms = ready.ok() ? 1000 : std::min(delay_ms * 2, 60000);
    if (!ready.ok() && ready.code() != StatusCode::kCancelled) LogWarning("vlm: " + ready.message());
  }
}

void ServerSupervisor::Kill() {
  const pid_t pid = pid_;
  if (pid <= 0 || reaped_) return;
  kill(-pid, SIGTERM);
  for (int i = 0; i < 100 && !reaped_; ++i) {
    int wstatus = 0;
    // The watcher may be the one reaping; either way the child is gone once this is true.
    if (!watcher_.joinable() && waitpid(pid, &wstatus, WNOHANG) == pid) reaped_ = true;
    if (kill(pid, 0) != 0 && errno == ESRCH) break;
    usleep(100 * 1000);
  }
  if (!reaped_ && kill(pid, 0) == 0) {
    kill(-pid, SIGKILL);
    if (!watcher_.joinable()) {
      int wstatus = 0;
      waitpid(pid, &wstatus, 0);
      reaped_ = true;
    }
  }
}

}  // namespace pageflow
