// End-to-end tests of `pageflow serve`: the real binary on a free loopback port, driven
// with cpp-httplib's client. Streaming NDJSON, the jobs lifecycle, error bodies
// (400/413/415/429), cancel on disconnect freeing the budget, and the bearer token.
#include <arpa/inet.h>
#include <httplib.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
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
using testing::SilentServer;

// Generous deadlines for things that happen "eventually"; tests never assert on time.
// Spooled uploads left in the server's spool directory or its state directory below it
// (results stay until they expire).
int Uploads(const std::string& spool) {
  int n = 0;
  for (auto& e : fs::recursive_directory_iterator(spool))
    n += e.path().filename().string().rfind("upload-", 0) == 0;
  return n;
}

// Files of jobs below the spool directory (the state directory's lock is not one).
int JobFiles(const std::string& spool) {
  int n = 0;
  for (auto& e : fs::recursive_directory_iterator(spool))
    n += e.is_regular_file() && e.path().filename() != "lock";
  return n;
}

std::vector<testing::TestPage> NumberedPages(int n) {
  std::vector<testing::TestPage> pages;
  for (int i = 1; i <= n; ++i)
    pages.push_back({.lines = {"Marker page " + std::to_string(i)}});
  return pages;
}

std::string Pdf(const std::string& dir, int pages) {
  const std::string path = dir + "/doc" + std::to_string(pages) + ".pdf";
  testing::WriteTestPdf(path, NumberedPages(pages));
  return testing::ReadFile(path);
}

std::string ErrorCode(const httplib::Result& r) {
  if (!r) return "<no response>";
  const json j = json::parse(r->body, nullptr, false);
  if (j.is_discarded() || !j.contains("error"))
    return "<not a JSON error: " + r->body + ">";
  EXPECT_FALSE(j["error"]["message"].get<std::string>().empty());
  return j["error"]["code"].get<std::string>();
}

// The response is an HTTP `status` with a JSON error body of `code` (and a message).
void ExpectError(const httplib::Result& r, int status, const std::string& code) {
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, status);
  EXPECT_EQ(ErrorCode(r), code);
}

int64_t MetricValue(const std::string& metrics, const std::string& series) {
  std::istringstream in(metrics);
  for (std::string line; std::getline(in, line);) {
    if (line.rfind(series + " ", 0) == 0)
      return static_cast<int64_t>(std::stod(line.substr(series.size() + 1)));
  }
  return -1;
}

TEST(ServeTest, StreamsOneNdjsonLinePerPageInOrderThenASummary) {
  ServeProcess server({"--engine", "text-layer", "--workers", "2"});
  const std::string pdf = Pdf(server.dir(), 6);
  auto r = server.Client()->Post("/v1/ocr?format=ndjson", pdf, "application/pdf");
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200) << r->body;
  EXPECT_EQ(r->get_header_value("Content-Type"), "application/x-ndjson");
  const std::vector<json> lines = Lines(r->body);
  ASSERT_EQ(lines.size(), 7u) << r->body;
  for (int i = 0; i < 6; ++i) {
    EXPECT_EQ(lines[i]["type"].get<std::string>(), "page");
    EXPECT_EQ(lines[i]["page"].get<int>(), i + 1);
    EXPECT_EQ(lines[i]["text"].get<std::string>(),
              "Marker page " + std::to_string(i + 1));
    EXPECT_EQ(lines[i]["engine"].get<std::string>(), "text-layer");
  }
  EXPECT_EQ(lines[6]["type"].get<std::string>(), "summary");
  EXPECT_EQ(lines[6]["status"].get<std::string>(), "done");
  EXPECT_EQ(lines[6]["pages"].get<int>(), 6);
  EXPECT_EQ(lines[6]["pages_failed"].get<int>(), 0);

  // The same document as a multipart upload, rendered as Markdown.
  httplib::MultipartFormDataItems items = {{"file", pdf, "doc.pdf", "application/pdf"}};
  auto md = server.Client()->Post("/v1/ocr?format=markdown", items);
  ASSERT_TRUE(md);
  ASSERT_EQ(md->status, 200) << md->body;
  EXPECT_NE(md->body.find("<!-- page 1 -->\n\nMarker page 1\n\n<!-- page 2 -->"),
            std::string::npos)
      << md->body;

  auto metrics = server.Client()->Get("/metrics");
  ASSERT_TRUE(metrics);
  EXPECT_EQ(
      MetricValue(metrics->body, "pageflow_pages_processed_total{engine=\"text-layer\"}"),
      12)
      << metrics->body;
  EXPECT_GT(MetricValue(metrics->body, "pageflow_budget_bytes{kind=\"limit\"}"), 0);
  EXPECT_NE(metrics->body.find("pageflow_stage_seconds_bucket{stage=\"recognize\""),
            std::string::npos);
}

