// End-to-end tests of the box-carrying results of `pageflow serve` (the real binary on
// a loopback port): ?boxes=1 on page lines and the Dolma record, and the hOCR and ALTO
// of a job, compared with what `pageflow run` writes for the same document. ALTO is
// validated against the ALTO v4 schema (tests/data/alto) with xmllint.
#include <httplib.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
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

// Submits to /v1/jobs and waits until it is done; its id ("" on failure).
std::string SubmitAndWait(const ServeProcess& server, const std::string& body,
                          const std::string& type, const std::string& query) {
  auto created = server.Client()->Post("/v1/jobs" + query, body, type);
  if (!created || created->status != 202) {
    ADD_FAILURE() << (created ? created->body : "no response");
    return "";
  }
  const std::string id = json::parse(created->body)["id"].get<std::string>();
  EXPECT_TRUE(Eventually([&] {
    auto r = server.Client()->Get("/v1/jobs/" + id);
    return r && r->status == 200 &&
           json::parse(r->body)["status"].get<std::string>() == "done";
  }));
  return id;
}

// `text` with every `from` replaced by `to`.
std::string ReplaceAll(std::string text, const std::string& from, const std::string& to) {
  for (size_t at = text.find(from); at != std::string::npos;
       at = text.find(from, at + to.size())) {
    text.replace(at, from.size(), to);
  }
  return text;
}

bool HaveXmllint() { return std::system("xmllint --version >/dev/null 2>&1") == 0; }

// xmllint's exit code on `args` (its messages go to the log).
int Xmllint(const std::string& args) {
  const int rc = std::system(("xmllint --noout --nonet " + args + " 2>&1").c_str());
  return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
}

struct Ran {
  json record;
  std::string hocr, alto;
};

