// fuzz_seeds OUTDIR: writes hand-made starting inputs for every fuzz target into
// OUTDIR/TARGET/ — edge cases and the hostile files of tests/e2e/bad_input_test.cc at
// sizes that fuzz fast, made by the same generators, and text inputs made by the code
// that writes them (work items, range files). bench/fuzz adds samples/ and the small
// files of ../shared/corpus.
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>

#include "output/page_record.h"
#include "output/workspace.h"
#include "queue/work_item.h"
#include "testing/test_util.h"

namespace fs = std::filesystem;
using namespace pageflow;

namespace {

std::string out_dir;

std::string Seed(const std::string& target, const std::string& name) {
  fs::create_directories(out_dir + "/" + target);
  return out_dir + "/" + target + "/" + name;
}

void Text(const std::string& target, const std::string& name, const std::string& data) {
  pageflow::testing::WriteFile(Seed(target, name), data);
}

std::string Slurp(const std::string& path) { return pageflow::testing::ReadFile(path); }

void Images() {
  for (const char* t : {"png", "format_probe"}) {
    pageflow::testing::WriteTestImage(Seed(t, "bars.png"), 120, 90);
    pageflow::testing::WritePngHeaderOnly(Seed(t, "header-only-huge.png"), 100000,
                                          100000);
    pageflow::testing::WritePngHeaderOnly(Seed(t, "header-only-small.png"), 16, 16);
  }
  for (const char* t : {"tiff", "format_probe"}) {
    pageflow::testing::WriteTestImage(Seed(t, "bars.tif"), 100, 60);
    pageflow::testing::WriteTestImage(Seed(t, "three-frames.tif"), 40, 30, 3);
  }
  for (const char* t : {"jpeg", "format_probe"}) {
    pageflow::testing::WriteProgressiveJpeg(Seed(t, "progressive.jpg"), 64, 48);
    pageflow::testing::WriteProgressiveJpeg(Seed(t, "progressive-wide.jpg"), 800, 8);
  }
  Text("format_probe", "pdf-header-only.pdf", "%PDF-1.7\n");
  Text("format_probe", "tiff-be-header", std::string("MM\0*\0\0\0\x08", 8));
  Text("format_probe", "tiff-le-header", std::string("II*\0\x08\0\0\0", 8));
  Text("format_probe", "jpeg-soi", "\xFF\xD8\xFF\xE0");
}

void Pdfs() {
  pageflow::testing::TestPage page;
  page.lines = {"Hostile inputs", "A second line of text"};
  pageflow::testing::WriteTestPdf(Seed("pdf", "text.pdf"), {page});
  page.image_share = 0.4;
  pageflow::testing::WriteTestPdf(Seed("pdf", "text-and-image.pdf"), {page, page});
  pageflow::testing::WriteTestPdf(Seed("pdf", "zero-pages.pdf"), {});
  pageflow::testing::WriteLyingPdf(Seed("pdf", "lying-count.pdf"), 1000000);
  pageflow::testing::WriteFontBombPdf(Seed("pdf", "font-bomb.pdf"), 64ll << 20);
  pageflow::testing::WriteRawPdf(
      Seed("pdf", "lying-inner-node.pdf"),
      {"<< /Type /Catalog /Pages 2 0 R >>",
       "<< /Type /Pages /Count 1000000 /Kids [3 0 R 5 0 R] >>",
       "<< /Type /Pages /Parent 2 0 R /Count 999999 /Kids [4 0 R] >>",
       "<< /Type /Page /Parent 3 0 R /MediaBox [0 0 200 200] >>",
       "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] >>"});
  pageflow::testing::WriteRawPdf(
      Seed("pdf", "self-parent.pdf"),
      {"<< /Type /Catalog /Pages 2 0 R >>",
       "<< /Type /Pages /Count 2 /Kids [2 0 R 3 0 R] >>",
       "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 1e30 -5] >>"});
  Text("pdf", "truncated.pdf", Slurp(Seed("pdf", "text.pdf")).substr(0, 400));
  fs::copy_file(Seed("pdf", "lying-count.pdf"), Seed("format_probe", "lying-count.pdf"),
                fs::copy_options::overwrite_existing);
}

void WorkItems() {
  WorkItem item;
  item.path = "/data/a.pdf";
  item.relative = "sub/a.pdf";
  item.id = DocumentId(item.path);
  item.first = 16;
  item.last = 31;
  item.pages = 16;
  Text("work_item", "range.json", item.ToJson());
  item.last = -1;
  item.options.boxes = true;
  item.options.formats = "jsonl,md,hocr";
  Text("work_item", "whole.json", item.ToJson());
  Text("work_item", "version-string.json", R"({"v":"1"})");
  Text("work_item", "relative-escapes.json",
       R"({"v":1,"path":"/a.pdf","relative":"../../x","id":"1","first":0,"last":-1,)"
       R"("options":{"engine":"auto","lang":"eng","dpi":0,"max_dim":99999999999,)"
       R"("formats":"md","pages_per_range":16}})");
  Text("work_item", "queue-url", "redis://127.0.0.1:6379/scans");
}

void Resume() {
  const std::string dir = out_dir + "/.resume-work";
  StatusOr<Workspace> ws = Workspace::Open(dir, "fingerprint");
  if (!ws.ok()) return;
  PageRecord a;
  a.page = 2;
  a.text = "# Title\n\nA paragraph with ünïcode.";
  a.engine = "text-layer";
  a.markdown = true;
  a.furniture = {{"header", "Running head"}};
  a.margins = {{true, 950, "Page 2"}};
  PageRecord b;
  b.page = 3;
  b.error = "needs more than 64 MiB to render";
  const std::string stamp = "size=1;mtime=2.000000000";
  (void)ws->WriteRange("id", {1, 2}, {a, b}, stamp);
  (void)ws->WritePartial("id", {1, 2}, {a}, stamp);
  for (const fs::directory_entry& e :
       fs::recursive_directory_iterator(dir + "/.pageflow/ranges")) {
    if (!e.is_regular_file()) continue;
    // First byte: the range's length (1 + byte % 4); 1 is two pages.
    Text("resume", e.path().filename().string(), "\x01" + Slurp(e.path().string()));
  }
  Text("resume", "done-marker",
       "\x01"
       "fingerprint\n" +
           stamp);
  Text("resume", "records.jsonl", "\x00" + PageRecordJson(a) + "\n" + PageRecordJson(b));
  Text("resume", "array", "\x00[1,2]");
  Text("resume", "wrong-types", "\x01{\"fingerprint\":7,\"pages\":{}}");
  fs::remove_all(dir);
}

void Vlm() {
  auto answer = [](const std::string& content, const std::string& finish) {
    return nlohmann::json{{"choices",
                           {{{"index", 0},
                             {"message", {{"role", "assistant"}, {"content", content}}},
                             {"finish_reason", finish}}}},
                          {"usage", {{"prompt_tokens", 1200}, {"completion_tokens", 80}}}}
        .dump();
  };
  Text("vlm_answer", "olmocr.json",
       answer("---\nprimary_language: en\nis_rotation_valid: false\nrotation_correction: "
              "90\nis_table: false\nis_diagram: false\n---\n# Heading\n\nBody text.",
              "stop"));
  Text("vlm_answer", "plain.json", answer("Just text.", "stop"));
  Text("vlm_answer", "length.json", answer("Cut sh", "length"));
  Text("vlm_answer", "front-matter-only",
       "---\nrotation_correction: 270\nis_table: true\n---\n");
  Text("vlm_answer", "no-choices.json", R"({"choices":[],"usage":{"prompt_tokens":-1}})");
}

void Http() {
  Text("job_settings", "all",
       "engine=tesseract&lang=eng+deu&dpi=150&layout=none&boxes=1");
  Text("job_settings", "bad", "dpi=4294967596&lang=%00&engine=vlm&boxes=true&x=%zz");
  Text("job_settings", "spaces", "lang=eng%20deu&dpi=+300");
  // http_request: first byte is the piece size the buffer grows by.
  Text("http_request", "post",
       "\x07POST /v1/ocr?engine=auto&dpi=200 HTTP/1.1\r\nHost: x\r\nContent-Type: "
       "application/pdf\r\nContent-Length: 1234\r\n\r\n%PDF");
  Text("http_request", "get", "\x40GET /v1/jobs/abc%20d HTTP/1.0\r\n\r\n");
  Text("http_request", "chunked",
       "\x01PUT /x HTTP/1.1\r\nTransfer-Encoding: chunked\r\nContent-Length: 5\r\n"
       "Content-Length: 6\r\n\r\n");
  Text("http_request", "folded", "\x03GET / HTTP/1.1\r\nA: b\r\n c\r\n\r\n");
  // http_upload: Content-Type line, "\n", body.
  Text("http_upload", "multipart",
       "multipart/form-data; boundary=XyZ\n--XyZ\r\nContent-Disposition: form-data; "
       "name=\"file\"; filename=\"a.pdf\"\r\nContent-Type: "
       "application/pdf\r\n\r\n%PDF-1.7\r\n"
       "--Xy\r\n--XyZ--\r\nepilogue");
  Text(
      "http_upload", "quoted-boundary",
      "multipart/form-data; boundary=\"a b\"\n--a b\r\n\r\n\x89PNG\r\n\x1a\n\r\n--a b--");
  Text("http_upload", "chunked",
       "application/pdf\n5\r\n%PDF-\r\n3;ext=1\r\n1.7\r\n0\r\nTrailer: x\r\n\r\n");
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: fuzz_seeds OUTDIR\n");
    return 2;
  }
  out_dir = argv[1];
  Images();
  Pdfs();
  WorkItems();
  Resume();
  Vlm();
  Http();
  return 0;
}
