// End-to-end runs of `pageflow run --engine vlm` against vlm_test_server: answers,
// tokens, retries, fallback, the page error-rate cap, requests in flight, rotation,
// connection errors, memory with a slow server, and --vlm-serve supervision.
#include <gtest/gtest.h>
#include <httplib.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <iostream>
#include <nlohmann/json.hpp>
#include <regex>
#include <thread>

#include "testing/test_util.h"

namespace pageflow {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using testing::FreePort;

constexpr int kTarget = 256;  // small pages: fast tests

std::string ServerBin() {
  const char* env = std::getenv("VLM_TEST_SERVER");
  return env != nullptr ? env : VLM_TEST_SERVER_DEFAULT;
}

// The test server as a child process, stopped on destruction.
class TestServer {
 public:
  explicit TestServer(std::vector<std::string> args) {
    port_file_ = dir_.path() + "/port";
    args.insert(args.begin(), {ServerBin(), "--port", "0", "--port-file", port_file_,
                               "--target", std::to_string(kTarget)});
    pid_ = fork();
    if (pid_ == 0) {
      std::vector<char*> argv;
      for (auto& a : args) argv.push_back(a.data());
      argv.push_back(nullptr);
      execv(argv[0], argv.data());
      _exit(127);
    }
    for (int i = 0; i < 500 && !fs::exists(port_file_); ++i)
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    port_ = std::stoi(testing::ReadFile(port_file_));
  }
  ~TestServer() {
    kill(pid_, SIGTERM);
    int st = 0;
    waitpid(pid_, &st, 0);
  }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  json Stats() const {
    httplib::Client client("127.0.0.1", port_);
    auto res = client.Get("/stats");
    EXPECT_TRUE(res) << "test server did not answer /stats";
    return res ? json::parse(res->body) : json::object();
  }

