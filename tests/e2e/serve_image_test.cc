// End-to-end tests of GET /v1/jobs/ID/pages/N/image on the real `pageflow serve`: a
// finished page's image as a PNG that decodes, of the asked (capped) width, rendered
// from the job's upload; 404 / 409 / 410 where there is no image to give, and 429 with
// Retry-After when the memory budget is held by pages in flight. And of GET
// /v1/jobs/ID/pages/N, the finished page's record as the ndjson result sends it.
#include <arpa/inet.h>
#include <httplib.h>
#include <netinet/in.h>
#include <png.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <thread>

#include "testing/serve_process.h"
#include "testing/test_util.h"

namespace pageflow {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using testing::Eventually;
using testing::ServeProcess;
using testing::SilentServer;

// Submits to /v1/jobs (query may be empty) and returns the job's id ("" on failure).
std::string Submit(const ServeProcess& server, const std::string& body,
                   const std::string& type, const std::string& query = "") {
  auto created = server.Client()->Post("/v1/jobs" + query, body, type);
  if (!created || created->status != 202) {
    ADD_FAILURE() << (created ? created->body : "no response");
    return "";
  }
  return json::parse(created->body)["id"].get<std::string>();
}

bool WaitDone(const ServeProcess& server, const std::string& id) {
  return Eventually([&] {
    auto r = server.Client()->Get("/v1/jobs/" + id);
    return r && r->status == 200 &&
           json::parse(r->body)["status"].get<std::string>() == "done";
  });
}

struct Decoded {
  int width = 0, height = 0;
  std::vector<uint8_t> gray;  // width * height
};

// Decodes a PNG to 8-bit gray with libpng's simplified API; false if it is not one.
bool DecodePng(const std::string& png, Decoded* out) {
  png_image image{};
  image.version = PNG_IMAGE_VERSION;
  if (!png_image_begin_read_from_memory(&image, png.data(), png.size())) return false;
  image.format = PNG_FORMAT_GRAY;
  out->width = static_cast<int>(image.width);
  out->height = static_cast<int>(image.height);
  out->gray.resize(PNG_IMAGE_SIZE(image));
  return png_image_finish_read(&image, nullptr, out->gray.data(), 0, nullptr) != 0;
}

// The darkest pixel in [x0, x1) x [y0, y1).
int Darkest(const Decoded& d, int x0, int y0, int x1, int y1) {
  int darkest = 255;
  for (int y = y0; y < y1; ++y)
    for (int x = x0; x < x1; ++x)
      darkest = std::min<int>(darkest, d.gray[y * d.width + x]);
  return darkest;
}

void ExpectError(const httplib::Result& r, int status, const std::string& code) {
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, status) << r->body;
  EXPECT_EQ(json::parse(r->body)["error"]["code"], code) << r->body;
}

TEST(ServeImageTest, AFinishedPageIsAPngOfTheAskedWidthWithItsTextWhereItIs) {
  ServeProcess server({"--engine", "text-layer"});
  const std::string pdf = server.dir() + "/two.pdf";
  testing::WriteTestPdf(pdf, {{.lines = {"Imaged page one"}}, {.lines = {"Page two"}}});
  const std::string id = Submit(server, testing::ReadFile(pdf), "application/pdf");
  ASSERT_TRUE(WaitDone(server, id));

  const std::string base = "/v1/jobs/" + id + "/pages/";
  auto r = server.Client()->Get(base + "1/image?width=300");
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200) << r->body;
  EXPECT_EQ(r->get_header_value("Content-Type"), "image/png");
  Decoded d;
  ASSERT_TRUE(DecodePng(r->body, &d));
  EXPECT_EQ(d.width, 300);
  EXPECT_NEAR(d.height, 300.0 * 792 / 612, 1);
  EXPECT_EQ(r->get_header_value("X-Image-Size"), "300x" + std::to_string(d.height));
  // The first line's baseline is 96 pt from the top, its text from x = 72 pt: ink there,
  // none above it.
  const double scale = 300.0 / 612;
  EXPECT_LT(Darkest(d, static_cast<int>(72 * scale), static_cast<int>(78 * scale),
                    static_cast<int>(200 * scale), static_cast<int>(97 * scale)),
            100);
  EXPECT_EQ(Darkest(d, 0, 0, d.width, static_cast<int>(70 * scale)), 255);

  // Wider than served: capped at 1200 px. The default is 800.
  r = server.Client()->Get(base + "2/image?width=5000");
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200) << r->body;
  ASSERT_TRUE(DecodePng(r->body, &d));
  EXPECT_EQ(d.width, 1200);
  r = server.Client()->Get(base + "2/image");
  ASSERT_TRUE(r);
  ASSERT_TRUE(DecodePng(r->body, &d));
  EXPECT_EQ(d.width, 800);

  ExpectError(server.Client()->Get(base + "1/image?width=wide"), 400, "invalid_argument");
  ExpectError(server.Client()->Get(base + "3/image"), 404, "not_found");
  ExpectError(server.Client()->Get(base + "0/image"), 404, "not_found");
  ExpectError(server.Client()->Get("/v1/jobs/0123456789abcdef/pages/1/image"), 404,
              "not_found");
  // Every reservation is back once the images are sent (a connection's own small
  // reservation goes just after its answer: waited for, not raced).
  json s;
  EXPECT_TRUE(Eventually([&] {
    s = server.Status();
    return s["memory"]["reserved_bytes"] == s["memory"]["fixed_bytes"];
  })) << s.dump();

  // A deleted (or expired) job takes its upload with it: no image.
  auto deleted = server.Client()->Delete("/v1/jobs/" + id);
  ASSERT_TRUE(deleted);
  ASSERT_EQ(deleted->status, 200);
  ExpectError(server.Client()->Get(base + "1/image"), 404, "not_found");
  EXPECT_TRUE(Eventually([&] {
    for (const auto& e : fs::recursive_directory_iterator(server.spool()))
      if (e.path().filename().string().rfind("upload-", 0) == 0) return false;
    return true;
  }));
}

