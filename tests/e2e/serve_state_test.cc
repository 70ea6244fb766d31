// End-to-end tests of `pageflow serve --state-dir` (issue 14 item 7): accepted jobs
// survive a restart. The real binary is killed with SIGKILL mid-job and started again
// on the same state directory; the job keeps its id, runs on from its saved page ranges
// and its result holds every page once. Finished results survive a restart and expire
// after --job-ttl; SIGTERM keeps unfinished jobs for the next start.
#include <httplib.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <thread>

#include "testing/serve_process.h"
#include "testing/test_util.h"

namespace pageflow {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using testing::Eventually;
using testing::Lines;
using testing::ServeProcess;

// serve's flags after --state-dir `state`.
std::vector<std::string> WithState(const std::string& state,
                                   std::vector<std::string> flags) {
  flags.insert(flags.begin(), {"--state-dir", state});
  return flags;
}

std::string NumberedPdf(const std::string& dir, int n) {
  std::vector<testing::TestPage> pages;
  for (int i = 1; i <= n; ++i)
    pages.push_back({.lines = {"Marker page " + std::to_string(i)}});
  const std::string path = dir + "/doc" + std::to_string(n) + ".pdf";
  testing::WriteTestPdf(path, pages);
  return testing::ReadFile(path);
}

int64_t PagesProcessed(const ServeProcess& server, const std::string& engine) {
  auto r = server.Client()->Get("/metrics");
  if (!r) return -1;
  const std::string series = "pageflow_pages_processed_total{engine=\"" + engine + "\"} ";
  const size_t at = r->body.find(series);
  if (at == std::string::npos) return 0;
  return std::stoll(r->body.substr(at + series.size()));
}

int FilesBelow(const std::string& dir) {
  int n = 0;
  for (auto& e : fs::recursive_directory_iterator(dir))
    n += e.is_regular_file() && e.path().filename() != "lock";
  return n;
}

std::string Submit(const ServeProcess& server, const std::string& query,
                   const std::string& pdf) {
  auto created = server.Client()->Post("/v1/jobs" + query, pdf, "application/pdf");
  EXPECT_TRUE(created);
  if (!created) return "";
  EXPECT_EQ(created->status, 202) << created->body;
  return json::parse(created->body).value("id", "");
}

// SIGKILL while a 40-page job runs (Tesseract at 72 dpi, one worker: a fraction of a
// second a page): after a restart on the same state directory the job has the same id,
// runs on from its last saved range (pages before it are not done again) and its result
// holds pages 1..40 once each, in order.
TEST(ServeStateTest, AJobKilledMidwayCompletesAfterARestartWithEveryPageOnce) {
  testing::TempDir dir;
  const std::string state = dir.path() + "/state";
  const std::vector<std::string> flags = {"--engine", "tesseract", "--workers",
                                          "1",        "--dpi",     "72"};
  const std::string pdf = NumberedPdf(dir.path(), 40);
  std::string id;
  int done_before_kill = 0;
  {
    ServeProcess server(dir.path(), WithState(state, flags));
    id = Submit(server, "", pdf);
    ASSERT_FALSE(id.empty());
    ASSERT_TRUE(Eventually([&] {
      done_before_kill = server.Job(id).value("pages_done", 0);
      return done_before_kill >= 12;
    }));
    ASSERT_LT(done_before_kill, 40) << "the job finished before it could be killed";
    EXPECT_EQ(server.Signal(SIGKILL), 128 + SIGKILL);
  }
  ServeProcess server(dir.path(), WithState(state, flags));
  const json before = server.Job(id);
  ASSERT_FALSE(before.empty()) << "the job is not known after the restart";
  EXPECT_EQ(before["pages"].get<int>(), 40);
  ASSERT_TRUE(server.WaitDone(id));
  // Whole saved ranges (8 pages) were not done again.
  const int64_t redone = PagesProcessed(server, "tesseract");
  EXPECT_GT(redone, 0);
  EXPECT_LE(redone, 40 - 8) << "the job started again from page 1";
  auto result = server.Client()->Get("/v1/jobs/" + id + "/result");
  ASSERT_TRUE(result);
  ASSERT_EQ(result->status, 200) << result->body;
  const std::vector<json> lines = Lines(result->body);
  ASSERT_EQ(lines.size(), 41u) << result->body;
  for (int i = 0; i < 40; ++i) {
    EXPECT_EQ(lines[i]["type"], "page");
    EXPECT_EQ(lines[i]["page"].get<int>(), i + 1);
    EXPECT_FALSE(lines[i].contains("error")) << lines[i].dump();
  }
  EXPECT_EQ(lines[40]["type"], "summary");
  EXPECT_EQ(lines[40]["id"], id);
  EXPECT_EQ(lines[40]["status"], "done");
  EXPECT_EQ(lines[40]["pages_done"].get<int>(), 40);
  // The finished job's saved ranges are dropped; its upload stays until the job expires
  // or is deleted (its page images and searchable PDF are made from it).
  EXPECT_FALSE(fs::exists(state + "/.pageflow/ranges/" + id));
  EXPECT_FALSE(fs::is_empty(state + "/uploads"));
  auto deleted = server.Client()->Delete("/v1/jobs/" + id);
  ASSERT_TRUE(deleted);
  EXPECT_EQ(deleted->status, 200);
  EXPECT_TRUE(fs::is_empty(state + "/uploads"));
}

// A finished result is served by id after SIGKILL and a restart, in every format, and
// expires after --job-ttl, its files with it, whether the server ran meanwhile or not.
TEST(ServeStateTest, AFinishedResultSurvivesARestartAndExpiresAfterTheTtl) {
  testing::TempDir dir;
  const std::string state = dir.path() + "/state";
  const std::vector<std::string> flags = {"--engine", "text-layer", "--job-ttl", "5"};
  std::string id;
  {
    ServeProcess server(dir.path(), WithState(state, flags));
    id = Submit(server, "", NumberedPdf(dir.path(), 3));
    ASSERT_TRUE(server.WaitDone(id));
    EXPECT_EQ(server.Signal(SIGKILL), 128 + SIGKILL);
  }
  {
    ServeProcess server(dir.path(), WithState(state, flags));
    const json status = server.Job(id);
    ASSERT_FALSE(status.empty()) << "the finished job is not known after the restart";
    EXPECT_EQ(status["status"], "done");
    EXPECT_EQ(status["pages_done"].get<int>(), 3);
    auto text = server.Client()->Get("/v1/jobs/" + id + "/result?format=text");
    ASSERT_TRUE(text);
    ASSERT_EQ(text->status, 200) << text->body;
    EXPECT_EQ(text->body, "Marker page 1\n\fMarker page 2\n\fMarker page 3\n");
    EXPECT_EQ(server.Signal(SIGKILL), 128 + SIGKILL);
  }
  // Past the TTL while no server ran: the next start drops it.
  std::this_thread::sleep_for(std::chrono::seconds(6));
  {
    ServeProcess server(dir.path(), WithState(state, flags));
    auto r = server.Client()->Get("/v1/jobs/" + id);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 404) << r->body;
    EXPECT_EQ(FilesBelow(state), 0);
    // And one that expires while the server runs goes too.
    const std::string other = Submit(server, "", NumberedPdf(dir.path(), 1));
    ASSERT_TRUE(server.WaitDone(other));
    EXPECT_TRUE(Eventually([&] {
      auto g = server.Client()->Get("/v1/jobs/" + other);
      return g && g->status == 404;
    }));
    EXPECT_TRUE(Eventually([&] { return FilesBelow(state) == 0; }));
  }
}