// pages=, as run --pages: only the selected pages are recognized, each keeping its page
// number; the job counts them only. Pages past the end are left out as run leaves
// them; a selection with none in the document, 0 or a non-number is 400.
TEST(ServeTest, PagesSelectsWhichPagesAreRecognized) {
  ServeProcess server({"--engine", "text-layer", "--workers", "2"});
  const std::string pdf = Pdf(server.dir(), 5);
  auto r = server.Client()->Post("/v1/ocr?pages=4,2", pdf, "application/pdf");
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200) << r->body;
  const std::vector<json> lines = Lines(r->body);
  ASSERT_EQ(lines.size(), 3u) << r->body;
  for (int i = 0; i < 2; ++i) {
    const int page = 2 + 2 * i;
    EXPECT_EQ(lines[i]["page"].get<int>(), page);
    EXPECT_EQ(lines[i]["text"].get<std::string>(), "Marker page " + std::to_string(page));
  }
  EXPECT_EQ(lines[2]["type"].get<std::string>(), "summary");
  EXPECT_EQ(lines[2]["status"].get<std::string>(), "done");
  EXPECT_EQ(lines[2]["pages"].get<int>(), 2);
  EXPECT_EQ(lines[2]["pages_done"].get<int>(), 2);

  // A job: its pages count, its result, its page images by their page numbers.
  auto created = server.Client()->Post("/v1/jobs?pages=4-9", pdf, "application/pdf");
  ASSERT_TRUE(created);
  ASSERT_EQ(created->status, 202) << created->body;
  const json job = json::parse(created->body);
  EXPECT_EQ(job["pages"].get<int>(), 2);
  const std::string id = job["id"].get<std::string>();
  ASSERT_TRUE(Eventually([&] {
    auto s = server.Client()->Get("/v1/jobs/" + id);
    return s && s->status == 200 && json::parse(s->body)["status"] == "done";
  }));
  auto text = server.Client()->Get("/v1/jobs/" + id + "/result?format=text");
  ASSERT_TRUE(text);
  EXPECT_EQ(text->body, "Marker page 4\n\fMarker page 5\n");
  auto jsonl = server.Client()->Get("/v1/jobs/" + id + "/result?format=jsonl");
  ASSERT_TRUE(jsonl);
  ASSERT_EQ(jsonl->status, 200) << jsonl->body;
  const json record = json::parse(jsonl->body);
  EXPECT_EQ(record["metadata"]["pdf_total_pages"].get<int>(), 5) << jsonl->body;
  EXPECT_EQ(record["attributes"]["pdf_page_numbers"][1][2].get<int>(), 5) << jsonl->body;
  auto searchable = server.Client()->Get("/v1/jobs/" + id + "/result?format=pdf");
  ASSERT_TRUE(searchable);
  EXPECT_EQ(searchable->status, 200) << searchable->body;
  auto image = server.Client()->Get("/v1/jobs/" + id + "/pages/5/image?width=64");
  ASSERT_TRUE(image);
  EXPECT_EQ(image->status, 200) << image->body;
  ExpectError(server.Client()->Get("/v1/jobs/" + id + "/pages/2/image"), 404,
              "not_found");

  for (const char* bad : {"0", "abc", "3-2", "6-9"}) {
    auto refused = server.Client()->Post(std::string("/v1/ocr?pages=") + bad, pdf,
                                         "application/pdf");
    ExpectError(refused, 400, "invalid_argument");
    EXPECT_NE(refused->body.find("pages"), std::string::npos) << refused->body;
  }
  ExpectError(server.Client()->Post("/v1/jobs?pages=0", pdf, "application/pdf"), 400,
              "invalid_argument");
}

