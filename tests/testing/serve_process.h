// `pageflow serve` as the end-to-end tests of the HTTP face start it: on a loopback port
// it picks itself (read back through --port-file), stopped with SIGTERM when the object
// goes, with a client and the status document at hand.
#pragma once

#include <httplib.h>
#include <signal.h>

#include <chrono>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "testing/test_util.h"

namespace pageflow::testing {

// Polls `condition` until it holds (true) or 60 s pass (false).
bool Eventually(const std::function<bool()>& condition,
                std::chrono::milliseconds poll = std::chrono::milliseconds(50));

// The JSON objects of an NDJSON body, one per non-empty line.
std::vector<nlohmann::json> Lines(const std::string& body);

class ServeProcess {
 public:
  // In a temporary directory of its own, spooling to dir()/spool; `extra` follows.
  explicit ServeProcess(std::vector<std::string> extra);
  // In `dir` (kept), with `extra` after the listen and port-file options and stderr to
  // dir/serve.log: for a server restarted over the same state directory.
  ServeProcess(const std::string& dir, std::vector<std::string> extra);
  // SIGTERM; the test fails unless it exits 0.
  ~ServeProcess();
  ServeProcess(const ServeProcess&) = delete;
  ServeProcess& operator=(const ServeProcess&) = delete;

  // Sends `sig` and waits: the exit code (128 + the signal when killed by one); 0 when
  // it was stopped already.
  int Signal(int sig);
  int Stop() { return Signal(SIGTERM); }

  std::unique_ptr<httplib::Client> Client() const;
  // GET /v1/status ({} when it does not answer 200).
  nlohmann::json Status() const;
  // GET /v1/jobs/ID ({} when it does not answer 200).
  nlohmann::json Job(const std::string& id) const;
  bool WaitDone(const std::string& id) const;

  const std::string& dir() const { return dir_; }
  std::string spool() const { return dir_ + "/spool"; }

 private:
  void Start(std::vector<std::string> args, const std::string& log);

  std::unique_ptr<TempDir> own_dir_;
  std::string dir_;
  int pid_ = -1;
  int port_ = 0;
};

// A vlm server that takes connections and never answers: the kernel accepts them into
// the listen backlog; nobody reads. A page sent to it holds its reservation until its
// job is cancelled.
class SilentServer {
 public:
  SilentServer();
  ~SilentServer();
  SilentServer(const SilentServer&) = delete;
  SilentServer& operator=(const SilentServer&) = delete;
  int port() const { return port_; }

 private:
  int fd_ = -1;
  int port_ = 0;
};

}  // namespace pageflow::testing
