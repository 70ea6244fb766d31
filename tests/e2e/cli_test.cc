// The command line as a new user meets it (issue 17): progress that tells the truth,
// damaged input reported, --redo, Ctrl-C that keeps finished pages, --pages, and the
// small things (plurals, -q/-v, clear messages).
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>

#include <chrono>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <regex>
#include <sstream>
#include <thread>

#include "testing/test_util.h"

namespace pageflow {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

std::vector<testing::TestPage> Pages(const std::string& word, int n) {
  std::vector<testing::TestPage> pages;
  for (int p = 1; p <= n; ++p) {
    pages.push_back({.lines = {word + " page " + std::to_string(p)}, .font_pt = 30});
  }
  return pages;
}

// OCR (not the text layer) so that pages take long enough for progress lines.
std::vector<std::string> SlowRun(const std::string& in, const std::string& out) {
  return {"run",       in,          "--out", out,     "--engine",
          "tesseract", "--workers", "1",     "--dpi", "150"};
}

// Item 1: pages done of the pages known, the documents not yet opened, and an ETA once
// a few pages are done; plain lines every --progress-interval when stderr is a file.
TEST(CliTest, ProgressCountsKnownPagesAndUnopenedDocuments) {
  testing::TempDir dir;
  const std::string in = dir.path() + "/in";
  fs::create_directories(in);
  testing::WriteTestPdf(in + "/a.pdf", Pages("Alpha", 12));
  testing::WriteTestPdf(in + "/b.pdf", Pages("Beta", 2));
  std::vector<std::string> args = SlowRun(in, dir.path() + "/out");
  args.insert(args.end(), {"--progress-interval", "0.2"});
  testing::CommandResult r = testing::RunPageflow(args);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  // While a.pdf runs, b.pdf is counted but not opened: 12 pages known, +1 document.
  const std::regex first(
      R"(progress: docs 0/2  pages \d+/12 \(\+1 document not yet opened\))");
  const std::regex eta(R"(pages ([3-9]|1[0-4])/1[24].*ETA ~?\d+[sm])");
  bool saw_first = false, saw_eta = false;
  for (const std::string& line : Lines(r.err)) {
    saw_first = saw_first || std::regex_search(line, first);
    saw_eta = saw_eta || std::regex_search(line, eta);
  }
  EXPECT_TRUE(saw_first) << r.err;
  EXPECT_TRUE(saw_eta) << r.err;
}

TEST(CliTest, JsonLogsAreOneObjectPerLine) {
  testing::TempDir dir;
  testing::WriteTestPdf(dir.path() + "/a.pdf", Pages("Gamma", 4));
  std::vector<std::string> args = SlowRun(dir.path() + "/a.pdf", dir.path() + "/out");
  args.insert(args.end(), {"--progress-interval", "0.2", "--log-format", "json"});
  testing::CommandResult r = testing::RunPageflow(args);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  int progress = 0, summary = 0;
  for (const std::string& line : Lines(r.err)) {
    json j = json::parse(line, nullptr, /*allow_exceptions=*/false);
    ASSERT_TRUE(j.is_object()) << "not JSON: " << line;
    EXPECT_TRUE(j["time"].is_string()) << line;
    EXPECT_TRUE(j["level"].is_string()) << line;
    EXPECT_TRUE(j["message"].is_string()) << line;
    if (j.value("event", "") == "progress") {
      ++progress;
      EXPECT_EQ(j["pages_known"].get<int>(), 4) << line;
    }
    if (j["message"].get<std::string>().find("peak RSS") != std::string::npos) {
      ++summary;
    }
  }
  EXPECT_GT(progress, 0) << r.err;
  EXPECT_EQ(summary, 1) << r.err;
}

// ---- Item 6: damaged input is reported.

json OnlyRecord(const std::string& out) {
  for (auto& e : fs::directory_iterator(out + "/results")) {
    return json::parse(testing::ReadFile(e.path().string()));
  }
  return json();
}

TEST(CliTest, APdfCutShortIsReportedNotSilentlyEmpty) {
  testing::TempDir dir;
  testing::WriteTestPdf(dir.path() + "/whole.pdf", Pages("Delta", 6));
  const std::string pdf = testing::ReadFile(dir.path() + "/whole.pdf");
  testing::WriteFile(dir.path() + "/cut.pdf", pdf.substr(0, pdf.size() * 16 / 100));
  const std::string out = dir.path() + "/out";
  testing::CommandResult r = testing::RunPageflow(
      {"run", dir.path() + "/cut.pdf", "--out", out, "--dpi", "100", "--no-progress"});
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_NE(r.err.find("cut.pdf: damaged file"), std::string::npos) << r.err;
  json j = OnlyRecord(out);
  ASSERT_TRUE(j.is_object()) << r.err;
  EXPECT_NE(j["metadata"]["document_notes"].dump().find("damaged file"),
            std::string::npos)
      << j.dump();
  EXPECT_FALSE(j["metadata"]["failed_pages"].empty()) << j.dump();
}

TEST(CliTest, ADocumentWithoutTextGetsAWarningAndANote) {
  testing::TempDir dir;
  testing::WriteTestPdf(dir.path() + "/blank.pdf", {{}, {}});
  const std::string out = dir.path() + "/out";
  testing::CommandResult r = testing::RunPageflow(
      {"run", dir.path() + "/blank.pdf", "--out", out, "--dpi", "100", "--no-progress"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("warning: " + dir.path() + "/blank.pdf: no text on any page"),
            std::string::npos)
      << r.err;
  EXPECT_NE(
      OnlyRecord(out)["metadata"]["document_notes"].dump().find("no text on any page"),
      std::string::npos);
}

TEST(CliTest, AnUnwritableResultsFolderIsFatalAtStart) {
  testing::TempDir dir;
  testing::WriteTestPdf(dir.path() + "/a.pdf", Pages("Echo", 1));
  const std::string out = dir.path() + "/out";
  fs::create_directories(out);
  // Not writable even for root (tests may run as root, where chmod does not stop writes).
  fs::create_directory_symlink("/proc/self", out + "/results");
  testing::CommandResult r =
      testing::RunPageflow({"run", dir.path() + "/a.pdf", "--out", out, "--no-progress"});
  EXPECT_EQ(r.exit_code, 3) << r.err;
  EXPECT_NE(r.err.find("cannot write to output directory " + out + "/results"),
            std::string::npos)
      << r.err;
  EXPECT_EQ(r.err.find("pages"), std::string::npos) << "started working: " << r.err;
}

TEST(CliTest, AMissingInputIsAUsageError) {
  testing::TempDir dir;
  const std::string out = dir.path() + "/out";
  testing::CommandResult r = testing::RunPageflow(
      {"run", dir.path() + "/nope.pdf", "--out", out, "--no-progress"});
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find("input '" + dir.path() + "/nope.pdf' does not exist"),
            std::string::npos)
      << r.err;
  EXPECT_EQ(r.err.find("results in"), std::string::npos) << r.err;

  r = testing::RunPageflow(
      {"run", "@" + dir.path() + "/list.txt", "--out", out, "--no-progress"});
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find("cannot read input list '" + dir.path() +
                       "/list.txt': No such file or directory"),
            std::string::npos)
      << r.err;
}