TEST(ServeTest, JobsLifecycle) {
  ServeProcess server({"--engine", "text-layer", "--job-ttl", "600"});
  const std::string pdf = Pdf(server.dir(), 3);
  auto created = server.Client()->Post("/v1/jobs", pdf, "application/pdf");
  ASSERT_TRUE(created);
  ASSERT_EQ(created->status, 202) << created->body;
  const json job = json::parse(created->body);
  const std::string id = job["id"].get<std::string>();
  EXPECT_EQ(created->get_header_value("Location"), "/v1/jobs/" + id);
  EXPECT_EQ(job["pages"].get<int>(), 3);

  json status;
  ASSERT_TRUE(Eventually([&] {
    auto r = server.Client()->Get("/v1/jobs/" + id);
    if (!r || r->status != 200) return false;
    status = json::parse(r->body);
    return status["status"].get<std::string>() == "done";
  }));
  EXPECT_EQ(status["pages_done"].get<int>(), 3);

  auto result = server.Client()->Get("/v1/jobs/" + id + "/result?format=json");
  ASSERT_TRUE(result);
  ASSERT_EQ(result->status, 200) << result->body;
  const json doc = json::parse(result->body);
  ASSERT_EQ(doc["pages"].size(), 3u);
  EXPECT_EQ(doc["pages"][2]["text"].get<std::string>(), "Marker page 3");
  EXPECT_EQ(doc["summary"]["status"].get<std::string>(), "done");
  auto text = server.Client()->Get("/v1/jobs/" + id + "/result?format=text");
  ASSERT_TRUE(text);
  EXPECT_EQ(text->body, "Marker page 1\n\fMarker page 2\n\fMarker page 3\n");

  auto deleted = server.Client()->Delete("/v1/jobs/" + id);
  ASSERT_TRUE(deleted);
  EXPECT_EQ(deleted->status, 200);
  ExpectError(server.Client()->Get("/v1/jobs/" + id), 404, "not_found");
  // Nothing of the job stays in the spool directory.
  EXPECT_TRUE(Eventually([&] { return JobFiles(server.spool()) == 0; }));
}

TEST(ServeTest, FinishedJobsExpire) {
  ServeProcess server({"--engine", "text-layer", "--job-ttl", "1"});
  auto created =
      server.Client()->Post("/v1/jobs", Pdf(server.dir(), 1), "application/pdf");
  ASSERT_TRUE(created);
  ASSERT_EQ(created->status, 202) << created->body;
  const std::string id = json::parse(created->body)["id"].get<std::string>();
  int last = 0;
  EXPECT_TRUE(Eventually([&] {
    auto r = server.Client()->Get("/v1/jobs/" + id);
    last = r ? r->status : -1;
    return last == 404;
  })) << last;
  EXPECT_EQ(JobFiles(server.spool()), 0);  // its result went with it
}

TEST(ServeTest, RefusesWithJsonErrors) {
  ServeProcess server({"--engine", "text-layer", "--max-upload", "64k"});
  // 413: declared too large, refused before the body is read.
  const std::string big(200 << 10, 'x');
  ExpectError(server.Client()->Post("/v1/ocr", big, "application/pdf"), 413, "too_large");
  // 415: a type we do not read, and bytes that are no document whatever the type says.
  ExpectError(server.Client()->Post("/v1/ocr", "hello", "text/plain"), 415,
              "unsupported");
  ExpectError(server.Client()->Post("/v1/ocr", "GIF89a not supported", "application/pdf"),
              415, "unsupported");
  // 400: a PDF header over garbage, and bad parameters.
  ExpectError(server.Client()->Post("/v1/jobs", "%PDF-1.7\nthis is not the rest of a PDF",
                                    "application/pdf"),
              400, "corrupt");
  ExpectError(server.Client()->Post("/v1/ocr?engine=nope", "%PDF-1.7", "application/pdf"),
              400, "invalid_argument");
  ExpectError(server.Client()->Get("/v1/jobs/0123456789abcdef"), 404, "not_found");
  // The server still works after all that, and counted the refusals.
  auto ok = server.Client()->Post("/v1/ocr", Pdf(server.dir(), 1), "application/pdf");
  ASSERT_TRUE(ok);
  EXPECT_EQ(ok->status, 200);
  auto metrics = server.Client()->Get("/metrics");
  ASSERT_TRUE(metrics);
  EXPECT_EQ(MetricValue(metrics->body, "pageflow_rejections_total{reason=\"too_large\"}"),
            1);
  EXPECT_EQ(
      MetricValue(metrics->body, "pageflow_rejections_total{reason=\"unsupported\"}"), 2);
  EXPECT_EQ(MetricValue(metrics->body, "pageflow_rejections_total{reason=\"corrupt\"}"),
            1);
  EXPECT_EQ(MetricValue(metrics->body, "pageflow_http_requests_total{code=\"415\"}"), 2);
  // Refused uploads are deleted at once; the done job keeps its own until it expires
  // (its pages' images are rendered from it).
  EXPECT_EQ(Uploads(server.spool()), 1);
}