// SIGTERM with a state directory: the queued and running jobs stay on disk (uploads
// included) and run after the next start; a deleted job does not come back.
TEST(ServeStateTest, SigtermKeepsUnfinishedJobsForTheNextStart) {
  testing::TempDir dir;
  const std::string state = dir.path() + "/state";
  const std::vector<std::string> flags = {"--engine", "tesseract", "--workers",  "1",
                                          "--dpi",    "72",        "--max-jobs", "1"};
  const std::string pdf = NumberedPdf(dir.path(), 24);
  std::string running, queued, deleted;
  {
    ServeProcess server(dir.path(), WithState(state, flags));
    running = Submit(server, "", pdf);
    queued = Submit(server, "", pdf);
    deleted = Submit(server, "", pdf);
    ASSERT_TRUE(
        Eventually([&] { return server.Job(running).value("pages_done", 0) >= 1; }));
    auto d = server.Client()->Delete("/v1/jobs/" + deleted);
    ASSERT_TRUE(d);
    EXPECT_EQ(d->status, 200);
    EXPECT_EQ(server.Job(queued).value("status", ""), "queued");
    EXPECT_EQ(server.Signal(SIGTERM), 0);
  }
  int uploads = 0;
  for (auto& e : fs::directory_iterator(state + "/uploads"))
    uploads += e.is_regular_file();
  EXPECT_EQ(uploads, 2);
  ServeProcess server(dir.path(), WithState(state, flags));
  auto gone = server.Client()->Get("/v1/jobs/" + deleted);
  ASSERT_TRUE(gone);
  EXPECT_EQ(gone->status, 404);
  for (const std::string& id : {running, queued}) {
    ASSERT_TRUE(server.WaitDone(id)) << id;
    auto result = server.Client()->Get("/v1/jobs/" + id + "/result?format=json");
    ASSERT_TRUE(result);
    ASSERT_EQ(result->status, 200);
    const json doc = json::parse(result->body);
    ASSERT_EQ(doc["pages"].size(), 24u);
    for (int i = 0; i < 24; ++i) EXPECT_EQ(doc["pages"][i]["page"].get<int>(), i + 1);
  }
}

