#include "testing/serve_process.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <sstream>
#include <thread>

namespace pageflow::testing {

namespace fs = std::filesystem;
using nlohmann::json;

bool Eventually(const std::function<bool()>& condition, std::chrono::milliseconds poll) {
  const auto end = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (std::chrono::steady_clock::now() < end) {
    if (condition()) return true;
    std::this_thread::sleep_for(poll);
  }
  return false;
}

std::vector<json> Lines(const std::string& body) {
  std::vector<json> lines;
  std::istringstream in(body);
  for (std::string line; std::getline(in, line);) {
    if (!line.empty()) lines.push_back(json::parse(line));
  }
  return lines;
}

ServeProcess::ServeProcess(std::vector<std::string> extra)
    : own_dir_(std::make_unique<TempDir>()), dir_(own_dir_->path()) {
  std::vector<std::string> args = {"--spool-dir", spool()};
  args.insert(args.end(), extra.begin(), extra.end());
  Start(std::move(args), "");
}

ServeProcess::ServeProcess(const std::string& dir, std::vector<std::string> extra)
    : dir_(dir) {
  Start(std::move(extra), dir + "/serve.log");
}

void ServeProcess::Start(std::vector<std::string> extra, const std::string& log) {
  const std::string port_file = dir_ + "/port";
  fs::remove(port_file);
  std::vector<std::string> args = {"serve", "--listen", "127.0.0.1:0", "--port-file",
                                   port_file};
  args.insert(args.end(), extra.begin(), extra.end());
  pid_ = StartPageflow(args, log);
  const bool started = Eventually([&] {
    if (!fs::exists(port_file)) return waitpid(pid_, nullptr, WNOHANG) != 0;
    port_ = std::atoi(ReadFile(port_file).c_str());
    return true;
  });
  EXPECT_TRUE(started && port_ > 0) << "pageflow serve did not start";
}

ServeProcess::~ServeProcess() { EXPECT_EQ(Stop(), 0) << "pageflow serve's exit code"; }

int ServeProcess::Signal(int sig) {
  if (pid_ <= 0) return 0;
  kill(pid_, sig);
  int status = 0;
  waitpid(pid_, &status, 0);
  pid_ = -1;
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

std::unique_ptr<httplib::Client> ServeProcess::Client() const {
  auto c = std::make_unique<httplib::Client>("127.0.0.1", port_);
  c->set_read_timeout(120);
  c->set_write_timeout(120);
  return c;
}

json ServeProcess::Status() const {
  auto r = Client()->Get("/v1/status");
  if (!r || r->status != 200) return json::object();
  return json::parse(r->body);
}

json ServeProcess::Job(const std::string& id) const {
  auto r = Client()->Get("/v1/jobs/" + id);
  if (!r || r->status != 200) return json::object();
  return json::parse(r->body);
}

bool ServeProcess::WaitDone(const std::string& id) const {
  return Eventually([&] { return Job(id).value("status", "") == "done"; });
}

SilentServer::SilentServer() {
  fd_ = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  EXPECT_EQ(bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  EXPECT_EQ(listen(fd_, 16), 0);
  socklen_t len = sizeof addr;
  getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len);
  port_ = ntohs(addr.sin_port);
}

SilentServer::~SilentServer() { close(fd_); }

}  // namespace pageflow::testing