TEST(ServeTest, FullQueueGives429WithRetryAfterAndReadyzSays503) {
  ServeProcess server({"--engine", "tesseract", "--workers", "1", "--max-jobs", "1",
                       "--queue", "0", "--dpi", "150", "--memory-limit", "400M"});
  const std::string long_pdf = Pdf(server.dir(), 40);
  auto first = server.Client()->Post("/v1/jobs", long_pdf, "application/pdf");
  ASSERT_TRUE(first);
  ASSERT_EQ(first->status, 202) << first->body;
  const std::string id = json::parse(first->body)["id"].get<std::string>();

  auto second =
      server.Client()->Post("/v1/jobs", Pdf(server.dir(), 1), "application/pdf");
  ASSERT_TRUE(second);
  EXPECT_EQ(second->status, 429);
  EXPECT_EQ(ErrorCode(second), "queue_full");
  EXPECT_EQ(second->get_header_value("Retry-After"), "1");
  ExpectError(server.Client()->Get("/readyz"), 503, "saturated");

  auto cancelled = server.Client()->Delete("/v1/jobs/" + id);
  ASSERT_TRUE(cancelled);
  EXPECT_EQ(cancelled->status, 200);
  ASSERT_TRUE(Eventually([&] { return server.Status()["jobs"]["running"] == 0; }));
  auto ready_again = server.Client()->Get("/readyz");
  ASSERT_TRUE(ready_again);
  EXPECT_EQ(ready_again->status, 200);
}

TEST(ServeTest, FirstPageThatDoesNotFitTheBudgetNowGives429) {
  // One worker busy on 150 DPI pages holds a reservation most of the time; a page at
  // 1200 DPI is planned down to the largest single reservation, which then cannot fit
  // beside it. Retried because the worker is briefly idle between pages.
  ServeProcess server({"--engine", "tesseract", "--workers", "1", "--max-jobs", "2",
                       "--queue", "2", "--dpi", "150", "--memory-limit", "300M"});
  auto busy = server.Client()->Post("/v1/jobs", Pdf(server.dir(), 40), "application/pdf");
  ASSERT_TRUE(busy);
  ASSERT_EQ(busy->status, 202) << busy->body;
  const std::string small = Pdf(server.dir(), 1);
  std::string code;
  for (int attempt = 0; attempt < 50 && code != "memory"; ++attempt) {
    auto r = server.Client()->Post("/v1/jobs?dpi=1200", small, "application/pdf");
    ASSERT_TRUE(r);
    if (r->status == 202) {
      server.Client()->Delete("/v1/jobs/" +
                              json::parse(r->body)["id"].get<std::string>());
      continue;
    }
    EXPECT_EQ(r->status, 429);
    EXPECT_EQ(r->get_header_value("Retry-After"), "1");
    code = ErrorCode(r);
  }
  EXPECT_EQ(code, "memory");
}