// ---- Item 7: --redo, and a changed input is redone.

TEST(CliTest, RedoIgnoresDoneMarkersAndAChangedInputIsRedone) {
  testing::TempDir dir;
  const std::string pdf = dir.path() + "/a.pdf", stats = dir.path() + "/stats.json";
  testing::WriteTestPdf(pdf, {{.lines = {"First version"}, .font_pt = 30}});
  auto run = [&](std::vector<std::string> extra) {
    std::vector<std::string> args = {
        "run",      pdf,          "--out",         dir.path() + "/out",
        "--engine", "text-layer", "--no-progress", "--stats",
        stats};
    args.insert(args.end(), extra.begin(), extra.end());
    testing::CommandResult r = testing::RunPageflow(args);
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return json::parse(testing::ReadFile(stats));
  };
  EXPECT_EQ(run({})["documents_skipped"].get<int>(), 0);
  EXPECT_EQ(run({})["documents_skipped"].get<int>(), 1);
  json s = run({"--redo"});
  EXPECT_EQ(s["documents_skipped"].get<int>(), 0);
  EXPECT_EQ(s["pages"].get<int>(), 1);

  testing::WriteTestPdf(pdf, {{.lines = {"Second version, longer"}, .font_pt = 30}});
  EXPECT_EQ(run({})["documents_skipped"].get<int>(), 0);
  const std::string text = OnlyRecord(dir.path() + "/out")["text"];
  EXPECT_NE(text.find("Second version"), std::string::npos) << text;
  EXPECT_EQ(run({})["documents_skipped"].get<int>(), 1);
}

