// Bad input gets a clear error naming the file (and page), and loses nothing: every
// good document in the same run is still written, and the exit code is 1.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "testing/test_util.h"

namespace pageflow {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

json ResultFor(const std::string& out, const std::string& source_suffix) {
  for (auto& e : fs::directory_iterator(out + "/results")) {
    json j = json::parse(testing::ReadFile(e.path().string()));
    const std::string src = j["metadata"]["source_file"];
    if (src.size() >= source_suffix.size() &&
        src.compare(src.size() - source_suffix.size(), source_suffix.size(),
                    source_suffix) == 0) {
      return j;
    }
  }
  return json();
}

TEST(BadInputTest, EachBrokenInputIsNamedAndTheRestCompletes) {
  testing::TempDir dir;
  const std::string in = dir.path() + "/in";
  fs::create_directories(in);
  fs::create_directories(dir.path() + "/empty");
  testing::WriteTestPdf(in + "/good.pdf", {{.lines = {"Hello world"}, .font_pt = 36}});
  const std::string pdf = testing::ReadFile(in + "/good.pdf");
  testing::WriteFile(in + "/truncated.pdf", pdf.substr(0, pdf.size() / 3));
  testing::WriteTestPdf(in + "/encrypted.pdf", {{.lines = {"Secret"}}}, "pw");
  testing::WriteTestPdf(in + "/zero.pdf", {});
  testing::WriteTestPdf(in + "/huge.pdf", {{.width_pt = 200 * 72,
                                            .height_pt = 200 * 72,
                                            .lines = {"Big page"},
                                            .font_pt = 400}});
  testing::WritePngHeaderOnly(in + "/giant.png", 60000, 60000);
  testing::WriteFile(in + "/fake.pdf", "<!DOCTYPE html><html>error page</html>");
  fs::create_symlink(in + "/does-not-exist.pdf", in + "/dangling.pdf");
  const bool root = geteuid() == 0;
  if (!root) {
    testing::WriteTestPdf(in + "/unreadable.pdf", {{.lines = {"x"}}});
    chmod((in + "/unreadable.pdf").c_str(), 0);
  }

  const std::string out = dir.path() + "/out";
  testing::CommandResult r =
      testing::RunPageflow({"run", in, dir.path() + "/empty", "--out", out, "--engine",
                            "tesseract", "--memory-limit", "1500M", "--max-dim", "4000",
                            "--no-progress", "--stats", out + "/stats.json"});
  EXPECT_EQ(r.exit_code, 1) << r.err;

  auto mentions = [&](const std::string& file, const std::string& what) {
    for (size_t pos = r.err.find(file); pos != std::string::npos;
         pos = r.err.find(file, pos + 1)) {
      const size_t eol = r.err.find('\n', pos);
      if (r.err.substr(pos, eol - pos).find(what) != std::string::npos) return true;
    }
    return false;
  };
  EXPECT_TRUE(mentions("truncated.pdf", "damaged")) << r.err;
  EXPECT_TRUE(mentions("encrypted.pdf", "encrypted")) << r.err;
  EXPECT_TRUE(mentions("zero.pdf", "no pages")) << r.err;
  // Its header is read without decoding; the page is planned within the budget and
  // streamed, and the truncated pixel data then fails that page alone.
  EXPECT_TRUE(mentions("page 1 of " + in + "/giant.png", "truncated")) << r.err;
  EXPECT_TRUE(mentions("fake.pdf", "not a pdf file")) << r.err;
  EXPECT_TRUE(mentions("dangling.pdf", "no such file")) << r.err;
  EXPECT_TRUE(mentions("empty", "holds no PDF")) << r.err;
  if (!root) {
    EXPECT_TRUE(mentions("unreadable.pdf", "cannot read")) << r.err;
  } else {
    testing::NoteSkippedCheck("unreadable.pdf",
                              "running as root, which reads a 0000 file");
  }

  // The good documents are complete.
  json good = ResultFor(out, "/good.pdf");
  ASSERT_FALSE(good.is_null());
  EXPECT_NE(good["text"].get<std::string>().find("Hello world"), std::string::npos)
      << good.dump();
  json huge = ResultFor(out, "/huge.pdf");
  ASSERT_FALSE(huge.is_null());
  EXPECT_NE(huge["text"].get<std::string>().find("Big page"), std::string::npos)
      << huge.dump();
  EXPECT_NE(huge["metadata"]["page_notes"].dump().find("downscaled"), std::string::npos)
      << huge.dump();
  // The giant PNG's record exists and names its failed page.
  json giant = ResultFor(out, "/giant.png");
  ASSERT_FALSE(giant.is_null());
  EXPECT_EQ(giant["metadata"]["failed_pages"][0]["page"].get<int64_t>(), 1);

  json stats = json::parse(testing::ReadFile(out + "/stats.json"));
  EXPECT_EQ(stats["pages_failed"].get<int64_t>(), 1);
  EXPECT_GE(stats["documents_failed"].get<int>(), 6);
  // Real memory (reserved bytes stay under the limit by the budget's construction).
  if (testing::kRssIsMeaningful) {
    EXPECT_LE(stats["peak_rss_bytes"].get<int64_t>(),
              stats["memory_limit_bytes"].get<int64_t>())
        << stats.dump();
  } else {
    testing::NoteSkippedCheck("peak RSS <= the limit", "RSS means nothing under ASan");
  }
}

TEST(BadInputTest, UsageErrorsExitWithTwo) {
  EXPECT_EQ(testing::RunPageflow({"run", "x.pdf"}).exit_code, 2);  // no --out
  testing::CommandResult r =
      testing::RunPageflow({"run", "x.pdf", "--out", "/tmp/x", "--engine", "magic"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("magic"), std::string::npos);
  EXPECT_EQ(
      testing::RunPageflow({"run", "x.pdf", "--out", "/tmp/x", "--memory-limit", "lots"})
          .exit_code,
      2);
  EXPECT_EQ(testing::RunPageflow({"frobnicate"}).exit_code, 2);
  // 0 would be MuPDF's "unlimited" store, outside the budget.
  r = testing::RunPageflow({"run", "x.pdf", "--out", "/tmp/x", "--pdf-store", "0"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("--pdf-store: '0' is too small"), std::string::npos) << r.err;
  r = testing::RunPageflow({"worker", "--queue", "redis://127.0.0.1:1/q", "--out",
                            "/tmp/x", "--pdf-store", "0"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("--pdf-store"), std::string::npos) << r.err;
}

// A symlinked input never makes pageflow write outside --out (the user's own
// docs/report.txt was replaced), and equal names under two roots both survive.
TEST(BadInputTest, MirrorsStayInsideOutAndRootsDoNotCollide) {
  testing::TempDir dir;
  const std::string d = dir.path();
  fs::create_directories(d + "/docs");
  fs::create_directories(d + "/l/a/b");
  testing::WriteTestPdf(d + "/docs/report.pdf",
                        {{.lines = {"Linked report"}, .font_pt = 36}});
  testing::WriteFile(d + "/docs/report.txt", "the user's own notes\n");
  fs::create_symlink("../../../docs/report.pdf", d + "/l/a/b/report.pdf");
  testing::CommandResult r =
      testing::RunPageflow({"run", d + "/l/a/b", "--out", d + "/o/p", "--format", "txt",
                            "--engine", "text-layer", "--no-progress"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(testing::ReadFile(d + "/docs/report.txt"), "the user's own notes\n");
  EXPECT_NE(testing::ReadFile(d + "/o/p/txt/report.txt").find("Linked report"),
            std::string::npos);

  for (const char* year : {"2019", "2020"}) {
    fs::create_directories(d + "/" + year);
    testing::WriteTestPdf(d + "/" + year + "/report.pdf",
                          {{.lines = {std::string("Report ") + year}, .font_pt = 36}});
  }
  r = testing::RunPageflow({"run", d + "/2019/", d + "/2020/", "--out", d + "/years",
                            "--format", "md", "--engine", "text-layer", "--no-progress"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(testing::ReadFile(d + "/years/md/2019/report.md").find("Report 2019"),
            std::string::npos);
  EXPECT_NE(testing::ReadFile(d + "/years/md/2020/report.md").find("Report 2020"),
            std::string::npos);
}

TEST(BadInputTest, FolderLoopsConvertEachFileOnce) {
  testing::TempDir dir;
  const std::string in = dir.path() + "/in";
  fs::create_directories(in + "/sub");
  testing::WriteTestPdf(in + "/a.pdf", {{.lines = {"First"}, .font_pt = 36}});
  testing::WriteTestPdf(in + "/sub/b.pdf", {{.lines = {"Second"}, .font_pt = 36}});
  fs::create_directory_symlink("..", in + "/sub/loop");
  const std::string out = dir.path() + "/out";
  testing::CommandResult r = testing::RunPageflow(
      {"run", in, "--out", out, "--engine", "text-layer", "--no-progress"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  int records = 0;
  for (auto& e : fs::directory_iterator(out + "/results")) records += e.is_regular_file();
  EXPECT_EQ(records, 2);
}

// A 600-byte PDF whose page tree claims a million pages is one page, done at once.
TEST(BadInputTest, APageTreeThatLiesDoesNotRunForMinutes) {
  testing::TempDir dir;
  testing::WriteLyingPdf(dir.path() + "/lies.pdf", 1000000);
  const std::string out = dir.path() + "/out";
  const auto start = std::chrono::steady_clock::now();
  testing::CommandResult r =
      testing::RunPageflow({"run", dir.path() + "/lies.pdf", "--out", out, "--engine",
                            "text-layer", "--no-progress"});
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(20));
  EXPECT_EQ(r.exit_code, 0) << r.err.substr(0, 2000);
  EXPECT_NE(r.err.find("claims 1000000 pages but only 1 can be loaded"),
            std::string::npos)
      << r.err.substr(0, 2000);
  EXPECT_LT(r.err.size(), 10000u);
  json j = ResultFor(out, "lies.pdf");
  EXPECT_EQ(j["metadata"]["pdf_total_pages"].get<int64_t>(), 1);
}

// The lie hidden in an inner node: the root's last page is real (so it loads, and
// MuPDF's count stands), and between the two real pages an inner node claims 999,999
// more. Counted from the tree the file holds, it is two pages.
TEST(BadInputTest, APageTreeThatLiesInAnInnerNodeIsCountedByItsPages) {
  testing::TempDir dir;
  testing::WriteRawPdf(dir.path() + "/lies.pdf",
                       {"<< /Type /Catalog /Pages 2 0 R >>",
                        "<< /Type /Pages /Count 1000000 /Kids [3 0 R 5 0 R] >>",
                        "<< /Type /Pages /Parent 2 0 R /Count 999999 /Kids [4 0 R] >>",
                        "<< /Type /Page /Parent 3 0 R /MediaBox [0 0 200 200] >>",
                        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 300 300] >>"});
  const std::string out = dir.path() + "/out";
  const auto start = std::chrono::steady_clock::now();
  testing::CommandResult r =
      testing::RunPageflow({"run", dir.path() + "/lies.pdf", "--out", out, "--engine",
                            "text-layer", "--no-progress"});
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(20));
  EXPECT_EQ(r.exit_code, 0) << r.err.substr(0, 2000);
  EXPECT_NE(r.err.find("claims 1000000 pages but only 2 can be loaded"),
            std::string::npos)
      << r.err.substr(0, 2000);
  EXPECT_LT(r.err.size(), 10000u);
  json j = ResultFor(out, "lies.pdf");
  EXPECT_EQ(j["metadata"]["pdf_total_pages"].get<int64_t>(), 2);
  EXPECT_LT(j.dump().size(), 10000u);
}

// A document whose every page fails logs the first 20 errors, then one line that more
// failed and, when it ends, how many were not logged; the record lists them all.
TEST(BadInputTest, PageErrorsAreLoggedForTheFirstTwentyPagesOfADocument) {
  testing::TempDir dir;
  std::vector<testing::TestPage> pages(30, testing::TestPage{.lines = {"x"}});
  testing::WriteTestPdf(dir.path() + "/many.pdf", pages);
  const std::string out = dir.path() + "/out";
  // Each page's text layer (with MuPDF's allowance) needs more than 30M leaves.
  testing::CommandResult r = testing::RunPageflow(
      {"run", dir.path() + "/many.pdf", "--out", out, "--engine", "text-layer",
       "--memory-limit", "30M", "--pdf-store", "1M", "--workers", "1", "--no-progress"});
  EXPECT_EQ(r.exit_code, 1) << r.err;
  int logged = 0;
  for (size_t pos = r.err.find("needs 40M"); pos != std::string::npos;
       pos = r.err.find("needs 40M", pos + 1)) {
    ++logged;
  }
  EXPECT_EQ(logged, 20) << r.err;
  EXPECT_NE(r.err.find("many.pdf: 10 more page errors not logged (30 pages failed)"),
            std::string::npos)
      << r.err;
  json j = ResultFor(out, "many.pdf");
  EXPECT_EQ(j["metadata"]["failed_pages"].size(), 30u) << j.dump();
}

// A 1 MB PDF whose embedded font inflates to 1 GiB: MuPDF's allocations are charged to
// the page's allowance, so reading the font fails with that reason and the process
// stays inside the limit (before, text-layer peaked at 899 MiB and auto at 916 MiB
// under 300M).
TEST(BadInputTest, AFontThatInflatesToAGigabyteStaysInsideTheLimit) {
  testing::TempDir dir;
  const std::string in = dir.path() + "/in";
  fs::create_directories(in);
  testing::WriteFontBombPdf(in + "/bomb.pdf", 1ll << 30);
  testing::WriteTestPdf(in + "/good.pdf", {{.lines = {"Hello world"}, .font_pt = 36}});
  ASSERT_LT(fs::file_size(in + "/bomb.pdf"), 2000000u);
  const std::string why = "of PDF library memory (fonts";
  for (const char* engine : {"text-layer", "auto"}) {
    SCOPED_TRACE(engine);
    const bool ocr = std::string(engine) == "auto";
    const std::string out = dir.path() + "/out-" + engine;
    const auto start = std::chrono::steady_clock::now();
    testing::CommandResult r = testing::RunPageflow(
        {"run", in, "--out", out, "--engine", engine, "--memory-limit", "300M",
         "--workers", "1", "--no-progress", "--stats", out + "/stats.json"});
    EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(15));
    json bomb = ResultFor(out, "/bomb.pdf");
    // Refused at the usual allowance, the page is tried once more with a larger one (up
    // to what one reservation may hold); MuPDF keeps a substitute font in place of the
    // refused one, so the text is read then. Were it still refused, the page would fail
    // with the reason. Either way nothing goes past the limit.
    if (r.err.find(why) == std::string::npos) {
      EXPECT_EQ(r.exit_code, 0) << r.err;
      ASSERT_FALSE(bomb.is_null());
      EXPECT_NE(bomb["text"].get<std::string>().find("font bomb"), std::string::npos)
          << bomb.dump();
    } else {
      EXPECT_EQ(r.exit_code, ocr ? 0 : 1) << r.err;
    }
    json good = ResultFor(out, "/good.pdf");
    ASSERT_FALSE(good.is_null());
    EXPECT_NE(good["text"].get<std::string>().find("Hello world"), std::string::npos);
    json stats = json::parse(testing::ReadFile(out + "/stats.json"));
    if (testing::kRssIsMeaningful) {
      EXPECT_LE(stats["peak_rss_bytes"].get<int64_t>(), 300ll << 20) << stats.dump();
    }
    std::printf("[ figure ] %s: peak RSS %.1f MiB under a 300 MiB limit\n", engine,
                stats["peak_rss_bytes"].get<int64_t>() / 1048576.0);
  }
}

// libjpeg decodes a progressive file through whole-image coefficient buffers (763 MiB
// here) even when it reduces the output 8x: the page is refused when planned, with that
// reason, instead of peaking far over the limit (841 MiB under 300M before).
TEST(BadInputTest, AProgressiveJpegIsPlannedWithItsCoefficientBuffers) {
  testing::TempDir dir;
  const std::string in = dir.path() + "/in";
  fs::create_directories(in);
  testing::WriteProgressiveJpeg(in + "/progressive.jpg", 20000, 20000);
  testing::WriteTestPdf(in + "/good.pdf", {{.lines = {"Hello world"}, .font_pt = 36}});
  const std::string out = dir.path() + "/out";
  testing::CommandResult r = testing::RunPageflow(
      {"run", in, "--out", out, "--engine", "tesseract", "--memory-limit", "300M",
       "--workers", "1", "--no-progress", "--stats", out + "/stats.json"});
  EXPECT_EQ(r.exit_code, 1) << r.err;
  const size_t at =
      r.err.find("page 1 of " + in +
                 "/progressive.jpg: decoding this 20000 x 20000 px progressive JPEG "
                 "needs 763M for its whole-image coefficient buffers");
  EXPECT_NE(at, std::string::npos) << r.err;
  json good = ResultFor(out, "/good.pdf");
  ASSERT_FALSE(good.is_null());
  json stats = json::parse(testing::ReadFile(out + "/stats.json"));
  if (testing::kRssIsMeaningful) {
    EXPECT_LE(stats["peak_rss_bytes"].get<int64_t>(), 300ll << 20) << stats.dump();
  }
  std::printf("[ figure ] progressive JPEG: peak RSS %.1f MiB under a 300 MiB limit\n",
              stats["peak_rss_bytes"].get<int64_t>() / 1048576.0);
}

TEST(BadInputTest, BudgetTooSmallForTheEnginesIsFatalAndSaysWhatWouldFit) {
  testing::TempDir dir;
  testing::WriteTestPdf(dir.path() + "/a.pdf", {{.lines = {"x"}}});
  testing::CommandResult r =
      testing::RunPageflow({"run", dir.path() + "/a.pdf", "--out", dir.path() + "/out",
                            "--memory-limit", "80M", "--workers", "2", "--no-progress"});
  EXPECT_EQ(r.exit_code, 3) << r.err;
  EXPECT_NE(r.err.find("--memory-limit must be at least"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace pageflow