TEST(ServeTest, ClientDisconnectCancelsTheJobAndFreesItsMemory) {
  ServeProcess server({"--engine", "tesseract", "--workers", "1", "--dpi", "150"});
  const json before = server.Status();
  const int64_t fixed = before["memory"]["fixed_bytes"].get<int64_t>();
  ASSERT_GT(fixed, 0);
  const std::string pdf = Pdf(server.dir(), 40);
  int lines = 0;
  httplib::Request req;
  req.method = "POST";
  req.path = "/v1/ocr?format=ndjson";
  req.body = pdf;
  req.set_header("Content-Type", "application/pdf");
  req.content_receiver = [&](const char* data, size_t size, uint64_t, uint64_t) {
    lines += static_cast<int>(std::count(data, data + size, '\n'));
    return lines == 0;  // hang up after the first page
  };
  auto r = server.Client()->send(req);
  EXPECT_FALSE(r);  // we cancelled it
  EXPECT_GE(lines, 1);
  // The job is cancelled, not run to the end, and everything it reserved is back.
  ASSERT_TRUE(Eventually([&] {
    const json s = server.Status();
    return s["jobs"]["running"] == 0 && s["jobs"]["waiting"] == 0 &&
           s["memory"]["reserved_bytes"].get<int64_t>() == fixed;
  })) << server.Status().dump();
  auto metrics = server.Client()->Get("/metrics");
  ASSERT_TRUE(metrics);
  EXPECT_EQ(MetricValue(metrics->body, "pageflow_jobs_total{outcome=\"cancelled\"}"), 1)
      << metrics->body;
  EXPECT_LT(
      MetricValue(metrics->body, "pageflow_pages_processed_total{engine=\"tesseract\"}"),
      40);
  EXPECT_EQ(Uploads(server.spool()), 0);
}

TEST(ServeTest, BearerTokenGuardsTheApiButNotHealthOrTheUi) {
  ServeProcess server({"--engine", "text-layer", "--token", "s3cret"});
  auto c = server.Client();
  ExpectError(c->Get("/v1/status"), 401, "unauthorized");
  auto wrong = c->Get("/v1/status", {{"Authorization", "Bearer nope"}});
  ASSERT_TRUE(wrong);
  EXPECT_EQ(wrong->status, 401);
  auto upload = c->Post("/v1/ocr", Pdf(server.dir(), 1), "application/pdf");
  ASSERT_TRUE(upload);
  EXPECT_EQ(upload->status, 401);
  auto metrics = c->Get("/metrics");
  ASSERT_TRUE(metrics);
  EXPECT_EQ(metrics->status, 401);
  auto right = c->Get("/v1/status", {{"Authorization", "Bearer s3cret"}});
  ASSERT_TRUE(right);
  EXPECT_EQ(right->status, 200);
  c->set_bearer_token_auth("s3cret");
  auto ocr = c->Post("/v1/ocr", Pdf(server.dir(), 1), "application/pdf");
  ASSERT_TRUE(ocr);
  EXPECT_EQ(ocr->status, 200);
  auto health = server.Client()->Get("/healthz");
  ASSERT_TRUE(health);
  EXPECT_EQ(health->status, 200);
  auto ui = server.Client()->Get("/");
  ASSERT_TRUE(ui);
  EXPECT_EQ(ui->status, 200);
  EXPECT_NE(ui->body.find("<html"), std::string::npos);
}

}  // namespace
}  // namespace pageflow