 private:
  testing::TempDir dir_;
  std::string port_file_;
  pid_t pid_ = -1;
  int port_ = 0;
};

std::vector<testing::TestPage> Pages(int n, double width_pt = 612,
                                     double height_pt = 792) {
  std::vector<testing::TestPage> pages;
  for (int i = 0; i < n; ++i) {
    testing::TestPage p;
    p.width_pt = width_pt;
    p.height_pt = height_pt;
    p.lines = {"Page number " + std::to_string(i + 1)};
    pages.push_back(p);
  }
  return pages;
}

struct VlmRun {
  testing::CommandResult result;
  std::string out;
  json Record() const {
    fs::directory_iterator it(out + "/results");
    return json::parse(testing::ReadFile(it->path().string()));
  }
  bool HasResult() const {
    return fs::exists(out + "/results") && !fs::is_empty(out + "/results");
  }
  json Stats() const { return json::parse(testing::ReadFile(out + "/stats.json")); }
};

VlmRun RunVlm(const testing::TempDir& dir, const std::string& pdf, const std::string& url,
              std::vector<std::string> extra) {
  VlmRun r;
  r.out = dir.path() + "/out";
  std::vector<std::string> args = {"run",
                                   pdf,
                                   "--out",
                                   r.out,
                                   "--engine",
                                   "vlm",
                                   "--vlm-url",
                                   url,
                                   "--vlm-model",
                                   "test-model",
                                   "--vlm-target-dim",
                                   std::to_string(kTarget),
                                   "--vlm-backoff-ms",
                                   "5",
                                   "--no-progress",
                                   "--stats",
                                   r.out + "/stats.json"};
  args.insert(args.end(), extra.begin(), extra.end());
  r.result = testing::RunPageflow(args);
  return r;
}

TEST(VlmTest, PagesBecomeVlmTextWithTokensAndFrontMatter) {
  testing::TempDir dir;
  const std::string pdf = dir.path() + "/doc.pdf";
  testing::WriteTestPdf(pdf, Pages(3));
  TestServer server({"--olmocr", "--expect-prompt", "front matter section"});
  VlmRun run = RunVlm(dir, pdf, server.url(), {"--vlm-max-inflight", "2"});
  ASSERT_EQ(run.result.exit_code, 0) << run.result.err;
  json rec = run.Record();
  const std::string text = rec["text"].get<std::string>();
  EXPECT_EQ(text.rfind("vlm page ", 0), 0u) << text;
  EXPECT_EQ(rec["metadata"]["engines_used"]["vlm"].get<int>(), 3);
  ASSERT_EQ(rec["metadata"]["page_attributes"].size(), 3u);
  int64_t prompt = 0, completion = 0;
  for (const json& p : rec["metadata"]["page_attributes"]) {
    EXPECT_EQ(p["primary_language"].get<std::string>(), "en");
    EXPECT_EQ(p["attempts"].get<int>(), 1);
    prompt += p["prompt_tokens"].get<int64_t>();
    completion += p["completion_tokens"].get<int64_t>();
  }
  EXPECT_GT(prompt, 0);
  EXPECT_EQ(rec["metadata"]["tokens"]["prompt"].get<int64_t>(), prompt);
  EXPECT_EQ(rec["metadata"]["tokens"]["completion"].get<int64_t>(), completion);
  // The pages differ, so their answers do; front matter is not in the text.
  EXPECT_EQ(text.find("primary_language"), std::string::npos);
  json spans = rec["attributes"]["pdf_page_numbers"];
  ASSERT_EQ(spans.size(), 3u);
  EXPECT_NE(text.substr(spans[0][0].get<int>(), 25),
            text.substr(spans[1][0].get<int>(), 25));
  json stats = server.Stats();
  EXPECT_EQ(stats["invalid"].get<int>(), 0);  // model, prompt, PNG of the target size
  EXPECT_EQ(stats["requests"].get<int>(), 3);
}

TEST(VlmTest, ApiKeyComesFromTheEnvironment) {
  testing::TempDir dir;
  const std::string pdf = dir.path() + "/doc.pdf";
  testing::WriteTestPdf(pdf, Pages(1));
  TestServer server({"--api-key", "sekrit", "--expect-prompt", "Markdown"});
  setenv("PAGEFLOW_VLM_API_KEY", "sekrit", 1);
  VlmRun run = RunVlm(dir, pdf, server.url(),
                      {"--vlm-prompt", "markdown", "--vlm-fallback", "none"});
  unsetenv("PAGEFLOW_VLM_API_KEY");
  ASSERT_EQ(run.result.exit_code, 0) << run.result.err;
  EXPECT_EQ(server.Stats()["invalid"].get<int>(), 0);
}

TEST(VlmTest, ErrorsAndTruncatedAnswersAreRetried) {
  testing::TempDir dir;
  const std::string pdf = dir.path() + "/doc.pdf";
  testing::WriteTestPdf(pdf, Pages(4));
  // Each page: HTTP 500, then finish_reason "length", then a good answer.
  TestServer server({"--fail-first", "1", "--truncate-first", "1"});
  VlmRun run =
      RunVlm(dir, pdf, server.url(), {"--vlm-retries", "2", "--vlm-prompt", "markdown"});
  ASSERT_EQ(run.result.exit_code, 0) << run.result.err;
  json rec = run.Record();
  EXPECT_EQ(rec["metadata"]["engines_used"]["vlm"].get<int>(), 4);
  for (const json& p : rec["metadata"]["page_attributes"])
    EXPECT_EQ(p["attempts"].get<int>(), 3);
  EXPECT_FALSE(rec["metadata"].contains("fallback_pages"));
  EXPECT_EQ(server.Stats()["requests"].get<int>(), 12);
  json engine = run.Stats()["engine_stats"];
  EXPECT_EQ(engine["vlm_requests"].get<int>(), 12);
  EXPECT_EQ(engine["vlm_retries"].get<int>(), 8);
  EXPECT_EQ(engine["vlm_pages"].get<int>(), 4);
  EXPECT_GT(engine["vlm_prompt_tokens"].get<int64_t>(), 0);
}

TEST(VlmTest, ServerThatCannotStartIsFatal) {
  testing::TempDir dir;
  const std::string pdf = dir.path() + "/doc.pdf";
  testing::WriteTestPdf(pdf, Pages(1));
  VlmRun run = RunVlm(dir, pdf, "http://127.0.0.1:" + std::to_string(FreePort()),
                      {"--vlm-serve", "sh -c 'exit 7'"});
  EXPECT_EQ(run.result.exit_code, 3);
  EXPECT_NE(run.result.err.find("exited with code 7 before it was ready"),
            std::string::npos)
      << run.result.err;
}

TEST(VlmTest, PagesThatStillFailFallBackAndAreMarked) {
  testing::TempDir dir;
  const std::string pdf = dir.path() + "/doc.pdf";
  testing::WriteTestPdf(pdf, Pages(3));
  TestServer server({"--fail-images", "1000"});
  VlmRun run =
      RunVlm(dir, pdf, server.url(), {"--vlm-retries", "1", "--vlm-prompt", "markdown"});
  ASSERT_EQ(run.result.exit_code, 0) << run.result.err;
  json rec = run.Record();
  EXPECT_EQ(rec["text"].get<std::string>(),
            "Page number 1\n\nPage number 2\n\nPage number 3");
  EXPECT_EQ(rec["metadata"]["engines_used"]["text-layer"].get<int>(), 3);
  ASSERT_EQ(rec["metadata"]["fallback_pages"].size(), 3u);
  EXPECT_NE(
      rec["metadata"]["fallback_pages"][0]["reason"].get<std::string>().find("HTTP 500"),
      std::string::npos);
  EXPECT_EQ(server.Stats()["requests"].get<int>(), 6);  // 2 attempts per page

  // Without a fallback, the pages fail (named, exit 1) and the rest is still written.
  testing::TempDir dir2;
  VlmRun none =
      RunVlm(dir2, pdf, server.url(), {"--vlm-retries", "0", "--vlm-fallback", "none"});
  EXPECT_EQ(none.result.exit_code, 1);
  EXPECT_EQ(none.Record()["metadata"]["failed_pages"].size(), 3u);
}

TEST(VlmTest, DocumentOverThePageErrorRateIsReportedFailed) {
  testing::TempDir dir;
  const std::string pdf = dir.path() + "/doc.pdf";
  testing::WriteTestPdf(pdf, Pages(4));
  {
    TestServer server({"--fail-images", "1"});  // one page of four always fails: 25%
    VlmRun run = RunVlm(dir, pdf, server.url(),
                        {"--vlm-retries", "1", "--vlm-max-inflight", "1",
                         "--max-page-error-rate", "0.2", "--vlm-prompt", "markdown"});
    EXPECT_EQ(run.result.exit_code, 1);
    EXPECT_FALSE(run.HasResult());
    EXPECT_NE(
        run.result.err.find(
            "0 pages failed and 1 fell back of 4, more than --max-page-error-rate 0.2"),
        std::string::npos)
        << run.result.err;
    EXPECT_EQ(run.Stats()["documents_failed"].get<int>(), 1);
  }
  {
    testing::TempDir dir2;
    TestServer server({"--fail-images", "1"});
    VlmRun run = RunVlm(dir2, pdf, server.url(),
                        {"--vlm-retries", "1", "--vlm-max-inflight", "1",
                         "--max-page-error-rate", "0.3", "--vlm-prompt", "markdown"});
    ASSERT_EQ(run.result.exit_code, 0) << run.result.err;
    EXPECT_EQ(run.Record()["metadata"]["fallback_pages"].size(), 1u);
  }
}

TEST(VlmTest, RequestsInFlightAreBoundedByMaxInflight) {
  testing::TempDir dir;
  const std::string pdf = dir.path() + "/doc.pdf";
  testing::WriteTestPdf(pdf, Pages(40));
  TestServer server({"--delay-ms", "40"});
  VlmRun run = RunVlm(dir, pdf, server.url(),
                      {"--vlm-max-inflight", "3", "--vlm-prompt", "markdown"});
  ASSERT_EQ(run.result.exit_code, 0) << run.result.err;
  json stats = server.Stats();
  EXPECT_EQ(stats["requests"].get<int>(), 40);
  EXPECT_LE(stats["max_concurrent"].get<int>(), 3);
  EXPECT_GE(stats["max_concurrent"].get<int>(), 2);  // it does run requests side by side
  EXPECT_EQ(run.Stats()["workers"].get<int>(), 3);
}

TEST(VlmTest, RotatedPageIsRenderedAgainTurned) {
  testing::TempDir dir;
  const std::string pdf = dir.path() + "/doc.pdf";
  testing::WriteTestPdf(pdf, Pages(2));  // portrait; the server wants landscape
  TestServer server({"--olmocr", "--landscape"});
  VlmRun run = RunVlm(dir, pdf, server.url(), {});
  ASSERT_EQ(run.result.exit_code, 0) << run.result.err;
  json rec = run.Record();
  for (const json& p : rec["metadata"]["page_attributes"]) {
    EXPECT_EQ(p["rotation"].get<int>(), 90);
    EXPECT_EQ(p["attempts"].get<int>(), 2);
    EXPECT_TRUE(p["is_rotation_valid"].get<bool>());
  }
  EXPECT_EQ(server.Stats()["invalid"].get<int>(), 0);
}

TEST(VlmTest, UnreachableServerBacksOffThenFallsBackWithoutFailingTheRun) {
  testing::TempDir dir;
  const std::string pdf = dir.path() + "/doc.pdf";
  testing::WriteTestPdf(pdf, Pages(2));
  VlmRun run = RunVlm(dir, pdf, "http://127.0.0.1:" + std::to_string(FreePort()),
                      {"--vlm-unreachable-timeout", "1", "--vlm-retries", "0"});
  ASSERT_EQ(run.result.exit_code, 0) << run.result.err;
  json rec = run.Record();
  ASSERT_EQ(rec["metadata"]["fallback_pages"].size(), 2u);
  const std::string reason =
      rec["metadata"]["fallback_pages"][0]["reason"].get<std::string>();
  EXPECT_NE(reason.find("unreachable"), std::string::npos) << reason;
  EXPECT_NE(reason.find("after 0 attempts"), std::string::npos)
      << reason;  // connection errors use none
}

// Item 8 of issue 17: a 4xx other than 408/429 is permanent.
TEST(VlmTest, AnUnknownModelIsNotRetriedAndTheServersWordsAreLogged) {
  testing::TempDir dir;
  const std::string pdf = dir.path() + "/doc.pdf";
  testing::WriteTestPdf(pdf, Pages(3));
  TestServer server({"--model", "another-model"});  // asked for test-model
  VlmRun run =
      RunVlm(dir, pdf, server.url(),
             {"--vlm-retries", "4", "--vlm-max-inflight", "1", "--vlm-fallback", "none"});
  EXPECT_EQ(run.result.exit_code, 1) << run.result.err;
  EXPECT_EQ(server.Stats()["requests"].get<int>(), 3);  // one per page, none retried
  const std::string said =
      "the server refused the request (HTTP 404: The model "
      "`test-model` does not exist.); not retried";
  const size_t first = run.result.err.find("error: vlm: page 1 of " + pdf + ": " + said);
  EXPECT_NE(first, std::string::npos) << run.result.err;
  EXPECT_EQ(run.result.err.find("error: vlm:", first + 1), std::string::npos)
      << "logged once: " << run.result.err;
}

TEST(VlmTest, AnUnreachableServerIsLoggedOnceWithThePagesWaiting) {
  testing::TempDir dir;
  const std::string pdf = dir.path() + "/doc.pdf";
  testing::WriteTestPdf(pdf, Pages(2));
  const std::string url = "http://127.0.0.1:" + std::to_string(FreePort());
  VlmRun run = RunVlm(dir, pdf, url,
                      {"--vlm-unreachable-timeout", "2", "--vlm-max-inflight", "2"});
  ASSERT_EQ(run.result.exit_code, 0) << run.result.err;
  const std::regex line("warning: vlm: server " + url +
                        R"( does not answer \(.*\) for 0 s; [12] pages? waiting)");
  EXPECT_TRUE(std::regex_search(run.result.err, line)) << run.result.err;
  // Within --vlm-unreachable-timeout 2 s, once (the next would come 30 s later).
  const std::string needle = "does not answer";
  const size_t first = run.result.err.find(needle);
  EXPECT_EQ(run.result.err.find(needle, first + 1), std::string::npos) << run.result.err;
}

TEST(VlmTest, AFallbackToAGarbledTextLayerFailsThePage) {
  testing::TempDir dir;
  const std::string pdf = dir.path() + "/doc.pdf";
  // Consonants only: the quality check `auto` uses rejects such a layer as garbled.
  testing::TestPage garbled;
  for (int i = 0; i < 12; ++i)
    garbled.lines.push_back("Xkcd brr pfft tsk hmm grr psst shh");
  testing::TestPage good;
  good.lines = {"A readable text layer with plenty of ordinary words in it,",
                "enough of them to pass the quality check of auto easily."};
  testing::WriteTestPdf(pdf, {garbled, good});
  TestServer server({"--fail-images", "1000"});
  VlmRun run =
      RunVlm(dir, pdf, server.url(), {"--vlm-retries", "0", "--vlm-prompt", "markdown"});
  EXPECT_EQ(run.result.exit_code, 1) << run.result.err;
  json rec = run.Record();
  ASSERT_EQ(rec["metadata"]["failed_pages"].size(), 1u) << rec.dump();
  EXPECT_EQ(rec["metadata"]["failed_pages"][0]["page"], 1);
  EXPECT_NE(rec["metadata"]["failed_pages"][0].dump().find("text layer looks garbled"),
            std::string::npos)
      << rec.dump();
  EXPECT_EQ(rec["text"].get<std::string>().find("pfft"), std::string::npos);
  EXPECT_NE(rec["text"].get<std::string>().find("readable text layer"),
            std::string::npos);
}

TEST(VlmTest, StopRequestEndsWaitingForAnUnreachableServer) {
  testing::TempDir dir;
  const std::string pdf = dir.path() + "/doc.pdf";
  testing::WriteTestPdf(pdf, Pages(2));
  const int pid = testing::StartPageflow(
      {"run", pdf, "--out", dir.path() + "/out", "--engine", "vlm", "--vlm-url",
       "http://127.0.0.1:" + std::to_string(FreePort()), "--vlm-unreachable-timeout",
       "3600", "--no-progress"});
  // Signals are handled once the workspace exists (it is opened after they are
  // installed).
  for (int i = 0; i < 300 && !fs::exists(dir.path() + "/out/.pageflow"); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  kill(pid, SIGINT);
  int status = 0;
  pid_t done = 0;
  // A hang guard, not a timing assertion: without the stop it would wait an hour.
  for (int i = 0; i < 600 && (done = waitpid(pid, &status, WNOHANG)) == 0; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  if (done == 0) kill(pid, SIGKILL), waitpid(pid, &status, 0);
  ASSERT_EQ(done, pid) << "pageflow did not stop";
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 1);  // interrupted: re-run to resume
  EXPECT_FALSE(fs::exists(dir.path() + "/out/results") &&
               !fs::is_empty(dir.path() + "/out/results"));
}

TEST(VlmTest, FiveHundredPagesWithASlowServerStayUnderTheMemoryLimit) {
  testing::TempDir dir;
  const std::string pdf = dir.path() + "/long.pdf";
  testing::WriteTestPdf(pdf, Pages(500));
  TestServer server({"--delay-ms", "15"});
  // Fixed: 16 MiB PDF store + 16 slots x 4 MiB. Each request reserves its answer buffer
  // (12 bytes per max token: 4.6 MiB here), so the budget, not --vlm-max-inflight, is
  // what bounds the requests in flight.
  const int64_t limit = 120ll << 20;
  VlmRun run = RunVlm(dir, pdf, server.url(),
                      {"--vlm-max-inflight", "16", "--memory-limit", "120M",
                       "--pdf-store", "16M", "--vlm-prompt", "markdown", "--vlm-fallback",
                       "none", "--vlm-max-tokens", "400000"});
  ASSERT_EQ(run.result.exit_code, 0) << run.result.err;
  json stats = run.Stats();
  std::cerr << "500 pages: peak RSS "
            << stats["peak_rss_bytes"].get<int64_t>() / 1048576.0 << " MiB, reserved "
            << stats["peak_reserved_bytes"].get<int64_t>() / 1048576.0
            << " MiB, budget waits " << stats["budget_waits"].get<int64_t>()
            << ", max concurrent " << server.Stats()["max_concurrent"].get<int>() << "\n";
  EXPECT_GT(stats["budget_waits"].get<int64_t>(), 0);
  EXPECT_LT(server.Stats()["max_concurrent"].get<int>(), 16);
  EXPECT_EQ(stats["pages"].get<int>(), 500);
  EXPECT_EQ(server.Stats()["requests"].get<int>(), 500);
  EXPECT_LE(server.Stats()["max_concurrent"].get<int>(), 16);
  if (testing::kRssIsMeaningful) {
    EXPECT_LT(stats["peak_rss_bytes"].get<int64_t>(), limit);
  } else {
    testing::NoteSkippedCheck("peak RSS < the limit", "RSS means nothing under ASan");
  }
}

TEST(VlmTest, ServeStartsTheServerAndRestartsItWhenItDies) {
  testing::TempDir dir;
  const std::string pdf = dir.path() + "/doc.pdf";
  testing::WriteTestPdf(pdf, Pages(8));
  const int port = FreePort();
  const std::string log = dir.path() + "/server.log";
  const std::string cmd = ServerBin() + " --port " + std::to_string(port) + " --target " +
                          std::to_string(kTarget) + " --die-after 4 --log " + log;
  VlmRun run = RunVlm(dir, pdf, "http://127.0.0.1:" + std::to_string(port),
                      {"--vlm-serve", cmd, "--gpu-memory-utilization", "0.5",
                       "--max-model-len", "4096", "--enforce-eager", "--vlm-prompt",
                       "markdown", "--vlm-max-inflight", "2", "--vlm-fallback", "none"});
  ASSERT_EQ(run.result.exit_code, 0) << run.result.err;
  EXPECT_EQ(run.Record()["metadata"]["engines_used"]["vlm"].get<int>(), 8);
  EXPECT_GE(run.Stats()["engine_stats"]["vlm_server_restarts"].get<int>(), 2);
  EXPECT_GT(run.Stats()["engine_stats"]["vlm_connection_errors"].get<int>(), 0);
  const std::string starts = testing::ReadFile(log);
  EXPECT_GE(std::count(starts.begin(), starts.end(), '\n'), 3)
      << starts;  // 3 answers per life: restarted
  EXPECT_NE(
      starts.find("--gpu-memory-utilization 0.5 --max-model-len 4096 --enforce-eager"),
      std::string::npos)
      << starts;
  // Stopped at the end: nothing listens on the port any more.
  httplib::Client client("127.0.0.1", port);
  EXPECT_FALSE(client.Get("/v1/models"));
}

// serve started with --vlm-url offers vlm: a job completes through the test server, and
// its Dolma record is the one `run --engine vlm` writes (text, spans, tokens, metadata
// keys).
TEST(VlmTest, ServeWithAVlmUrlRunsVlmJobsAndReturnsRunsRecord) {
  testing::TempDir dir;
  const std::string pdf = dir.path() + "/doc.pdf";
  testing::WriteTestPdf(pdf, Pages(2));
  TestServer server({"--olmocr"});
  VlmRun run = RunVlm(dir, pdf, server.url(), {"--vlm-max-inflight", "1"});
  ASSERT_EQ(run.result.exit_code, 0) << run.result.err;
  const json ran = run.Record();

  const std::string port_file = dir.path() + "/serve-port";
  const int pid = testing::StartPageflow(
      {"serve", "--listen", "127.0.0.1:0", "--port-file", port_file, "--workers", "1",
       "--engines", "auto,vlm", "--vlm-url", server.url(), "--vlm-model", "test-model",
       "--vlm-target-dim", std::to_string(kTarget), "--vlm-backoff-ms", "5"});
  for (int i = 0; i < 3000 && !fs::exists(port_file); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  ASSERT_TRUE(fs::exists(port_file)) << "serve did not start";
  httplib::Client client("127.0.0.1", std::stoi(testing::ReadFile(port_file)));
  client.set_read_timeout(60);
  auto created =
      client.Post("/v1/jobs?engine=vlm", testing::ReadFile(pdf), "application/pdf");
  ASSERT_TRUE(created);
  ASSERT_EQ(created->status, 202) << created->body;
  const std::string id = json::parse(created->body)["id"].get<std::string>();
  bool done = false;
  for (int i = 0; i < 600 && !done; ++i) {
    auto r = client.Get("/v1/jobs/" + id);
    done = r && r->status == 200 &&
           json::parse(r->body)["status"].get<std::string>() == "done";
    if (!done) std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  ASSERT_TRUE(done);
  auto record = client.Get("/v1/jobs/" + id + "/result?format=jsonl");
  ASSERT_TRUE(record);
  ASSERT_EQ(record->status, 200) << record->body;
  const json served = json::parse(record->body);
  EXPECT_EQ(served["text"], ran["text"]);
  EXPECT_EQ(served["attributes"], ran["attributes"]);
  EXPECT_EQ(served["metadata"]["engines_used"], ran["metadata"]["engines_used"]);
  EXPECT_EQ(served["metadata"]["tokens"], ran["metadata"]["tokens"]);
  std::vector<std::string> served_keys, ran_keys;
  for (auto it = served["metadata"].begin(); it != served["metadata"].end(); ++it) {
    served_keys.push_back(it.key());
  }
  for (auto it = ran["metadata"].begin(); it != ran["metadata"].end(); ++it) {
    ran_keys.push_back(it.key());
  }
  EXPECT_EQ(served_keys, ran_keys);
  kill(pid, SIGTERM);
  int status = 0;
  waitpid(pid, &status, 0);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

}  // namespace
}  // namespace pageflow
