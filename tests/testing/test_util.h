// Test-only helpers: status assertions, a temporary directory, generators for small
// real documents (PDFs via MuPDF's writer, images via Leptonica, crafted broken files),
// and a way to run the pageflow binary.
//
//   TempDir dir;
//   WriteTestPdf(dir.path() + "/a.pdf", {{.lines = {"Hello"}}});
//   CommandResult r = RunPageflow({"run", dir.path() + "/a.pdf", "--out", dir.path() + "/out"});
#pragma once

#include <gtest/gtest.h>

#include <cstdio>
#include <string>
#include <vector>

#include "base/status.h"

#define EXPECT_OK(expr)                                          \
  do {                                                           \
    const ::pageflow::Status pf_st_ = ::pageflow::testing::AsStatus(expr); \
    EXPECT_TRUE(pf_st_.ok()) << pf_st_.ToString();               \
  } while (0)
#define ASSERT_OK(expr)                                          \
  do {                                                           \
    const ::pageflow::Status pf_st_ = ::pageflow::testing::AsStatus(expr); \
    ASSERT_TRUE(pf_st_.ok()) << pf_st_.ToString();               \
  } while (0)

namespace pageflow::testing {

// Built with AddressSanitizer (the asan preset): its shadow memory and quarantine make
// the process's RSS say nothing about the memory budget, so RSS checks are skipped.
#if defined(__SANITIZE_ADDRESS__)
inline constexpr bool kRssIsMeaningful = false;
#else
inline constexpr bool kRssIsMeaningful = true;
#endif

// For a check inside a test that cannot run here while the rest of the test can (a
// whole test that cannot run uses GTEST_SKIP): says so in the test's output.
inline void NoteSkippedCheck(const std::string& what, const std::string& why) {
  std::printf("[  SKIPPED ] check %s: %s\n", what.c_str(), why.c_str());
}

inline Status AsStatus(const Status& s) { return s; }
template <typename T>
Status AsStatus(const StatusOr<T>& s) { return s.status(); }

class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

struct TestPage {
  double width_pt = 612;   // US letter
  double height_pt = 792;
  std::vector<std::string> lines;  // Helvetica text, top to bottom
  double font_pt = 24;
  // > 0: a gray image (a scan, say) over the full width and this share of the height,
  // drawn under the text from the bottom of the page.
  double image_share = 0;
  // Text at given places, beside `lines`: x and y of the baseline from the page's top-left
  // corner, in points (running headers, footers, headings in a larger size).
  struct Placed {
    double x_pt = 72;
    double y_pt = 72;
    double font_pt = 11;
    std::string text;
  };
  std::vector<Placed> placed = {};
};

// Writes a PDF with a real text layer. An empty `pages` list writes a zero-page PDF.
// A non-empty user_password encrypts it (AES-256).
void WriteTestPdf(const std::string& path, const std::vector<TestPage>& pages,
                  const std::string& user_password = "");
// Gray image of w x h with dark bars (text-like), PNG or TIFF by extension. With
// frames > 1 and a .tif name, writes a multi-page TIFF.
void WriteTestImage(const std::string& path, int width, int height, int frames = 1);
// A PNG whose IHDR claims width x height RGB pixels, followed by a truncated IDAT.
void WritePngHeaderOnly(const std::string& path, int width, int height);
// A raw PDF whose page tree claims `count` pages but holds one real page.
void WriteLyingPdf(const std::string& path, int count);
// A PDF of these object bodies, numbered from 1 (object 1 the catalog), with its xref.
void WriteRawPdf(const std::string& path, const std::vector<std::string>& objects);
// A one-page PDF that shows text in a TrueType font whose embedded program (/FontFile2)
// inflates to `inflated_bytes` of zeros (one Flate layer: 1 GiB takes about 1 MB; MuPDF
// refuses a second layer's bomb by itself, this one it would inflate in full).
void WriteFontBombPdf(const std::string& path, int64_t inflated_bytes);
// A flat gray progressive JPEG of width x height (a 20000 x 20000 one is ~1 MB; writing
// it holds libjpeg's whole-image coefficients, 2 bytes a pixel, in the test process).
void WriteProgressiveJpeg(const std::string& path, int width, int height);
void WriteFile(const std::string& path, const std::string& data);
std::string ReadFile(const std::string& path);

struct CommandResult {
  int exit_code = -1;
  std::string out;  // stdout
  std::string err;  // stderr
};
// Runs the pageflow binary ($PAGEFLOW_BIN) with args; waits for it. With stdin_path,
// its standard input is that file.
CommandResult RunPageflow(const std::vector<std::string>& args,
                          const std::string& stdin_path = "");
// Starts it in the background (stdout to /dev/null, stderr to `stderr_path` or
// /dev/null); returns its pid.
int StartPageflow(const std::vector<std::string>& args,
                  const std::string& stderr_path = "");

// Directory of the source tree ($PAGEFLOW_SOURCE_DIR).
std::string SourceDir();

// A loopback TCP port that was free a moment ago (for test servers).
int FreePort();

}  // namespace pageflow::testing