namespace pageflow {
namespace {

// Submits `body` as a job and waits for it to finish; its snapshot as admitted.
json SubmitAndWait(const ServeProcess& server, const std::string& body,
                   const std::string& type, const std::string& query) {
  auto created = server.Client()->Post("/v1/jobs" + query, body, type);
  EXPECT_TRUE(created);
  if (!created || created->status != 202) {
    ADD_FAILURE() << (created ? created->body : "no response");
    return json::object();
  }
  const json job = json::parse(created->body);
  const std::string id = job["id"].get<std::string>();
  EXPECT_TRUE(Eventually([&] {
    auto r = server.Client()->Get("/v1/jobs/" + id);
    return r && r->status == 200 &&
           json::parse(r->body)["status"].get<std::string>() == "done";
  }));
  return job;
}

std::vector<std::string> Keys(const json& object) {
  std::vector<std::string> keys;
  for (auto it = object.begin(); it != object.end(); ++it) keys.push_back(it.key());
  return keys;
}

TEST(ServeTest, AnEngineNotOfferedIs400BeforeTheUploadIsReadNamingTheOfferedOnes) {
  ServeProcess server({"--engine", "text-layer"});
  const std::string pdf = Pdf(server.dir(), 1);
  for (const char* engine : {"vlm", "ppocr"}) {
    auto r = server.Client()->Post(std::string("/v1/jobs?engine=") + engine, pdf,
                                   "application/pdf");
    ExpectError(r, 400, "invalid_argument");
    ASSERT_TRUE(r);
    EXPECT_NE(r->body.find(std::string("'") + engine + "' is not offered"),
              std::string::npos)
        << r->body;
    EXPECT_NE(r->body.find("text-layer, auto, tesseract"), std::string::npos) << r->body;
  }
  EXPECT_EQ(Uploads(server.spool()), 0);
  // vlm is offered only with a server to send pages to.
  testing::CommandResult refused =
      testing::RunPageflow({"serve", "--engines", "auto,vlm"});
  EXPECT_EQ(refused.exit_code, 2);
  EXPECT_NE(refused.err.find("only with --vlm-url"), std::string::npos) << refused.err;
}

// The same document through `pageflow run` and through serve gives the same record:
// the same text, the same page spans, the same metadata keys (paths and times aside),
// and the same Markdown.
TEST(ServeTest, ServedRecordsAreTheRecordsRunWrites) {
  ServeProcess server({"--engine", "auto", "--dpi", "150"});
  const std::string dir = server.dir();
  testing::WriteTestPdf(dir + "/born.pdf", NumberedPages(3));
  testing::WriteTestPdf(dir + "/scan.pdf", {{.lines = {}, .image_share = 1.0},
                                            {.lines = {"Marker page 2"}}});
  fs::copy_file(testing::SourceDir() + "/samples/phototest.tif", dir + "/picture.tif");
  for (const std::string name : {"born.pdf", "scan.pdf", "picture.tif"}) {
    SCOPED_TRACE(name);
    const std::string out = dir + "/out-" + name;
    testing::CommandResult run =
        testing::RunPageflow({"run", dir + "/" + name, "--out", out, "--dpi", "150",
                              "--format", "jsonl,md", "--no-progress"});
    ASSERT_EQ(run.exit_code, 0) << run.err;
    json ran;
    for (auto& e : fs::directory_iterator(out + "/results"))
      ran = json::parse(testing::ReadFile(e.path()));
    const std::string ran_md =
        testing::ReadFile(out + "/md/" + fs::path(name).stem().string() + ".md");

    const std::string type =
        name.find(".tif") != std::string::npos ? "image/tiff" : "application/pdf";
    const json job = SubmitAndWait(server, testing::ReadFile(dir + "/" + name), type,
                                   "?filename=" + name);
    ASSERT_TRUE(job.contains("id"));
    const std::string id = job["id"].get<std::string>();
    auto record = server.Client()->Get("/v1/jobs/" + id + "/result?format=jsonl");
    ASSERT_TRUE(record);
    ASSERT_EQ(record->status, 200) << record->body;
    const json served = json::parse(record->body);
    EXPECT_EQ(served["text"], ran["text"]);
    EXPECT_NE(served["text"].get<std::string>(), "");
    EXPECT_EQ(served["attributes"], ran["attributes"]);
    EXPECT_EQ(Keys(served), Keys(ran));
    EXPECT_EQ(Keys(served["metadata"]), Keys(ran["metadata"]));
    EXPECT_EQ(served["metadata"]["engines_used"], ran["metadata"]["engines_used"]);
    EXPECT_EQ(served["metadata"]["page_notes"], ran["metadata"]["page_notes"]);
    auto md = server.Client()->Get("/v1/jobs/" + id + "/result?format=markdown");
    ASSERT_TRUE(md);
    EXPECT_EQ(md->body, ran_md);
  }
}

// Admission sizes a job's first page with the engine the job asked for: for ppocr, the
// reservation `pageflow plan --engine ppocr` reports for the same page.
TEST(ServeTest, AdmissionAsksTheJobsEngineWhatItsFirstPageCosts) {
  testing::TempDir dir;
  testing::WriteTestPdf(dir.path() + "/a.pdf", NumberedPages(1));
  testing::CommandResult plan = testing::RunPageflow(
      {"plan", dir.path() + "/a.pdf", "--engine", "ppocr", "--workers", "1", "--json"});
  if (plan.exit_code != 0 && plan.err.find("unavailable") != std::string::npos) {
    GTEST_SKIP() << "ppocr is not built here: " << plan.err;
  }
  ASSERT_EQ(plan.exit_code, 0) << plan.err;
  const int64_t planned =
      json::parse(plan.out)["documents"][0]["largest"]["planned"]["bytes"].get<int64_t>();
  const int64_t tesseract_planned =
      json::parse(testing::RunPageflow({"plan", dir.path() + "/a.pdf", "--engine",
                                        "tesseract", "--workers", "1", "--json"})
                      .out)["documents"][0]["largest"]["planned"]["bytes"]
          .get<int64_t>();
  ASSERT_NE(planned, tesseract_planned);  // otherwise the test could not tell them apart

  ServeProcess server({"--workers", "1", "--engines", "auto,tesseract,ppocr"});
  for (const auto& [engine, expected] :
       {std::pair<std::string, int64_t>{"ppocr", planned},
        {"tesseract", tesseract_planned}}) {
    auto created = server.Client()->Post("/v1/jobs?engine=" + engine,
                                         testing::ReadFile(dir.path() + "/a.pdf"),
                                         "application/pdf");
    ASSERT_TRUE(created);
    ASSERT_EQ(created->status, 202) << created->body;
    EXPECT_EQ(json::parse(created->body)["admission_bytes"].get<int64_t>(), expected)
        << engine;
  }
}

}  // namespace
}  // namespace pageflow

