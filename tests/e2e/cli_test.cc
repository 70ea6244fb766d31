// The command line as a new user meets it (issue 17): progress that tells the truth,
// damaged input reported, --redo, Ctrl-C that keeps finished pages, --pages, and the
// small things (plurals, -q/-v, clear messages).
#include <arpa/inet.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

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
  EXPECT_EQ(r.err.find("none of the pages"), std::string::npos) << r.err;  // they are
  json j = OnlyRecord(out);
  std::vector<int> pages;
  for (const json& span : j["attributes"]["pdf_page_numbers"]) pages.push_back(span[2]);
  EXPECT_EQ(pages, (std::vector<int>{3, 4, 5, 9, 11, 12})) << j.dump();
  const std::string text = j["text"];
  EXPECT_NE(text.find("Golf page 9"), std::string::npos) << text;
  EXPECT_EQ(text.find("Golf page 8"), std::string::npos) << text;

  r = testing::RunPageflow({"run", dir.path() + "/a.pdf", "--out", dir.path() + "/out2",
                            "--engine", "text-layer", "--pages", "20-", "--no-progress"});
  EXPECT_NE(r.err.find("a.pdf: none of the pages --pages 20- selects is in this document "
                       "(12 pages)"),
            std::string::npos)
      << r.err;

  r = testing::RunPageflow(
      {"run", dir.path() + "/a.pdf", "--out", out, "--pages", "5-2"});
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find("--pages: '5-2' is not a page or a range"), std::string::npos)
      << r.err;
}

// ---- Item 9: small things that add up.

TEST(CliTest, SummarySaysWrittenAndFailedDocumentsInGoodEnglish) {
  testing::TempDir dir;
  const std::string in = dir.path() + "/in";
  fs::create_directories(in);
  testing::WriteTestPdf(in + "/good.pdf", Pages("Hotel", 1));
  testing::WriteFile(in + "/fake.pdf", "<html>not a pdf</html>");
  const std::vector<std::string> base = {
      "run", in, "--out", dir.path() + "/out", "--engine", "text-layer", "--no-progress"};
  testing::CommandResult r = testing::RunPageflow(base);
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_NE(r.err.find("pageflow: 1 document written, 1 document failed; 1 page in "),
            std::string::npos)
      << r.err;

  // -q: warnings and errors only; -v: a line per page.
  std::vector<std::string> args = base;
  args.push_back("-q");
  r = testing::RunPageflow(args);
  EXPECT_EQ(r.err.find("written"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("fake.pdf"), std::string::npos) << r.err;
  args = base;
  args.insert(args.end(), {"-v", "--redo"});
  r = testing::RunPageflow(args);
  EXPECT_NE(r.err.find("debug: page 1 of " + in + "/good.pdf: done by text-layer"),
            std::string::npos)
      << r.err;
}

TEST(CliTest, EvalWithAnUnknownSubsetListsTheSubsets) {
  testing::TempDir dir;
  testing::WriteTestImage(dir.path() + "/a.png", 200, 100);
  testing::WriteFile(dir.path() + "/manifest.tsv",
                     "split\tset\tsub\tfile\tlang\tpages\tsource\n"
                     "test\tA_images\tforms\ta.png\ten\t1\tgenerated\n");
  testing::CommandResult r = testing::RunPageflow(
      {"eval", "--corpus", dir.path(), "--subset", "receipts", "--engine", "text-layer"});
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find("--subset 'receipts' names no subset"), std::string::npos)
      << r.err;
  EXPECT_NE(r.err.find("A_images/forms"), std::string::npos) << r.err;
}

TEST(CliTest, QueueStatusOfAQueueThatDoesNotExistSaysSo) {
  const char* redis = "/usr/bin/redis-server";
  if (!fs::exists(redis)) GTEST_SKIP() << "redis-server is not installed";
  testing::TempDir dir;
  const int port = testing::FreePort();
  const pid_t pid = fork();
  if (pid == 0) {
    const int null = open("/dev/null", O_WRONLY);
    dup2(null, 1);
    dup2(null, 2);
    execl(redis, redis, "--port", std::to_string(port).c_str(), "--save", "", "--dir",
          dir.path().c_str(), static_cast<char*>(nullptr));
    _exit(127);
  }
  const std::string url = "redis://127.0.0.1:" + std::to_string(port) + "/nosuchqueue";
  testing::CommandResult r;
  for (int i = 0; i < 100; ++i) {  // until redis listens
    r = testing::RunPageflow({"queue-status", "--queue", url});
    if (r.err.find("onnect") == std::string::npos) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_NE(r.err.find("queue 'nosuchqueue' does not exist"), std::string::npos) << r.err;
  // Asking did not create it.
  r = testing::RunPageflow({"queue-status", "--queue", url});
  EXPECT_EQ(r.exit_code, 1) << r.err;
  kill(pid, SIGTERM);
  waitpid(pid, nullptr, 0);
}

// A raw HTTP/1.1 GET; the answer's status line.
std::string HttpGet(int port, const std::string& path) {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(static_cast<uint16_t>(port));
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
    close(fd);
    return "";
  }
  const std::string req =
      "GET " + path + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
  (void)!write(fd, req.data(), req.size());
  std::string answer;
  char buf[4096];
  for (ssize_t n; (n = read(fd, buf, sizeof buf)) > 0;)
    answer.append(buf, static_cast<size_t>(n));
  close(fd);
  return answer.substr(0, answer.find("\r\n"));
}

TEST(CliTest, ServeLogsOneLinePerRequest) {
  testing::TempDir dir;
  const std::string port_file = dir.path() + "/port", log = dir.path() + "/log";
  const int pid = testing::StartPageflow(
      {"serve", "--listen", "127.0.0.1:0", "--port-file", port_file, "--spool-dir",
       dir.path() + "/spool", "--workers", "1", "--log-format", "json"},
      log);
  for (int i = 0; i < 600 && !fs::exists(port_file); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  ASSERT_TRUE(fs::exists(port_file)) << testing::ReadFile(log);
  const int port = std::atoi(testing::ReadFile(port_file).c_str());
  EXPECT_EQ(HttpGet(port, "/healthz"), "HTTP/1.1 200 OK");
  const std::string other = HttpGet(port, "/nosuchpage");  // "HTTP/1.1 405 ..."
  ASSERT_GT(other.size(), 12u);
  const int other_status = std::atoi(other.substr(9, 3).c_str());
  kill(pid, SIGTERM);
  waitpid(pid, nullptr, 0);
  int requests = 0;
  for (const std::string& line : Lines(testing::ReadFile(log))) {
    json j = json::parse(line, nullptr, /*allow_exceptions=*/false);
    ASSERT_TRUE(j.is_object()) << line;
    if (j.value("event", "") != "request") continue;
    ++requests;
    EXPECT_EQ(j["method"], "GET") << line;
    EXPECT_GT(j["bytes"].get<int>(), 0) << line;
    EXPECT_GE(j["seconds"].get<double>(), 0) << line;
    if (j["path"] == "/healthz") EXPECT_EQ(j["status"], 200) << line;
    if (j["path"] == "/nosuchpage") EXPECT_EQ(j["status"], other_status) << line;
  }
  EXPECT_EQ(requests, 2) << testing::ReadFile(log);
}

}  // namespace
}  // namespace pageflow