// ---- Item 2: Ctrl-C keeps finished pages.

// Waits until the progress lines in `log` say `pages` pages are done; false if the
// process (still running: not reaped) ends first or time runs out.
bool WaitForPagesDone(int pid, const std::string& log, int pages, int seconds) {
  const std::regex done(R"(pages (\d+)/)");
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(seconds);
  while (std::chrono::steady_clock::now() < deadline) {
    for (const std::string& line : Lines(testing::ReadFile(log))) {
      std::smatch m;
      if (std::regex_search(line, m, done) && std::stoi(m[1]) >= pages) return true;
    }
    int status = 0;
    if (waitpid(pid, &status, WNOHANG) == pid) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return false;
}

TEST(CliTest, InterruptKeepsTheFinishedPagesOfUnfinishedRanges) {
  testing::TempDir dir;
  const std::string pdf = dir.path() + "/long.pdf", out = dir.path() + "/out";
  constexpr int kPages = 20;  // one range of 16 and one of 4
  testing::WriteTestPdf(pdf, Pages("Foxtrot", kPages));
  std::vector<std::string> args = SlowRun(pdf, out);
  args.insert(args.end(), {"--progress-interval", "0.1"});
  const int pid = testing::StartPageflow(args, dir.path() + "/log");
  ASSERT_TRUE(WaitForPagesDone(pid, dir.path() + "/log", 3, 120))
      << testing::ReadFile(dir.path() + "/log");
  kill(pid, SIGINT);
  int status = 0;
  waitpid(pid, &status, 0);
  const std::string log = testing::ReadFile(dir.path() + "/log");
  ASSERT_TRUE(WIFEXITED(status)) << log;
  EXPECT_EQ(WEXITSTATUS(status), 1) << log;  // work is left
  EXPECT_NE(log.find("interrupted"), std::string::npos) << log;

  args.insert(args.end(), {"--stats", dir.path() + "/stats.json"});
  testing::CommandResult r = testing::RunPageflow(args);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::smatch m;
  ASSERT_TRUE(
      std::regex_search(r.err, m, std::regex(R"(resuming: (\d+) pages already done)")))
      << r.err;
  const int kept = std::stoi(m[1]);
  EXPECT_GE(kept, 3) << r.err;
  json stats = json::parse(testing::ReadFile(dir.path() + "/stats.json"));
  EXPECT_EQ(stats["pages"].get<int>(), kPages - kept);  // nothing done twice

  json j = OnlyRecord(out);
  ASSERT_EQ(j["attributes"]["pdf_page_numbers"].size(), static_cast<size_t>(kPages));
  const std::string text = j["text"];
  for (int p = 1; p <= kPages; ++p) {
    const std::regex want("Foxtrot page " + std::to_string(p) + "(?![0-9])");
    const auto n = std::distance(std::sregex_iterator(text.begin(), text.end(), want),
                                 std::sregex_iterator());
    EXPECT_EQ(n, 1) << "page " << p << " in " << text;
  }
}

// ---- Item 3: --pages.

TEST(CliTest, PagesSelectsPagesOfEachDocument) {
  testing::TempDir dir;
  testing::WriteTestPdf(dir.path() + "/a.pdf", Pages("Golf", 12));
  const std::string out = dir.path() + "/out";
  testing::CommandResult r = testing::RunPageflow(
      {"run", dir.path() + "/a.pdf", "--out", out, "--engine", "text-layer", "--pages",
       "3-5,9,11-", "--pages-per-range", "2", "--no-progress"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  json j = OnlyRecord(out);
  std::vector<int> pages;
  for (const json& span : j["attributes"]["pdf_page_numbers"]) pages.push_back(span[2]);
  EXPECT_EQ(pages, (std::vector<int>{3, 4, 5, 9, 11, 12})) << j.dump();
  const std::string text = j["text"];
  EXPECT_NE(text.find("Golf page 9"), std::string::npos) << text;
  EXPECT_EQ(text.find("Golf page 8"), std::string::npos) << text;

  r = testing::RunPageflow(
      {"run", dir.path() + "/a.pdf", "--out", out, "--pages", "5-2"});
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find("--pages: '5-2' is not a page or a range"), std::string::npos)
      << r.err;
}

}  // namespace
}  // namespace pageflow