TEST(ServeImageTest, APictureIsShownAtItsOwnSizeWhenSmaller) {
  ServeProcess server({"--engine", "auto"});
  const std::string png = server.dir() + "/small.png";
  testing::WriteTestImage(png, 400, 300);
  const std::string id = Submit(server, testing::ReadFile(png), "image/png");
  ASSERT_TRUE(WaitDone(server, id));
  auto r = server.Client()->Get("/v1/jobs/" + id + "/pages/1/image?width=800");
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200) << r->body;
  Decoded d;
  ASSERT_TRUE(DecodePng(r->body, &d));
  EXPECT_EQ(d.width, 400);
  EXPECT_EQ(d.height, 300);
  EXPECT_LT(Darkest(d, 0, 0, d.width, d.height), 100);  // its bars
}

// The web UI drops the pages scrolled far away and asks for them again: a page's record
// is the line the ndjson result sends for it, with or without its boxes; N is its number
// in the document, so with pages= only the selected pages have one.
TEST(ServeImageTest, AFinishedPageRecordIsItsResultLine) {
  ServeProcess server({"--engine", "text-layer"});
  const std::string pdf = server.dir() + "/three.pdf";
  testing::WriteTestPdf(pdf, {{.lines = {"Skipped page one"}},
                              {.lines = {"Record page two"}},
                              {.lines = {"Record page three"}}});
  const std::string id =
      Submit(server, testing::ReadFile(pdf), "application/pdf", "?pages=2-3&boxes=1");
  ASSERT_TRUE(WaitDone(server, id));

  const std::string base = "/v1/jobs/" + id + "/pages/";
  auto r = server.Client()->Get(base + "3");
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200) << r->body;
  EXPECT_EQ(r->get_header_value("Content-Type"), "application/json");
  const json page = json::parse(r->body);
  EXPECT_EQ(page["type"], "page");
  EXPECT_EQ(page["page"], 3);
  EXPECT_NE(page["text"].get<std::string>().find("Record page three"), std::string::npos)
      << r->body;
  ASSERT_TRUE(page.contains("boxes")) << r->body;  // the job's boxes=1
  // The same line as the result's second page line.
  auto result = server.Client()->Get("/v1/jobs/" + id + "/result?format=ndjson");
  ASSERT_TRUE(result);
  const size_t first_end = result->body.find('\n');
  const size_t second_end = result->body.find('\n', first_end + 1);
  ASSERT_NE(second_end, std::string::npos) << result->body;
  EXPECT_EQ(result->body.substr(first_end + 1, second_end - first_end - 1), r->body);

  r = server.Client()->Get(base + "2?boxes=0");
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200) << r->body;
  EXPECT_FALSE(json::parse(r->body).contains("boxes")) << r->body;
  EXPECT_EQ(json::parse(r->body)["page"], 2);

  // A long job: pages past the result's first lines, found from its line index.
  std::vector<testing::TestPage> many;
  for (int i = 1; i <= 150; ++i)
    many.push_back({.lines = {"Long job page " + std::to_string(i)}});
  const std::string long_pdf = server.dir() + "/many.pdf";
  testing::WriteTestPdf(long_pdf, many);
  const std::string long_id =
      Submit(server, testing::ReadFile(long_pdf), "application/pdf");
  ASSERT_TRUE(WaitDone(server, long_id));
  auto all = server.Client()->Get("/v1/jobs/" + long_id + "/result?format=ndjson");
  ASSERT_TRUE(all);
  std::vector<std::string> lines;
  for (size_t at = 0, end; (end = all->body.find('\n', at)) != std::string::npos;
       at = end + 1)
    lines.push_back(all->body.substr(at, end - at));
  ASSERT_EQ(lines.size(), 151u);  // and the summary
  for (int n : {1, 63, 64, 65, 66, 128, 129, 150}) {
    auto one =
        server.Client()->Get("/v1/jobs/" + long_id + "/pages/" + std::to_string(n));
    ASSERT_TRUE(one);
    ASSERT_EQ(one->status, 200) << one->body;
    EXPECT_EQ(one->body, lines[n - 1]) << "page " << n;
  }

  ExpectError(server.Client()->Get(base + "1"), 404, "not_found");  // not selected
  ExpectError(server.Client()->Get(base + "4"), 404, "not_found");
  ExpectError(server.Client()->Get(base + "2?boxes=maybe"), 400, "invalid_argument");
  ExpectError(server.Client()->Get("/v1/jobs/0123456789abcdef/pages/2"), 404,
              "not_found");
}

