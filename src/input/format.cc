#include "input/format.h"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <string>
#include <system_error>
#include <filesystem>

namespace pageflow {

std::string_view FormatName(DocumentFormat format) {
  switch (format) {
    case DocumentFormat::kPdf: return "PDF";
    case DocumentFormat::kPng: return "PNG";
    case DocumentFormat::kJpeg: return "JPEG";
    case DocumentFormat::kTiff: return "TIFF";
  }
  return "?";
}

StatusOr<DocumentFormat> DetectFormat(const std::string& path) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) return NotFound("no such file");
  if (std::filesystem::is_directory(path, ec)) return Unsupported("is a directory");
  std::ifstream in(path, std::ios::binary);
  if (!in) return IoError(std::string("cannot read: ") + std::strerror(errno));
  char head[1024] = {};
  in.read(head, sizeof head);
  const std::streamsize n = in.gcount();
  if (n == 0) return Corrupt("empty file");
  auto starts = [&](const char* magic, size_t len) {
    return n >= static_cast<std::streamsize>(len) && std::memcmp(head, magic, len) == 0;
  };
  if (starts("\x89PNG\r\n\x1a\n", 8)) return DocumentFormat::kPng;
  if (starts("\xff\xd8\xff", 3)) return DocumentFormat::kJpeg;
  if (starts("II*\0", 4) || starts("MM\0*", 4)) return DocumentFormat::kTiff;
  // PDF readers accept junk before the header; so do we, within the first KiB.
  for (std::streamsize i = 0; i + 5 <= n; ++i) {
    if (std::memcmp(head + i, "%PDF-", 5) == 0) return DocumentFormat::kPdf;
  }
  std::string hex;
  static const char* digits = "0123456789abcdef";
  for (int i = 0; i < std::min<std::streamsize>(n, 8); ++i) {
    const auto b = static_cast<unsigned char>(head[i]);
    hex += digits[b >> 4];
    hex += digits[b & 15];
    hex += ' ';
  }
  hex.pop_back();
  std::string what = "not a PDF, PNG, JPEG or TIFF file (starts with bytes " + hex + ")";
  if (HasDocumentExtension(path)) {
    what = "not a " + std::filesystem::path(path).extension().string().substr(1) +
           " file despite its name (starts with bytes " + hex + ")";
  }
  return Unsupported(what);
}

bool HasDocumentExtension(const std::string& path) {
  std::string ext = std::filesystem::path(path).extension().string();
  for (char& c : ext) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return ext == ".pdf" || ext == ".png" || ext == ".jpg" || ext == ".jpeg" || ext == ".tif" ||
         ext == ".tiff";
}

}  // namespace pageflow