namespace pageflow {
namespace {

// Deleting a job whose page waits on a server that never answers drops the request and
// returns the page's memory: the engine sees the cancellation, not the 600 s timeout.
TEST(ServeTest, DeletingAJobInterruptsAPageWaitingOnTheVlmServer) {
  SilentServer vlm;
  ServeProcess server({"--workers", "1", "--engines", "text-layer,vlm", "--vlm-url",
                       "http://127.0.0.1:" + std::to_string(vlm.port()), "--vlm-timeout",
                       "600", "--vlm-fallback", "none"});
  auto created = server.Client()->Post("/v1/jobs?engine=vlm", Pdf(server.dir(), 1),
                                       "application/pdf");
  ASSERT_TRUE(created);
  ASSERT_EQ(created->status, 202) << created->body;
  const std::string id = json::parse(created->body)["id"].get<std::string>();
  auto reserved = [&] {  // by pages, beside the fixed costs (engines, PDF store)
    const json memory = server.Status()["memory"];
    return memory["reserved_bytes"].get<int64_t>() - memory["fixed_bytes"].get<int64_t>();
  };
  // The page's body and answer buffer are reserved while it waits on the server.
  ASSERT_TRUE(Eventually([&] { return reserved() > 0; }));
  const auto t0 = std::chrono::steady_clock::now();
  auto deleted = server.Client()->Delete("/v1/jobs/" + id);
  ASSERT_TRUE(deleted);
  EXPECT_EQ(deleted->status, 200);
  ASSERT_TRUE(Eventually([&] { return reserved() == 0; }));
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  // libcurl asks about the cancellation about once a second while it waits.
  EXPECT_LT(seconds, 10.0) << "the page kept its memory until a timeout";
  EXPECT_EQ(server.Stop(), 0);
}

}  // namespace
}  // namespace pageflow