// A page waiting on a vlm server that never answers holds its reservation. A PDF page's
// image reserves, beside its raster and PNG, MuPDF's allowance: what one reservation may
// hold, up to 64 MiB. With 64 MiB left after the fixed costs the image needs the whole
// budget, so while the vlm page waits it is refused with 429 and Retry-After (never
// waited for); an unfinished page is 409.
TEST(ServeImageTest, IsRefusedWith429WhenPagesInFlightHoldTheBudget) {
  SilentServer vlm;
  const std::vector<std::string> flags = {
      "--workers",      "1",
      "--engine",       "text-layer",
      "--engines",      "text-layer,vlm",
      "--vlm-url",      "http://127.0.0.1:" + std::to_string(vlm.port()),
      "--vlm-timeout",  "600",
      "--vlm-fallback", "none"};
  testing::TempDir dir;
  const std::string pdf = dir.path() + "/a.pdf";
  testing::WriteTestPdf(pdf, {{.lines = {"Waiting page"}}});
  const std::string body = testing::ReadFile(pdf);
  // The fixed costs once the vlm engine is built (on the first vlm page).
  int64_t fixed = 0;
  {
    ServeProcess probe(flags);
    ASSERT_FALSE(Submit(probe, body, "application/pdf", "?engine=vlm").empty());
    ASSERT_TRUE(Eventually([&] { return probe.Status()["workers"]["busy"] == 1; }));
    fixed = probe.Status()["memory"]["fixed_bytes"].get<int64_t>();
  }
  ASSERT_GT(fixed, 0);
  std::vector<std::string> tight = flags;
  tight.insert(tight.end(), {"--memory-limit", std::to_string(fixed + (64 << 20))});
  ServeProcess server(tight);
  const std::string done = Submit(server, body, "application/pdf", "?engine=text-layer");
  ASSERT_TRUE(WaitDone(server, done));
  const std::string waiting = Submit(server, body, "application/pdf", "?engine=vlm");
  ASSERT_FALSE(waiting.empty());
  // The page's render is over (only its PNG and request body are held) and it waits.
  ASSERT_TRUE(Eventually([&] {
    const json s = server.Status();
    const int64_t reserved = s["memory"]["reserved_bytes"].get<int64_t>();
    return s["workers"]["busy"] == 1 && s["memory"]["fixed_bytes"] == fixed &&
           reserved > fixed && reserved < fixed + (16 << 20);
  })) << server.Status().dump();
  auto refused = server.Client()->Get("/v1/jobs/" + done + "/pages/1/image?width=400");
  ExpectError(refused, 429, "memory");
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->get_header_value("Retry-After"), "1");
  EXPECT_NE(refused->body.find("image of page 1 of job " + done), std::string::npos)
      << refused->body;
  ExpectError(server.Client()->Get("/v1/jobs/" + waiting + "/pages/1/image"), 409,
              "not_finished");
  ExpectError(server.Client()->Get("/v1/jobs/" + waiting + "/pages/1"), 409,
              "not_finished");
  // Once the waiting page is cancelled its memory is back and the image is served.
  auto deleted = server.Client()->Delete("/v1/jobs/" + waiting);
  ASSERT_TRUE(deleted);
  ASSERT_TRUE(Eventually([&] {
    return server.Status()["memory"]["reserved_bytes"].get<int64_t>() == fixed;
  }));
  auto served = server.Client()->Get("/v1/jobs/" + done + "/pages/1/image?width=400");
  ASSERT_TRUE(served);
  EXPECT_EQ(served->status, 200) << served->body;
}

}  // namespace
}  // namespace pageflow
