#include "testing/test_util.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <leptonica/allheaders.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>
#include <zlib.h>

#include <cstdio>
extern "C" {
#include <jpeglib.h>
}

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

extern "C" {
#include <mupdf/fitz.h>
#include <mupdf/pdf.h>
}

namespace fs = std::filesystem;

namespace pageflow::testing {

TempDir::TempDir() {
  std::string tmpl = (fs::temp_directory_path() / "pageflow-test-XXXXXX").string();
  char* made = mkdtemp(tmpl.data());
  if (made == nullptr) ADD_FAILURE() << "mkdtemp failed";
  path_ = tmpl;
}

TempDir::~TempDir() {
  std::error_code ec;
  // Restore permissions a test may have removed, then delete.
  for (auto it = fs::recursive_directory_iterator(path_, ec); !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    fs::permissions(it->path(), fs::perms::owner_all, fs::perm_options::add, ec);
  }
  fs::remove_all(path_, ec);
}

void WriteTestPdf(const std::string& path, const std::vector<TestPage>& pages,
                  const std::string& user_password) {
  fz_context* ctx = fz_new_context(nullptr, nullptr, FZ_STORE_DEFAULT);
  ASSERT_NE(ctx, nullptr);
  pdf_document* doc = nullptr;
  fz_font* font = nullptr;
  fz_buffer* contents = nullptr;
  pdf_obj* resources = nullptr;
  pdf_obj* font_ref = nullptr;
  bool failed = false;
  fz_var(font_ref);
  fz_var(doc);
  fz_var(font);
  fz_var(contents);
  fz_var(resources);
  fz_try(ctx) {
    doc = pdf_create_document(ctx);
    font = fz_new_base14_font(ctx, "Helvetica");
    font_ref = pdf_add_simple_font(ctx, doc, font, PDF_SIMPLE_ENCODING_LATIN);
    for (const TestPage& p : pages) {
      resources = pdf_new_dict(ctx, doc, 1);
      pdf_obj* fonts = pdf_dict_put_dict(ctx, resources, PDF_NAME(Font), 1);
      pdf_dict_puts(ctx, fonts, "F1", font_ref);
      contents = fz_new_buffer(ctx, 256);
      if (p.image_share > 0) {
        fz_pixmap* pix = fz_new_pixmap(ctx, fz_device_gray(ctx), 64, 64, nullptr, 0);
        fz_clear_pixmap_with_value(ctx, pix, 200);
        fz_image* image = fz_new_image_from_pixmap(ctx, pix, nullptr);
        fz_drop_pixmap(ctx, pix);
        pdf_obj* ref = pdf_add_image(ctx, doc, image);
        fz_drop_image(ctx, image);
        pdf_obj* xobjects = pdf_dict_put_dict(ctx, resources, PDF_NAME(XObject), 1);
        pdf_dict_puts_drop(ctx, xobjects, "Im1", ref);
        fz_append_printf(ctx, contents, "q %g 0 0 %g 0 0 cm /Im1 Do Q\n", p.width_pt, p.height_pt * p.image_share);
      }
      double y = p.height_pt - 72 - p.font_pt;
      for (const std::string& line : p.lines) {
        fz_append_printf(ctx, contents, "BT /F1 %g Tf 72 %g Td (%s) Tj ET\n", p.font_pt, y, line.c_str());
        y -= p.font_pt * 1.5;
      }
      for (const TestPage::Placed& t : p.placed) {
        fz_append_printf(ctx, contents, "BT /F1 %g Tf %g %g Td (%s) Tj ET\n", t.font_pt, t.x_pt,
                         p.height_pt - t.y_pt, t.text.c_str());
      }
      fz_rect box = {0, 0, static_cast<float>(p.width_pt), static_cast<float>(p.height_pt)};
      pdf_obj* page = pdf_add_page(ctx, doc, box, 0, resources, contents);
      pdf_insert_page(ctx, doc, -1, page);
      pdf_drop_obj(ctx, page);
      pdf_drop_obj(ctx, resources);
      resources = nullptr;
      fz_drop_buffer(ctx, contents);
      contents = nullptr;
    }
    pdf_write_options opts = pdf_default_write_options;
    if (!user_password.empty()) {
      opts.do_encrypt = PDF_ENCRYPT_AES_256;
      std::strncpy(opts.upwd_utf8, user_password.c_str(), sizeof opts.upwd_utf8 - 1);
      std::strncpy(opts.opwd_utf8, "owner-secret", sizeof opts.opwd_utf8 - 1);
    }
    pdf_save_document(ctx, doc, path.c_str(), &opts);
  }
  fz_always(ctx) {
    pdf_drop_obj(ctx, font_ref);
    pdf_drop_obj(ctx, resources);
    fz_drop_buffer(ctx, contents);
    fz_drop_font(ctx, font);
    pdf_drop_document(ctx, doc);
  }
  fz_catch(ctx) { failed = true; }
  std::string message = failed ? fz_caught_message(ctx) : "";
  fz_drop_context(ctx);
  ASSERT_FALSE(failed) << "cannot write test PDF: " << message;
}

void WriteTestImage(const std::string& path, int width, int height, int frames) {
  const bool tiff = path.size() > 4 && (path.substr(path.size() - 4) == ".tif" || path.substr(path.size() - 5) == ".tiff");
  for (int f = 0; f < frames; ++f) {
    PIX* pix = pixCreate(width, height, 8);
    pixSetAll(pix);  // white
    for (int y = height / 10; y + height / 40 < height * 9 / 10; y += height / 20) {
      BOX* box = boxCreate(width / 10, y, width * 7 / 10 - (f * width / 20), height / 40);
      pixClearInRect(pix, box);  // black bar
      boxDestroy(&box);
    }
    if (tiff) {
      pixWriteTiff(path.c_str(), pix, IFF_TIFF_ZIP, f == 0 ? "w" : "a");
    } else {
      pixWrite(path.c_str(), pix, IFF_PNG);
    }
    pixDestroy(&pix);
  }
}

namespace {
void PutBe32(std::string& s, uint32_t v) {
  for (int i = 3; i >= 0; --i) s += static_cast<char>((v >> (8 * i)) & 0xFF);
}
void PutChunk(std::string& out, const char* type, const std::string& data) {
  PutBe32(out, static_cast<uint32_t>(data.size()));
  std::string body = std::string(type, 4) + data;
  out += body;
  PutBe32(out, static_cast<uint32_t>(crc32(0, reinterpret_cast<const Bytef*>(body.data()), body.size())));
}
}  // namespace

void WritePngHeaderOnly(const std::string& path, int width, int height) {
  std::string png = "\x89PNG\r\n\x1a\n";
  std::string ihdr;
  PutBe32(ihdr, static_cast<uint32_t>(width));
  PutBe32(ihdr, static_cast<uint32_t>(height));
  ihdr += std::string("\x08\x02\x00\x00\x00", 5);  // 8-bit RGB, deflate, no filter, no interlace
  PutChunk(png, "IHDR", ihdr);
  PutChunk(png, "IDAT", std::string("\x78\x9c\x63\x60", 4));  // truncated deflate stream
  WriteFile(path, png);
}

namespace {

// A PDF of these objects (numbered from 1; object 1 the catalog) with its xref.
std::string RawPdf(const std::vector<std::string>& objects) {
  std::string pdf = "%PDF-1.4\n";
  std::vector<size_t> offsets;
  for (size_t i = 0; i < objects.size(); ++i) {
    offsets.push_back(pdf.size());
    pdf += std::to_string(i + 1) + " 0 obj\n" + objects[i] + "\nendobj\n";
  }
  const size_t xref = pdf.size();
  pdf += "xref\n0 " + std::to_string(objects.size() + 1) + "\n0000000000 65535 f \n";
  for (size_t off : offsets) {
    char line[32];
    std::snprintf(line, sizeof line, "%010zu 00000 n \n", off);
    pdf += line;
  }
  pdf += "trailer\n<< /Size " + std::to_string(objects.size() + 1) +
         " /Root 1 0 R >>\nstartxref\n" + std::to_string(xref) + "\n%%EOF\n";
  return pdf;
}

}  // namespace

void WriteLyingPdf(const std::string& path, int count) {
  WriteFile(path, RawPdf({"<< /Type /Catalog /Pages 2 0 R >>",
                          "<< /Type /Pages /Count " + std::to_string(count) + " /Kids [3 0 R] >>",
                          "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] >>"}));
}

namespace {

// Deflates `bytes` zeros (streamed: no buffer of that size is made).
std::string DeflateZeros(int64_t bytes) {
  z_stream z{};
  deflateInit(&z, Z_BEST_COMPRESSION);
  std::vector<unsigned char> zeros(1 << 20, 0), out(1 << 16);
  std::string deflated;
  int64_t left = bytes;
  int flush = Z_NO_FLUSH;
  do {
    const int64_t chunk = std::min<int64_t>(left, static_cast<int64_t>(zeros.size()));
    left -= chunk;
    flush = left == 0 ? Z_FINISH : Z_NO_FLUSH;
    z.next_in = zeros.data();
    z.avail_in = static_cast<uInt>(chunk);
    do {
      z.next_out = out.data();
      z.avail_out = static_cast<uInt>(out.size());
      deflate(&z, flush);
      deflated.append(reinterpret_cast<char*>(out.data()), out.size() - z.avail_out);
    } while (z.avail_out == 0);
  } while (flush != Z_FINISH);
  deflateEnd(&z);
  return deflated;
}

}  // namespace

void WriteRawPdf(const std::string& path, const std::vector<std::string>& objects) {
  WriteFile(path, RawPdf(objects));
}

void WriteFontBombPdf(const std::string& path, int64_t inflated_bytes) {
  const std::string font = DeflateZeros(inflated_bytes);
  const std::string content = "BT /F1 24 Tf 72 700 Td (Hello font bomb) Tj ET";
  WriteFile(
      path,
      RawPdf({"<< /Type /Catalog /Pages 2 0 R >>",
              "<< /Type /Pages /Count 1 /Kids [3 0 R] >>",
              "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] "
              "/Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >>",
              "<< /Length " + std::to_string(content.size()) + " >>\nstream\n" + content +
                  "\nendstream",
              "<< /Type /Font /Subtype /TrueType /BaseFont /Bomb "
              "/FontDescriptor 6 0 R >>",
              "<< /Type /FontDescriptor /FontName /Bomb /Flags 32 "
              "/FontBBox [0 -200 1000 800] /ItalicAngle 0 /Ascent 800 /Descent -200 "
              "/CapHeight 700 /StemV 80 /FontFile2 7 0 R >>",
              "<< /Length " + std::to_string(font.size()) +
                  " /Filter /FlateDecode >>\nstream\n" + font + "\nendstream"}));
}

void WriteProgressiveJpeg(const std::string& path, int width, int height) {
  FILE* f = std::fopen(path.c_str(), "wb");
  if (f == nullptr) {
    ADD_FAILURE() << "cannot write " << path;
    return;
  }
  jpeg_compress_struct cinfo;
  jpeg_error_mgr jerr;
  cinfo.err = jpeg_std_error(&jerr);
  jpeg_create_compress(&cinfo);
  jpeg_stdio_dest(&cinfo, f);
  cinfo.image_width = static_cast<JDIMENSION>(width);
  cinfo.image_height = static_cast<JDIMENSION>(height);
  cinfo.input_components = 1;
  cinfo.in_color_space = JCS_GRAYSCALE;
  jpeg_set_defaults(&cinfo);
  jpeg_set_quality(&cinfo, 50, TRUE);
  jpeg_simple_progression(&cinfo);
  jpeg_start_compress(&cinfo, TRUE);
  std::vector<JSAMPLE> row(static_cast<size_t>(width), 230);
  JSAMPROW rows[1] = {row.data()};
  while (cinfo.next_scanline < cinfo.image_height) jpeg_write_scanlines(&cinfo, rows, 1);
  jpeg_finish_compress(&cinfo);
  jpeg_destroy_compress(&cinfo);
  std::fclose(f);
}

void WriteFile(const std::string& path, const std::string& data) {
  std::ofstream out(path, std::ios::binary);
  out << data;
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

namespace {
std::string PageflowBin() {
  const char* bin = std::getenv("PAGEFLOW_BIN");
  return bin != nullptr ? bin : PAGEFLOW_DEFAULT_BIN;
}

std::vector<char*> Argv(const std::vector<std::string>& args, std::string& bin) {
  std::vector<char*> argv;
  argv.push_back(bin.data());
  for (const std::string& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  return argv;
}

}  // namespace

CommandResult RunPageflow(const std::vector<std::string>& args,
                          const std::string& stdin_path) {
  TempDir tmp;
  const std::string out_path = tmp.path() + "/stdout", err_path = tmp.path() + "/stderr";
  std::string bin = PageflowBin();
  std::vector<char*> argv = Argv(args, bin);
  const pid_t pid = fork();
  if (pid == 0) {
    const int out = open(out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    const int err = open(err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    dup2(out, 1);
    dup2(err, 2);
    if (!stdin_path.empty()) dup2(open(stdin_path.c_str(), O_RDONLY), 0);
    execv(bin.c_str(), argv.data());
    _exit(127);
  }
  int status = 0;
  waitpid(pid, &status, 0);
  CommandResult r;
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  r.out = ReadFile(out_path);
  r.err = ReadFile(err_path);
  return r;
}

int StartPageflow(const std::vector<std::string>& args, const std::string& stderr_path) {
  std::string bin = PageflowBin();
  std::vector<char*> argv = Argv(args, bin);
  const pid_t pid = fork();
  if (pid == 0) {
    const int null = open("/dev/null", O_WRONLY);
    const int err = stderr_path.empty()
                        ? null
                        : open(stderr_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    dup2(null, 1);
    dup2(err, 2);
    execv(bin.c_str(), argv.data());
    _exit(127);
  }
  return pid;
}

std::string SourceDir() {
  const char* dir = std::getenv("PAGEFLOW_SOURCE_DIR");
  return dir != nullptr ? dir : PAGEFLOW_DEFAULT_SOURCE_DIR;
}

int FreePort() {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
  socklen_t len = sizeof a;
  getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  close(fd);
  return ntohs(a.sin_port);
}

}  // namespace pageflow::testing
