#include "eval/tesseract_cli.h"

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace fs = std::filesystem;

namespace pageflow {

StatusOr<std::string> RunAndCapture(const std::vector<std::string>& argv) {
  int out[2];
  if (pipe(out) != 0) return Internal("pipe failed");
  const std::string err_path = fs::temp_directory_path() / ("pageflow-cli-err-" + std::to_string(getpid()));
  const pid_t pid = fork();
  if (pid < 0) return Internal("fork failed");
  if (pid == 0) {
    std::vector<char*> args;
    for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    dup2(out[1], 1);
    const int err = open(err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    if (err >= 0) dup2(err, 2);
    close(out[0]);
    execvp(args[0], args.data());
    _exit(127);
  }
  close(out[1]);
  std::string result;
  char buf[65536];
  ssize_t n;
  while ((n = read(out[0], buf, sizeof buf)) > 0) result.append(buf, static_cast<size_t>(n));
  close(out[0]);
  int status = 0;
  waitpid(pid, &status, 0);
  std::ifstream errs(err_path);
  std::string last, line;
  while (std::getline(errs, line)) {
    if (!line.empty()) last = line;
  }
  std::error_code ec;
  fs::remove(err_path, ec);
  if (WIFEXITED(status) && WEXITSTATUS(status) == 127) return Unavailable("cannot run " + argv[0]);
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) return Internal(argv[0] + " failed: " + last);
  return result;
}

namespace {

StatusOr<int> PdfPageCount(const std::string& path, int max_pages) {
  PF_ASSIGN_OR_RETURN(std::string info, RunAndCapture({"pdfinfo", path}));
  int count = 0;
  std::istringstream ss(info);
  std::string line;
  while (std::getline(ss, line)) {
    if (line.rfind("Pages:", 0) == 0) count = std::stoi(line.substr(6));
  }
  return max_pages > 0 ? std::min(count, max_pages) : count;
}

}  // namespace

StatusOr<std::vector<std::string>> RunPdftotext(const std::string& path, int max_pages,
                                                bool layout) {
  PF_ASSIGN_OR_RETURN(const int count, PdfPageCount(path, max_pages));
  std::vector<std::string> pages;
  for (int p = 1; p <= count; ++p) {
    std::vector<std::string> argv = {"pdftotext",       "-enc", "UTF-8",          "-f",
                                     std::to_string(p), "-l",   std::to_string(p)};
    if (layout) argv.push_back("-layout");
    argv.push_back(path);
    argv.push_back("-");
    PF_ASSIGN_OR_RETURN(std::string text, RunAndCapture(argv));
    if (!text.empty() && text.back() == '\f') text.pop_back();
    pages.push_back(std::move(text));
  }
  return pages;
}

StatusOr<std::vector<std::string>> RunTesseractCli(const std::string& path, bool pdf, int max_pages,
                                                   const std::string& lang, int dpi,
                                                   const std::string& work_dir) {
  std::vector<std::string> pages;
  if (!pdf) {
    PF_ASSIGN_OR_RETURN(std::string text, RunAndCapture({"tesseract", path, "stdout", "-l", lang}));
    pages.push_back(std::move(text));
    return pages;
  }
  PF_ASSIGN_OR_RETURN(const int count, PdfPageCount(path, max_pages));
  fs::create_directories(work_dir);
  for (int p = 1; p <= count; ++p) {
    const std::string prefix = work_dir + "/page";
    PF_ASSIGN_OR_RETURN(std::string ignored,
                        RunAndCapture({"pdftoppm", "-r", std::to_string(dpi), "-gray", "-png", "-singlefile",
                                       "-f", std::to_string(p), "-l", std::to_string(p), path, prefix}));
    (void)ignored;
    PF_ASSIGN_OR_RETURN(std::string text, RunAndCapture({"tesseract", prefix + ".png", "stdout", "-l", lang}));
    pages.push_back(std::move(text));
  }
  return pages;
}

}  // namespace pageflow