namespace pageflow {
namespace {

// Issue 14 item 6: engines built for many language sets are unloaded when idle and their
// charge returned; the server does not stay locked in `429 memory` after a burst.
TEST(ServeTest, AfterABurstOfFiveLanguageRequestsTheServerServesAndReturnsTheMemory) {
  ServeProcess server({"--memory-limit", "300M", "--workers", "2", "--engine-idle", "2",
                       "--job-ttl", "2"});
  const int64_t idle_reserved =
      server.Status()["memory"]["reserved_bytes"].get<int64_t>();
  const std::string tif =
      testing::ReadFile(testing::SourceDir() + "/samples/phototest.tif");
  const std::vector<std::string> sets = {
      "eng+deu+rus+jpn+kor", "deu+eng+rus+jpn+kor", "rus+deu+eng+jpn+kor",
      "jpn+deu+rus+eng+kor", "kor+deu+rus+jpn+eng", "chi_sim+deu+rus+jpn+kor"};
  for (int round = 0; round < 2; ++round) {
    std::vector<std::thread> clients;
    for (const std::string& lang : sets) {
      clients.emplace_back([&server, &tif, lang] {
        auto r = server.Client()->Post("/v1/ocr?lang=" + lang, tif, "image/tiff");
        ASSERT_TRUE(r);
        // Served, or refused with a reason and a retry time; never a 5xx.
        EXPECT_TRUE(r->status == 200 || r->status == 429) << r->status << " " << r->body;
        if (r->status == 429) {
          EXPECT_EQ(r->get_header_value("Retry-After"), "1");
        }
      });
    }
    for (std::thread& t : clients) t.join();
  }
  auto r = server.Client()->Post("/v1/ocr?engine=text-layer", Pdf(server.dir(), 1),
                                 "application/pdf");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200) << r->body;
  // Idle engines are unloaded: only each worker's default stays.
  int64_t reserved = -1;
  int engines = -1;
  EXPECT_TRUE(Eventually([&] {
    const json status = server.Status();
    reserved = status["memory"]["reserved_bytes"].get<int64_t>();
    engines = status["engines_loaded"].get<int>();
    return reserved <= idle_reserved + (1 << 20) && engines == 2;
  })) << "reserved "
      << reserved << " bytes (idle level " << idle_reserved << "), " << engines
      << " engines loaded";
  // A finished job keeps its upload (page images, searchable PDF) until it expires.
  EXPECT_TRUE(Eventually([&] { return Uploads(server.spool()) == 0; }))
      << Uploads(server.spool()) << " uploads left after --job-ttl";
}

TEST(ServeTest, ALanguageSetBeyondMaxLangSetsIs429NamingTheFlag) {
  ServeProcess server({"--engine", "tesseract", "--max-lang-sets", "1"});
  const std::string tif =
      testing::ReadFile(testing::SourceDir() + "/samples/phototest.tif");
  auto refused = server.Client()->Post("/v1/jobs?lang=deu", tif, "image/tiff");
  ExpectError(refused, 429, "lang_sets");
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->get_header_value("Retry-After"), "1");
  EXPECT_NE(refused->body.find("--max-lang-sets"), std::string::npos) << refused->body;
  EXPECT_EQ(Uploads(server.spool()), 0);
  // The server is as it was: the default set is served.
  auto served = server.Client()->Post("/v1/ocr?lang=eng", tif, "image/tiff");
  ASSERT_TRUE(served);
  EXPECT_EQ(served->status, 200) << served->body;
}

// Issue 14 item 8: SIGTERM while a page waits on a vlm server that never answers and a
// client streams the result: the page is cancelled, the process exits promptly with 0
// and the spooled uploads are gone (without a state directory; with one they stay, see
// serve_state_test.cc).
TEST(ServeTest, SigtermDuringARunningJobExitsPromptlyAndRemovesUploads) {
  SilentServer vlm;
  ServeProcess server({"--state-dir", "none", "--workers", "1", "--engines",
                       "text-layer,vlm", "--vlm-url",
                       "http://127.0.0.1:" + std::to_string(vlm.port()), "--vlm-timeout",
                       "600", "--vlm-fallback", "none"});
  const std::string pdf = Pdf(server.dir(), 3);
  auto created = server.Client()->Post("/v1/jobs?engine=vlm", pdf, "application/pdf");
  ASSERT_TRUE(created);
  ASSERT_EQ(created->status, 202) << created->body;
  std::thread streaming([&server, &pdf] {
    auto c = server.Client();
    c->Post("/v1/ocr?engine=vlm", pdf, "application/pdf");  // ends when the server stops
  });
  ASSERT_TRUE(
      Eventually([&] { return server.Status()["workers"]["busy"].get<int>() == 1; }));
  ASSERT_TRUE(Eventually([&] { return Uploads(server.spool()) == 2; }));
  const auto t0 = std::chrono::steady_clock::now();
  EXPECT_EQ(server.Stop(), 0);
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  EXPECT_LT(seconds, 10.0) << "serve took that long to stop";
  streaming.join();
  EXPECT_EQ(Uploads(server.spool()), 0);
}

}  // namespace
}  // namespace pageflow