// pages= is kept with the job: killed midway (past its first saved range), a job of
// pages 3-38 of 40 goes on after a restart and its result is those pages once each.
TEST(ServeStateTest, APageSelectionSurvivesARestart) {
  testing::TempDir dir;
  const std::string state = dir.path() + "/state";
  const std::vector<std::string> flags = {"--engine", "tesseract", "--workers",
                                          "1",        "--dpi",     "72"};
  std::string id;
  {
    ServeProcess server(dir.path(), WithState(state, flags));
    id = Submit(server, "?pages=3-38", NumberedPdf(dir.path(), 40));
    ASSERT_FALSE(id.empty());
    int done = 0;
    ASSERT_TRUE(Eventually([&] {
      done = server.Job(id).value("pages_done", 0);
      return done >= 10;
    }));
    ASSERT_LT(done, 36) << "the job finished before it could be killed";
    EXPECT_EQ(server.Signal(SIGKILL), 128 + SIGKILL);
  }
  ServeProcess server(dir.path(), WithState(state, flags));
  EXPECT_EQ(server.Job(id).value("pages", 0), 36);
  ASSERT_TRUE(server.WaitDone(id));
  EXPECT_LE(PagesProcessed(server, "tesseract"), 36 - 8) << "saved pages were redone";
  auto result = server.Client()->Get("/v1/jobs/" + id + "/result?format=json");
  ASSERT_TRUE(result);
  ASSERT_EQ(result->status, 200) << result->body;
  const json doc = json::parse(result->body);
  ASSERT_EQ(doc["pages"].size(), 36u);
  for (int i = 0; i < 36; ++i) EXPECT_EQ(doc["pages"][i]["page"].get<int>(), i + 3);
  EXPECT_EQ(doc["summary"]["pages_done"].get<int>(), 36);
  auto jsonl = server.Client()->Get("/v1/jobs/" + id + "/result?format=jsonl");
  ASSERT_TRUE(jsonl);
  ASSERT_EQ(jsonl->status, 200) << jsonl->body;
  EXPECT_EQ(json::parse(jsonl->body)["metadata"]["pdf_total_pages"].get<int>(), 40);
}

// One state directory, one server: a second one on it refuses to start.
TEST(ServeStateTest, ASecondServerOnTheSameStateDirectoryRefusesToStart) {
  testing::TempDir dir;
  const std::string state = dir.path() + "/state";
  ServeProcess server(dir.path(), WithState(state, {"--engine", "text-layer"}));
  testing::CommandResult second =
      testing::RunPageflow({"serve", "--listen", "127.0.0.1:0", "--engine", "text-layer",
                            "--state-dir", state});
  EXPECT_NE(second.exit_code, 0);
  EXPECT_NE(second.err.find("in use by another pageflow serve"), std::string::npos)
      << second.err;
}

}  // namespace
}  // namespace pageflow