// `pageflow run` of dir/name with --boxes, JSONL, hOCR and ALTO, the source path named
// as serve names an upload (by its file name).
Ran RunWithBoxes(const std::string& dir, const std::string& name) {
  const std::string out = dir + "/out-" + name;
  testing::CommandResult r =
      testing::RunPageflow({"run", dir + "/" + name, "--out", out, "--dpi", "150",
                            "--format", "jsonl,hocr,alto", "--boxes", "--no-progress"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  Ran ran;
  for (auto& e : fs::directory_iterator(out + "/results"))
    ran.record = json::parse(testing::ReadFile(e.path()));
  const std::string stem = fs::path(name).stem().string();
  ran.hocr = ReplaceAll(testing::ReadFile(out + "/hocr/" + stem + ".hocr"),
                        dir + "/" + name, name);
  ran.alto = ReplaceAll(testing::ReadFile(out + "/alto/" + stem + ".xml"),
                        dir + "/" + name, name);
  return ran;
}

TEST(ServeFormatsTest, HocrAndAltoOfAJobAreWhatRunWrites) {
  if (!HaveXmllint()) GTEST_SKIP() << "xmllint is not installed (scripts/setup)";
  ServeProcess server({"--engine", "auto", "--dpi", "150"});
  const std::string dir = server.dir();
  testing::WriteTestPdf(dir + "/born.pdf", {{.lines = {"Served boxes one", "alpha beta"}},
                                            {.lines = {"Served boxes two"}}});
  fs::copy_file(testing::SourceDir() + "/samples/phototest.tif", dir + "/picture.tif");
  for (const std::string name : {"born.pdf", "picture.tif"}) {
    SCOPED_TRACE(name);
    const Ran ran = RunWithBoxes(dir, name);
    ASSERT_FALSE(ran.alto.empty());
    const std::string type =
        name.find(".tif") != std::string::npos ? "image/tiff" : "application/pdf";
    // Without ?boxes=1: hOCR and ALTO may still be asked later.
    const std::string id = SubmitAndWait(server, testing::ReadFile(dir + "/" + name),
                                         type, "?filename=" + name);
    ASSERT_FALSE(id.empty());
    auto alto = server.Client()->Get("/v1/jobs/" + id + "/result?format=alto");
    ASSERT_TRUE(alto);
    ASSERT_EQ(alto->status, 200) << alto->body;
    EXPECT_EQ(alto->get_header_value("Content-Type"), "application/xml");
    EXPECT_EQ(alto->body, ran.alto);
    const std::string alto_path = dir + "/served-" + name + ".xml";
    testing::WriteFile(alto_path, alto->body);
    EXPECT_EQ(Xmllint("--schema " + testing::SourceDir() +
                      "/tests/data/alto/alto-4-4.xsd " + alto_path),
              0)
        << "served ALTO does not validate:\n"
        << alto->body.substr(0, 3000);

    auto hocr = server.Client()->Get("/v1/jobs/" + id + "/result?format=hocr&download=1");
    ASSERT_TRUE(hocr);
    ASSERT_EQ(hocr->status, 200) << hocr->body;
    EXPECT_EQ(hocr->get_header_value("Content-Type"), "text/html; charset=utf-8");
    EXPECT_NE(hocr->get_header_value("Content-Disposition").find(id + ".hocr"),
              std::string::npos);
    EXPECT_EQ(hocr->body, ran.hocr);
    EXPECT_NE(hocr->body.find("class=\"ocrx_word\""), std::string::npos);

    // The job did not ask for boxes: its page lines and record have none.
    auto pages = server.Client()->Get("/v1/jobs/" + id + "/result");
    ASSERT_TRUE(pages);
    for (const json& line : Lines(pages->body)) EXPECT_FALSE(line.contains("boxes"));
    auto record = server.Client()->Get("/v1/jobs/" + id + "/result?format=jsonl");
    ASSERT_TRUE(record);
    EXPECT_FALSE(json::parse(record->body)["metadata"].contains("page_boxes"));
    EXPECT_EQ(json::parse(record->body)["text"], ran.record["text"]);
  }
}

TEST(ServeFormatsTest, BoxesOnPageLinesAndTheRecordAsRunBoxesWritesThem) {
  ServeProcess server({"--engine", "auto", "--dpi", "150"});
  const std::string dir = server.dir();
  testing::WriteTestPdf(dir + "/born.pdf", {{.lines = {"Served boxes one", "alpha beta"}},
                                            {.lines = {"Served boxes two"}}});
  const Ran ran = RunWithBoxes(dir, "born.pdf");
  const json& want = ran.record["metadata"]["page_boxes"];
  ASSERT_EQ(want.size(), 2u) << ran.record.dump();
  const std::string pdf = testing::ReadFile(dir + "/born.pdf");

  // POST /v1/ocr?boxes=1: each streamed page line carries its page's boxes.
  auto streamed =
      server.Client()->Post("/v1/ocr?boxes=1&filename=born.pdf", pdf, "application/pdf");
  ASSERT_TRUE(streamed);
  ASSERT_EQ(streamed->status, 200) << streamed->body;
  const std::vector<json> lines = Lines(streamed->body);
  ASSERT_EQ(lines.size(), 3u);  // two pages and the summary
  // The record's entries name their page; a page line names it already.
  std::vector<json> want_on_line;
  for (json p : want) {
    p.erase("page");
    want_on_line.push_back(p);
  }
  for (int i = 0; i < 2; ++i)
    EXPECT_EQ(lines[i]["boxes"], want_on_line[i]) << lines[i].dump();

  // POST /v1/jobs?boxes=1: the json and jsonl results carry them too.
  const std::string id =
      SubmitAndWait(server, pdf, "application/pdf", "?boxes=1&filename=born.pdf");
  ASSERT_FALSE(id.empty());
  auto record = server.Client()->Get("/v1/jobs/" + id + "/result?format=jsonl");
  ASSERT_TRUE(record);
  ASSERT_EQ(record->status, 200) << record->body;
  EXPECT_EQ(json::parse(record->body)["metadata"]["page_boxes"], want);
  auto whole = server.Client()->Get("/v1/jobs/" + id + "/result?format=json");
  ASSERT_TRUE(whole);
  const json j = json::parse(whole->body);
  ASSERT_EQ(j["pages"].size(), 2u);
  EXPECT_EQ(j["pages"][1]["boxes"], want_on_line[1]);
  // ?boxes=0 on the result drops them; a bad value is refused.
  auto without = server.Client()->Get("/v1/jobs/" + id + "/result?format=jsonl&boxes=0");
  ASSERT_TRUE(without);
  EXPECT_FALSE(json::parse(without->body)["metadata"].contains("page_boxes"));
  auto bad = server.Client()->Get("/v1/jobs/" + id + "/result?boxes=yes");
  ASSERT_TRUE(bad);
  EXPECT_EQ(bad->status, 400);

  // POST /v1/ocr?format=alto answers the ALTO `run --format alto` writes.
  auto alto = server.Client()->Post("/v1/ocr?format=alto&filename=born.pdf", pdf,
                                    "application/pdf");
  ASSERT_TRUE(alto);
  ASSERT_EQ(alto->status, 200) << alto->body;
  EXPECT_EQ(alto->get_header_value("Content-Type"), "application/xml");
  EXPECT_EQ(alto->body, ran.alto);
}

bool HavePdfTools() {
  return std::system("command -v qpdf pdftotext >/dev/null 2>&1") == 0;
}

std::string Output(const std::string& command) {
  std::string out;
  FILE* p = popen(command.c_str(), "r");
  if (p == nullptr) return out;
  char buf[4096];
  for (size_t n; (n = fread(buf, 1, sizeof buf, p)) > 0;) out.append(buf, n);
  pclose(p);
  return out;
}

TEST(ServeFormatsTest, SearchablePdfOfAJobAndOfPostOcrIsWhatRunWrites) {
  if (!HavePdfTools())
    GTEST_SKIP() << "qpdf or pdftotext is not installed (scripts/setup)";
  ServeProcess server({"--engine", "auto", "--dpi", "150"});
  const std::string dir = server.dir();
  fs::copy_file(testing::SourceDir() + "/samples/phototest.tif", dir + "/picture.tif");
  testing::CommandResult r =
      testing::RunPageflow({"run", dir + "/picture.tif", "--out", dir + "/out", "--dpi",
                            "150", "--format", "pdf", "--no-progress"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const std::string want = Output("pdftotext " + dir + "/out/pdf/picture.pdf -");
  ASSERT_NE(want.find("quick brown"), std::string::npos) << want;
  const std::string picture = testing::ReadFile(dir + "/picture.tif");

  const std::string id =
      SubmitAndWait(server, picture, "image/tiff", "?filename=picture.tif");
  ASSERT_FALSE(id.empty());
  auto job_pdf = server.Client()->Get("/v1/jobs/" + id + "/result?format=pdf&download=1");
  ASSERT_TRUE(job_pdf);
  ASSERT_EQ(job_pdf->status, 200) << job_pdf->body;
  EXPECT_EQ(job_pdf->get_header_value("Content-Type"), "application/pdf");
  EXPECT_NE(job_pdf->get_header_value("Content-Disposition").find(id + ".pdf"),
            std::string::npos);
  auto ocr_pdf = server.Client()->Post("/v1/ocr?format=pdf", picture, "image/tiff");
  ASSERT_TRUE(ocr_pdf);
  ASSERT_EQ(ocr_pdf->status, 200) << ocr_pdf->body;
  EXPECT_EQ(ocr_pdf->get_header_value("Content-Type"), "application/pdf");
  for (const std::string& body : {job_pdf->body, ocr_pdf->body}) {
    ASSERT_EQ(body.rfind("%PDF-", 0), 0u) << body.substr(0, 200);
    const std::string path = dir + "/served.pdf";
    testing::WriteFile(path, body);
    EXPECT_NE(Output("qpdf --check " + path + " 2>&1")
                  .find("No syntax or stream encoding errors"),
              std::string::npos);
    EXPECT_EQ(Output("pdftotext " + path + " -"), want);
  }
}

}  // namespace
}  // namespace pageflow
