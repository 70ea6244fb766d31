// Scale-out on a real redis-server: several `pageflow worker` processes share one queue.
// A worker killed with SIGKILL mid-item, a poisoned document and a Redis restart must
// all end with every document in the output exactly once and nothing left pending.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <thread>

#include "queue/work_queue.h"
#include "testing/test_util.h"

namespace pageflow {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using testing::FreePort;
using Clock = std::chrono::steady_clock;

std::string Bin() {
  const char* bin = std::getenv("PAGEFLOW_BIN");
  return bin != nullptr ? bin : PAGEFLOW_TEST_BIN;
}

std::string RedisServerPath() {
  if (const char* p = std::getenv("REDIS_SERVER")) return p;
  for (const char* p : {"/usr/bin/redis-server", "/usr/local/bin/redis-server",
                        "/usr/sbin/redis-server"}) {
    if (access(p, X_OK) == 0) return p;
  }
  return "";
}

// Forks argv with stdout/stderr appended to log; returns the pid.
pid_t Spawn(const std::vector<std::string>& args, const std::string& log) {
  const pid_t pid = fork();
  if (pid == 0) {
    const int fd = open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    dup2(fd, 1);
    dup2(fd, 2);
    std::vector<char*> argv;
    for (const std::string& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    execv(argv[0], argv.data());
    _exit(127);
  }
  return pid;
}

// Waits for pid until the deadline; -1 if it is still running (then it is killed).
int WaitExit(pid_t pid, Clock::time_point deadline) {
  int status = 0;
  while (Clock::now() < deadline) {
    if (waitpid(pid, &status, WNOHANG) == pid)
      return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  kill(pid, SIGKILL);
  waitpid(pid, &status, 0);
  return -1;
}

// A redis-server of our own on a free loopback port, append-only file in dir.
class RedisServer {
 public:
  explicit RedisServer(std::string dir) : dir_(std::move(dir)), port_(FreePort()) {}
  ~RedisServer() { Stop(); }

  bool Start() {
    const std::string bin = RedisServerPath();
    if (bin.empty()) return false;
    pid_ = Spawn({bin, "--port", std::to_string(port_), "--bind", "127.0.0.1", "--save",
                  "", "--appendonly", "yes", "--appendfsync", "always", "--dir", dir_},
                 dir_ + "/redis.log");
    const auto deadline = Clock::now() + std::chrono::seconds(10);
    while (Clock::now() < deadline) {
      StatusOr<RedisClient> c =
          RedisClient::Connect({.host = "127.0.0.1", .port = port_});
      if (c.ok() && c->Command({"PING"}).ok()) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return false;
  }
  // SIGTERM: Redis flushes its append-only file and exits.
  void Stop() {
    if (pid_ <= 0) return;
    kill(pid_, SIGTERM);
    WaitExit(pid_, Clock::now() + std::chrono::seconds(10));
    pid_ = -1;
  }
  std::string Url(const std::string& name) const {
    return "redis://127.0.0.1:" + std::to_string(port_) + "/" + name;
  }
  QueueUrl Queue(const std::string& name) const { return {"127.0.0.1", port_, name}; }

 private:
  std::string dir_;
  int port_;
  pid_t pid_ = -1;
};

class ScaleOutTest : public ::testing::Test {
 protected:
  void SetUp() override {
    in_ = dir_.path() + "/in";
    out_ = dir_.path() + "/out";
    fs::create_directories(in_);
    ASSERT_FALSE(RedisServerPath().empty())
        << "redis-server not found (scripts/setup installs it; or set REDIS_SERVER)";
    ASSERT_TRUE(redis_.Start()) << testing::ReadFile(dir_.path() + "/redis.log");
  }
  void TearDown() override {
    for (pid_t pid : workers_) WaitExit(pid, Clock::now());
    if (HasFailure()) {
      for (size_t i = 0; i < workers_.size(); ++i) {
        std::cerr << "--- worker " << i + 1 << " log:\n" << Log(i);
      }
    }
  }

  void Enqueue(const std::vector<std::string>& extra) {
    std::vector<std::string> args = {"enqueue", "--queue", redis_.Url("q")};
    args.insert(args.end(), extra.begin(), extra.end());
    testing::CommandResult r = testing::RunPageflow(args);
    ASSERT_EQ(r.exit_code, 0) << r.err;
  }

  pid_t StartWorker(const std::string& consumer,
                    const std::vector<std::string>& extra = {}) {
    std::vector<std::string> args = {
        Bin(),    "worker",         "--queue", redis_.Url("q"),     "--out",
        out_,     "--workers",      "1",       "--exit-when-empty", "--consumer",
        consumer, "--memory-limit", "600M"};
    args.insert(args.end(), extra.begin(), extra.end());
    if (std::find(extra.begin(), extra.end(), "--lease") == extra.end()) {
      args.insert(args.end(),
                  {"--lease", "2s"});  // short, so reclaims happen within the test
    }
    workers_.push_back(Spawn(args, LogPath(workers_.size())));
    return workers_.back();
  }
  std::string LogPath(size_t i) const {
    return dir_.path() + "/worker" + std::to_string(i + 1) + ".log";
  }
  std::string Log(size_t i) const {
    return fs::exists(LogPath(i)) ? testing::ReadFile(LogPath(i))
                                  : std::string("(none)\n");
  }

  QueueStatus Status() {
    StatusOr<WorkQueue> q = WorkQueue::Open(redis_.Queue("q"), {});
    EXPECT_OK(q);
    if (!q.ok()) return {};
    StatusOr<QueueStatus> s = q->GetStatus();
    EXPECT_OK(s);
    return s.ok() ? *s : QueueStatus{};
  }

  // Polls until pred(status) holds; false at the deadline.
  template <typename Pred>
  bool WaitFor(Pred pred, int seconds) {
    const auto deadline = Clock::now() + std::chrono::seconds(seconds);
    while (Clock::now() < deadline) {
      if (pred(Status())) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return false;
  }

  void ExpectWorkersExitCleanly(int seconds) {
    const auto deadline = Clock::now() + std::chrono::seconds(seconds);
    for (size_t i = 0; i < workers_.size(); ++i) {
      if (killed_.count(workers_[i]) > 0) continue;
      EXPECT_EQ(WaitExit(workers_[i], deadline), 0) << "worker " << i + 1;
    }
  }

  // Every expected document once, its tokens present once per page; returns the
  // results by source file name.
  std::map<std::string, json> ExpectEachDocumentOnce(
      const std::map<std::string, std::pair<std::string, int>>& want) {
    std::map<std::string, json> got;
    std::error_code ec;
    for (auto& e : fs::directory_iterator(out_ + "/results", ec)) {
      if (e.path().extension() != ".jsonl") {
        ADD_FAILURE() << "stray file in results/: " << e.path();
        continue;
      }
      const std::string text = testing::ReadFile(e.path().string());
      EXPECT_EQ(std::count(text.begin(), text.end(), '\n'), 1) << e.path();
      json j = json::parse(text);
      const std::string name =
          fs::path(j["metadata"]["source_file"].get<std::string>()).filename().string();
      EXPECT_EQ(got.count(name), 0u) << "document twice: " << name;
      got[name] = j;
    }
    EXPECT_EQ(got.size(), want.size());
    for (const auto& [name, token_pages] : want) {
      auto it = got.find(name);
      if (it == got.end()) {
        ADD_FAILURE() << "missing from the output: " << name;
        continue;
      }
      const std::string text = it->second["text"];
      EXPECT_EQ(it->second["attributes"]["pdf_page_numbers"].size(),
                static_cast<size_t>(token_pages.second))
          << name;
      for (int p = 1; p <= token_pages.second; ++p) {
        const std::string needle = token_pages.first + " page " + std::to_string(p);
        EXPECT_NE(text.find(needle), std::string::npos)
            << "missing " << needle << " in " << name << ": " << text;
        EXPECT_EQ(text.find(needle), text.rfind(needle))
            << "duplicated " << needle << " in " << name;
      }
    }
    return got;
  }

  testing::TempDir dir_;
  RedisServer redis_{dir_.path()};
  std::string in_, out_;
  std::vector<pid_t> workers_;
  std::set<pid_t> killed_;
};

TEST_F(ScaleOutTest, KilledWorkersItemIsReclaimedAndEveryDocumentAppearsOnce) {
  const std::vector<std::string> ocr_words = {"Alfa",  "Bravo", "Charlie",
                                              "Delta", "Echo",  "Foxtrot"};
  std::map<std::string, std::pair<std::string, int>> want;
  fs::create_directories(in_ + "/ocr");
  for (size_t i = 0; i < ocr_words.size(); ++i) {
    const std::string name = "ocr" + std::to_string(i) + ".pdf";
    std::vector<testing::TestPage> p;
    for (int pg = 1; pg <= 2; ++pg)
      p.push_back({.lines = {"Document " + ocr_words[i] + " page " + std::to_string(pg)},
                   .font_pt = 30});
    testing::WriteTestPdf(in_ + "/ocr/" + name, p);
    want[name] = {ocr_words[i], 2};
  }
  fs::create_directories(in_ + "/text");
  for (int i = 0; i < 30; ++i) {
    const std::string name = "text" + std::to_string(i) + ".pdf";
    const std::string token = "tok" + std::to_string(1000 + i);
    const int pages = i % 5 == 0 ? 5 : 1 + i % 2;  // some are split across ranges
    std::vector<testing::TestPage> p;
    for (int pg = 1; pg <= pages; ++pg)
      p.push_back({.lines = {token + " page " + std::to_string(pg)}});
    testing::WriteTestPdf(in_ + "/text/" + name, p);
    want[name] = {token, pages};
  }
  // OCR first, so the workers are busy with slow items when one is killed.
  Enqueue({in_ + "/ocr", "--engine", "tesseract", "--dpi", "150"});
  Enqueue({in_ + "/text", "--engine", "text-layer", "--pages-per-range", "2"});
  const int64_t enqueued = Status().enqueued_items;
  ASSERT_EQ(enqueued, 6 + 30 + 6 * 2);  // 6 five-page documents are 3 items each

  const pid_t victim = StartWorker("w1");
  StartWorker("w2");
  StartWorker("w3");
  // Mid-item: w1 holds items and its pipeline has started on them.
  ASSERT_TRUE(WaitFor(
      [&](const QueueStatus& s) {
        for (const ConsumerStatus& c : s.consumers) {
          if (c.name == "w1" && c.in_progress > 0)
            return Log(0).find("fixed costs") != std::string::npos;
        }
        return false;
      },
      30))
      << "w1 never worked on an item";
  kill(victim, SIGKILL);
  killed_.insert(victim);
  EXPECT_EQ(WaitExit(victim, Clock::now() + std::chrono::seconds(5)), 128 + SIGKILL);
  int64_t held = 0;
  for (const ConsumerStatus& c : Status().consumers) {
    if (c.name == "w1") held = c.in_progress;
  }
  ASSERT_GT(held, 0) << "w1 held nothing when killed";

  ExpectWorkersExitCleanly(60);
  const QueueStatus s = Status();
  EXPECT_EQ(s.waiting, 0);
  EXPECT_EQ(s.in_progress, 0);
  for (const ConsumerStatus& c : s.consumers) EXPECT_EQ(c.in_progress, 0) << c.name;
  EXPECT_GE(s.reclaimed, held);
  EXPECT_EQ(s.done_items, enqueued);
  EXPECT_EQ(s.dead_items, 0);
  StatusOr<RedisClient> redis =
      RedisClient::Connect({.host = "127.0.0.1", .port = redis_.Queue("q").port});
  ASSERT_OK(redis);
  StatusOr<RedisReply> len = redis->Command({"XLEN", "q"});
  ASSERT_OK(len);
  EXPECT_EQ((*len)->integer, 0) << "settled entries are deleted from the stream";
  std::map<std::string, json> got = ExpectEachDocumentOnce(want);
  // The OCR documents really were recognized, not taken from the text layer.
  EXPECT_EQ(got["ocr0.pdf"]["metadata"]["engines_used"].dump().find("tesseract") !=
                std::string::npos,
            true)
      << got["ocr0.pdf"].dump();
}

TEST_F(ScaleOutTest, PoisonedDocumentIsDeadLetteredWithItsReasonWhileTheRestComplete) {
  std::map<std::string, std::pair<std::string, int>> want;
  for (int i = 0; i < 8; ++i) {
    const std::string name = "doc" + std::to_string(i) + ".pdf";
    const std::string token = "tok" + std::to_string(2000 + i);
    testing::WriteTestPdf(in_ + "/" + name, {{.lines = {token + " page 1"}}});
    want[name] = {token, 1};
  }
  const std::string good = testing::ReadFile(in_ + "/doc0.pdf");
  testing::WriteFile(in_ + "/poison.pdf", good.substr(0, good.size() / 3));  // truncated
  Enqueue({in_, "--engine", "text-layer"});
  StartWorker("w1", {"--max-deliveries", "2"});
  StartWorker("w2", {"--max-deliveries", "2"});
  ExpectWorkersExitCleanly(60);

  const QueueStatus s = Status();
  EXPECT_EQ(s.waiting, 0);
  EXPECT_EQ(s.in_progress, 0);
  EXPECT_EQ(s.done_items, 8);
  EXPECT_EQ(s.failed_attempts, 1);  // one retry, then dead after the 2nd delivery
  ASSERT_EQ(s.dead_items, 1);
  ASSERT_EQ(s.dead.size(), 1u);
  EXPECT_EQ(fs::path(s.dead[0].path).filename(), "poison.pdf");
  EXPECT_EQ(s.dead[0].deliveries, 2);
  EXPECT_NE(s.dead[0].error.find("poison.pdf"), std::string::npos) << s.dead[0].error;
  ExpectEachDocumentOnce(want);

  // The same through the command line.
  testing::CommandResult r =
      testing::RunPageflow({"queue-status", "--queue", redis_.Url("q"), "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  json j = json::parse(r.out);
  EXPECT_EQ(j["done_items"].get<int>(), 8);
  EXPECT_EQ(j["dead_items"].get<int>(), 1);
  EXPECT_EQ(j["waiting"].get<int>(), 0);
  ASSERT_EQ(j["recent_dead"].size(), 1u);
  EXPECT_NE(j["recent_dead"][0]["error"].get<std::string>().find("poison.pdf"),
            std::string::npos);
  r = testing::RunPageflow({"queue-status", "--queue", redis_.Url("q")});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("dead-letter  1 items"), std::string::npos) << r.out;
}

// An item asking for the vlm engine is run only by workers started with --vlm-url;
// others fail it with that reason (before: they retried 127.0.0.1:8000 silently), and
// after --max-deliveries it is a dead letter saying why.
TEST_F(ScaleOutTest, VlmItemsNeedAWorkerStartedWithAVlmServer) {
  testing::WriteTestPdf(in_ + "/remote.pdf", {{.lines = {"tok5001 page 1"}}});
  Enqueue({in_ + "/remote.pdf", "--engine", "vlm"});
  StartWorker("w1", {"--max-deliveries", "2"});
  ExpectWorkersExitCleanly(60);
  const QueueStatus s = Status();
  EXPECT_EQ(s.done_items, 0);
  ASSERT_EQ(s.dead_items, 1);
  ASSERT_EQ(s.dead.size(), 1u);
  EXPECT_NE(s.dead[0].error.find("does not run the vlm engine"), std::string::npos)
      << s.dead[0].error;
}

// A damaged message ({"v":"1"} threw out of Claim and killed every worker that
// reclaimed it) and an item whose mirror would leave --out are dead-lettered on first
// sight with their reason; the worker lives on and does the rest.
TEST_F(ScaleOutTest, MalformedItemsAreDeadLetteredAndTheWorkerLivesOn) {
  testing::WriteTestPdf(in_ + "/good.pdf", {{.lines = {"good tok4001 page 1"}}});
  testing::WriteTestPdf(in_ + "/escape.pdf", {{.lines = {"escape tok4002"}}});
  Enqueue({in_ + "/good.pdf", "--engine", "text-layer", "--format", "jsonl,md"});
  {
    StatusOr<RedisClient> redis =
        RedisClient::Connect({.host = "127.0.0.1", .port = redis_.Queue("q").port});
    ASSERT_OK(redis);
    ASSERT_OK(redis->Command({"XADD", "q", "*", "item", R"({"v":"1"})"}));
    WorkItem escape;
    escape.path = in_ + "/escape.pdf";
    escape.relative = "../../escape.pdf";
    escape.id = "00000000000000aa";
    escape.options.engine = "text-layer";
    escape.options.formats = "md";
    ASSERT_OK(redis->Command({"XADD", "q", "*", "item", escape.ToJson()}));
  }
  StartWorker("w1", {"--max-deliveries", "3"});
  ExpectWorkersExitCleanly(60);
  const QueueStatus s = Status();
  EXPECT_EQ(s.waiting, 0);
  EXPECT_EQ(s.in_progress, 0);
  EXPECT_EQ(s.done_items, 1);
  EXPECT_EQ(s.failed_attempts, 0);  // dead on first sight, not retried
  ASSERT_EQ(s.dead_items, 2);
  std::string reasons;
  for (const auto& d : s.dead) reasons += d.error + "\n";
  EXPECT_NE(reasons.find("version \"1\""), std::string::npos) << reasons;
  EXPECT_NE(reasons.find("leaves the output directory"), std::string::npos) << reasons;
  EXPECT_FALSE(fs::exists(dir_.path() + "/escape.md"));
  EXPECT_FALSE(fs::exists(out_ + "/escape.md"));
  ExpectEachDocumentOnce({{"good.pdf", {"good tok4001", 1}}});
}

// A queue worker writes the record `pageflow run` writes for the same document and
// options: same text, page spans and metadata keys (for a born-digital PDF, a scan and
// a picture). Serve's side of this is in serve_test.cc.
TEST_F(ScaleOutTest, WorkersWriteTheRecordsRunWrites) {
  testing::WriteTestPdf(in_ + "/born.pdf",
                        {{.lines = {"tok6001 page 1"}}, {.lines = {"tok6001 page 2"}}});
  testing::WriteTestPdf(in_ + "/scan.pdf", {{.lines = {}, .image_share = 1.0}});
  fs::copy_file(testing::SourceDir() + "/samples/phototest.tif", in_ + "/picture.tif");
  Enqueue({in_, "--engine", "auto", "--dpi", "150"});
  StartWorker("w1");
  ExpectWorkersExitCleanly(120);
  const std::string ran_out = dir_.path() + "/ran";
  testing::CommandResult run =
      testing::RunPageflow({"run", in_, "--out", ran_out, "--engine", "auto", "--dpi",
                            "150", "--no-progress"});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  auto records = [](const std::string& dir) {
    std::map<std::string, json> by_name;
    for (auto& e : fs::directory_iterator(dir + "/results")) {
      json j = json::parse(testing::ReadFile(e.path().string()));
      by_name[fs::path(j["metadata"]["source_file"].get<std::string>())
                  .filename()
                  .string()] = j;
    }
    return by_name;
  };
  const std::map<std::string, json> ran = records(ran_out), worked = records(out_);
  ASSERT_EQ(ran.size(), 3u);
  ASSERT_EQ(worked.size(), 3u);
  for (const auto& [name, r] : ran) {
    SCOPED_TRACE(name);
    ASSERT_EQ(worked.count(name), 1u);
    const json& w = worked.at(name);
    EXPECT_EQ(w["text"], r["text"]);
    EXPECT_EQ(w["attributes"], r["attributes"]);
    EXPECT_EQ(w["metadata"]["engines_used"], r["metadata"]["engines_used"]);
    std::vector<std::string> wk, rk;
    for (auto it = w["metadata"].begin(); it != w["metadata"].end(); ++it)
      wk.push_back(it.key());
    for (auto it = r["metadata"].begin(); it != r["metadata"].end(); ++it)
      rk.push_back(it.key());
    EXPECT_EQ(wk, rk);
  }
}

TEST_F(ScaleOutTest, MirrorsKeepTheEnqueuedTreeSoSameNamedFilesDoNotCollide) {
  fs::create_directories(in_ + "/a");
  fs::create_directories(in_ + "/b");
  testing::WriteTestPdf(in_ + "/a/x.pdf", {{.lines = {"alpha tok3001"}}});
  testing::WriteTestPdf(in_ + "/b/x.pdf", {{.lines = {"beta tok3002"}}});
  Enqueue({in_, "--engine", "text-layer", "--format", "jsonl,md"});
  StartWorker("w1", {});
  ExpectWorkersExitCleanly(60);
  const std::string a = testing::ReadFile(out_ + "/md/a/x.md");
  const std::string b = testing::ReadFile(out_ + "/md/b/x.md");
  EXPECT_NE(a.find("tok3001"), std::string::npos) << a;
  EXPECT_NE(b.find("tok3002"), std::string::npos) << b;
  EXPECT_FALSE(fs::exists(out_ + "/md/x.md"));
}

// Issue 17 item 3: --pages travels in the work items; workers do only those pages.
TEST_F(ScaleOutTest, EnqueuePagesSelectsThePagesWorkersDo) {
  std::vector<testing::TestPage> pages;
  for (int p = 1; p <= 6; ++p)
    pages.push_back({.lines = {"Sel page " + std::to_string(p)}});
  testing::WriteTestPdf(in_ + "/doc.pdf", pages);
  testing::CommandResult bad = testing::RunPageflow(
      {"enqueue", "--queue", redis_.Url("q"), in_, "--pages", "0-2"});
  EXPECT_EQ(bad.exit_code, 2) << bad.err;
  EXPECT_NE(bad.err.find("--pages: "), std::string::npos) << bad.err;
  testing::CommandResult r =
      testing::RunPageflow({"enqueue", "--queue", redis_.Url("q"), in_, "--engine",
                            "text-layer", "--pages", "2-3,5", "--pages-per-range", "2"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("enqueued 1 document as 2 items (3 pages)"), std::string::npos)
      << r.err;
  StartWorker("w1", {});
  ExpectWorkersExitCleanly(60);
  // Item 9: in good English; the engines named once, as many as --workers.
  EXPECT_NE(Log(0).find("worker done: 2 items (3 pages)"), std::string::npos) << Log(0);
  EXPECT_NE(Log(0).find("(1 text-layer engine + PDF store)"), std::string::npos)
      << Log(0);
  int records = 0;
  std::error_code ec;
  for (auto& e : fs::directory_iterator(out_ + "/results", ec)) {
    ++records;
    const json j = json::parse(testing::ReadFile(e.path().string()));
    const std::string text = j["text"];
    EXPECT_EQ(j["attributes"]["pdf_page_numbers"].size(), 3u) << j.dump();
    for (int p : {2, 3, 5}) {
      EXPECT_NE(text.find("Sel page " + std::to_string(p)), std::string::npos) << text;
    }
    for (int p : {1, 4, 6}) {
      EXPECT_EQ(text.find("Sel page " + std::to_string(p)), std::string::npos) << text;
    }
  }
  EXPECT_EQ(records, 1);
}

TEST_F(ScaleOutTest, WorkersSweepTemporariesOfStoppedProcessesOnly) {
  char host[256] = {};
  ASSERT_EQ(gethostname(host, sizeof host - 1), 0);
  const pid_t child = fork();  // a process that is gone by the time the worker starts
  if (child == 0) _exit(0);
  waitpid(child, nullptr, 0);
  const std::string stale = out_ + "/results/killed.jsonl.tmp-" + std::string(host) +
                            "-" + std::to_string(child) + "-0";
  const std::string live = out_ + "/results/busy.jsonl.tmp-" + std::string(host) + "-" +
                           std::to_string(getpid()) + "-0";
  fs::create_directories(out_ + "/results");
  testing::WriteFile(stale, "torn");
  testing::WriteFile(live, "being written");
  testing::WriteTestPdf(in_ + "/x.pdf", {{.lines = {"swept"}}});
  Enqueue({in_, "--engine", "text-layer"});
  StartWorker("w1", {});
  ExpectWorkersExitCleanly(60);
  EXPECT_FALSE(fs::exists(stale));
  EXPECT_TRUE(fs::exists(live));  // its writer (this test) is alive
}

TEST_F(ScaleOutTest, BadQueueUrlsAreUsageErrors) {
  for (const char* url : {"redis://127.0.0.1:6379", "http://127.0.0.1:6379/q",
                          "redis://127.0.0.1:99999/q"}) {
    testing::CommandResult r = testing::RunPageflow({"queue-status", "--queue", url});
    EXPECT_EQ(r.exit_code, 2) << url;
    EXPECT_NE(r.err.find(url), std::string::npos) << r.err;
  }
  testing::CommandResult r = testing::RunPageflow(
      {"worker", "--queue", redis_.Url("q"), "--out", out_, "--lease", "soon"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("--lease"), std::string::npos) << r.err;
}

TEST_F(ScaleOutTest, WorkersSurviveARedisRestart) {
  std::map<std::string, std::pair<std::string, int>> want;
  const std::vector<std::string> words = {"Golf", "Hotel", "India", "Juliett"};
  fs::create_directories(in_ + "/ocr");
  fs::create_directories(in_ + "/text");
  for (size_t i = 0; i < words.size(); ++i) {
    const std::string name = "ocr" + std::to_string(i) + ".pdf";
    std::vector<testing::TestPage> p;
    for (int pg = 1; pg <= 2; ++pg)
      p.push_back({.lines = {"Document " + words[i] + " page " + std::to_string(pg)},
                   .font_pt = 30});
    testing::WriteTestPdf(in_ + "/ocr/" + name, p);
    want[name] = {words[i], 2};
  }
  for (int i = 0; i < 12; ++i) {
    const std::string name = "text" + std::to_string(i) + ".pdf";
    const std::string token = "tok" + std::to_string(3000 + i);
    testing::WriteTestPdf(in_ + "/text/" + name, {{.lines = {token + " page 1"}},
                                                  {.lines = {token + " page 2"}}});
    want[name] = {token, 2};
  }
  Enqueue(
      {in_ + "/ocr", "--engine", "tesseract", "--dpi", "150", "--pages-per-range", "1"});
  Enqueue({in_ + "/text", "--engine", "text-layer", "--pages-per-range", "1"});
  const int64_t enqueued = Status().enqueued_items;
  StartWorker("w1", {"--batch", "1"});
  StartWorker("w2", {"--batch", "1"});
  ASSERT_TRUE(WaitFor([](const QueueStatus& s) { return s.done_items >= 2; }, 30));
  redis_.Stop();
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));  // workers see it gone
  ASSERT_TRUE(redis_.Start());
  EXPECT_LT(Status().done_items, enqueued) << "the run ended before the restart";
  ExpectWorkersExitCleanly(60);

  const QueueStatus s = Status();
  EXPECT_EQ(s.waiting, 0);
  EXPECT_EQ(s.in_progress, 0);
  EXPECT_EQ(s.done_items, enqueued);
  EXPECT_EQ(s.dead_items, 0);
  ExpectEachDocumentOnce(want);
  bool reconnected = false;
  for (size_t i = 0; i < workers_.size(); ++i)
    reconnected |= Log(i).find("reconnected") != std::string::npos;
  EXPECT_TRUE(reconnected) << "no worker reported a reconnect";
}

TEST_F(ScaleOutTest, SigtermReleasesUnfinishedItemsAtOnce) {
  std::map<std::string, std::pair<std::string, int>> want;
  const std::vector<std::string> words = {"Kilo", "Lima", "Mike"};
  for (size_t i = 0; i < words.size(); ++i) {
    const std::string name = "ocr" + std::to_string(i) + ".pdf";
    std::vector<testing::TestPage> p;
    for (int pg = 1; pg <= 3; ++pg)
      p.push_back({.lines = {"Document " + words[i] + " page " + std::to_string(pg)},
                   .font_pt = 30});
    testing::WriteTestPdf(in_ + "/" + name, p);
    want[name] = {words[i], 3};
  }
  Enqueue({in_, "--engine", "tesseract", "--dpi", "150"});
  const pid_t first = StartWorker("w1", {"--lease", "600s", "--batch", "3"});
  ASSERT_TRUE(WaitFor(
      [&](const QueueStatus& s) {
        return s.in_progress == 3 && Log(0).find("fixed costs") != std::string::npos;
      },
      30));
  kill(first, SIGTERM);
  EXPECT_EQ(WaitExit(first, Clock::now() + std::chrono::seconds(30)), 0);
  killed_.insert(first);
  // With a 600 s lease, only a release (not a reclaim) lets another worker have them.
  const QueueStatus after = Status();
  EXPECT_EQ(after.in_progress, 0);
  EXPECT_GT(after.released, 0);
  StartWorker("w2", {"--lease", "600s"});
  ExpectWorkersExitCleanly(60);
  const QueueStatus s = Status();
  EXPECT_EQ(s.done_items, 3);
  EXPECT_EQ(s.reclaimed, 0);
  EXPECT_EQ(s.in_progress, 0);
  ExpectEachDocumentOnce(want);
}

// Items that take longer than the lease stay with their live workers: the heartbeat
// renews them, and the idle third worker never gets to reclaim one.
TEST_F(ScaleOutTest, HeartbeatKeepsSlowItemsWithTheirLiveWorker) {
  std::map<std::string, std::pair<std::string, int>> want;
  const std::vector<std::string> words = {"November", "Oscar"};
  for (size_t i = 0; i < words.size(); ++i) {
    const std::string name = "slow" + std::to_string(i) + ".pdf";
    std::vector<testing::TestPage> p;
    for (int pg = 1; pg <= 4; ++pg)
      p.push_back({.lines = {"Document " + words[i] + " page " + std::to_string(pg)},
                   .font_pt = 30});
    testing::WriteTestPdf(in_ + "/" + name, p);
    want[name] = {words[i], 4};
  }
  Enqueue({in_, "--engine", "tesseract", "--dpi", "200"});
  for (const char* w : {"w1", "w2", "w3"})
    StartWorker(w, {"--lease", "600ms", "--batch", "1"});
  ExpectWorkersExitCleanly(60);
  const QueueStatus s = Status();
  EXPECT_EQ(s.done_items, 2);
  EXPECT_EQ(s.reclaimed, 0);
  ExpectEachDocumentOnce(want);
  // The test means something only if an item outlived its lease.
  bool slow = false;
  for (auto& e : fs::directory_iterator(out_ + "/results")) {
    json j = json::parse(testing::ReadFile(e.path().string()));
    slow |= j["metadata"].value("processing_seconds", 0.0) > 0.6;
  }
  if (!slow)
    GTEST_SKIP() << "items were faster than the 600 ms lease; nothing was at stake";
}

// A document that kills its workers never reaches a clean error: its lease keeps
// expiring. Simulated here by consumers that claim the item and vanish.
TEST_F(ScaleOutTest, ItemWhoseWorkersKeepDyingIsDeadLettered) {
  testing::WriteTestPdf(in_ + "/crasher.pdf", {{.lines = {"tok4000 page 1"}}});
  Enqueue({in_, "--engine", "text-layer"});
  StatusOr<WorkQueue> q = WorkQueue::Open(redis_.Queue("q"), {});
  ASSERT_OK(q);
  for (int i = 1; i <= 3; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(150));
    StatusOr<std::vector<Delivery>> got =
        q->Claim("doomed" + std::to_string(i), 1, 100, 0);
    ASSERT_OK(got);
    ASSERT_EQ(got->size(), 1u);
    EXPECT_EQ((*got)[0].deliveries, i);
    EXPECT_EQ((*got)[0].reclaimed, i > 1);
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(150));
  StartWorker("w1", {"--lease", "100ms", "--max-deliveries", "3"});
  ExpectWorkersExitCleanly(30);
  const QueueStatus s = Status();
  EXPECT_EQ(s.in_progress, 0);
  EXPECT_EQ(s.done_items, 0);
  ASSERT_EQ(s.dead.size(), 1u);
  EXPECT_EQ(s.dead[0].deliveries, 4);
  EXPECT_NE(s.dead[0].error.find("without being acknowledged"), std::string::npos)
      << s.dead[0].error;
  EXPECT_FALSE(fs::exists(out_ + "/results") && !fs::is_empty(out_ + "/results"));
}

}  // namespace
}  // namespace pageflow
