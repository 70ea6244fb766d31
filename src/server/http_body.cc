#include "server/http_body.h"

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <cstring>
#include <utility>
#include <vector>

#include "server/http_parser.h"

namespace pageflow {
namespace {

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// `value; key=v; key2="quoted \" v"` -> the parameters after the first ';'.
std::vector<std::pair<std::string, std::string>> HeaderParams(std::string_view v) {
  std::vector<std::pair<std::string, std::string>> params;
  size_t i = v.find(';');
  while (i != std::string_view::npos && i < v.size()) {
    ++i;  // past ';'
    const size_t eq = v.find_first_of("=;", i);
    const std::string key(Trim(
        v.substr(i, eq == std::string_view::npos ? std::string_view::npos : eq - i)));
    if (eq == std::string_view::npos || v[eq] == ';') {
      i = eq;
      continue;
    }
    i = eq + 1;
    while (i < v.size() && (v[i] == ' ' || v[i] == '\t')) ++i;
    std::string value;
    if (i < v.size() && v[i] == '"') {
      for (++i; i < v.size() && v[i] != '"'; ++i) {
        if (v[i] == '\\' && i + 1 < v.size()) ++i;
        value.push_back(v[i]);
      }
      i = v.find(';', i);
    } else {
      const size_t end = v.find(';', i);
      value = std::string(Trim(
          v.substr(i, end == std::string_view::npos ? std::string_view::npos : end - i)));
      i = end;
    }
    params.emplace_back(key, std::move(value));
  }
  return params;
}

std::string Param(std::string_view header_value, std::string_view key) {
  for (auto& [k, v] : HeaderParams(header_value)) {
    if (EqualsIgnoreCase(k, key)) return v;
  }
  return "";
}

}  // namespace

size_t ChunkedDecoder::Feed(const char* data, size_t size, const DataFn& out) {
  size_t i = 0;
  while (i < size && state_ != kDone && state_ != kFailed) {
    if (state_ == kData) {
      const size_t n = static_cast<size_t>(std::min<uint64_t>(remaining_, size - i));
      if (!out(data + i, n)) {
        state_ = kFailed;
        return i;
      }
      i += n;
      remaining_ -= n;
      if (remaining_ == 0) state_ = kDataEnd;
      continue;
    }
    // A line: chunk size, the CRLF after a chunk's data, or a trailer.
    const void* nl = std::memchr(data + i, '\n', size - i);
    const size_t take =
        nl != nullptr ? static_cast<const char*>(nl) - (data + i) + 1 : size - i;
    if (line_.size() + take > kMaxLineBytes) {
      state_ = kFailed;
      return i;
    }
    line_.append(data + i, take);
    i += take;
    if (nl == nullptr) break;
    std::string_view line(line_);
    line.remove_suffix(1);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (state_ == kDataEnd) {
      state_ = line.empty() ? kSizeLine : kFailed;
    } else if (state_ == kTrailer) {
      if (line.empty())
        state_ = kDone;
      else if (++trailers_ > kMaxTrailers)
        state_ = kFailed;
    } else {  // kSizeLine: HEX [; extensions]
      const std::string_view digits = Trim(line.substr(0, line.find(';')));
      uint64_t v = 0;
      bool ok = !digits.empty() && digits.size() <= 15;
      for (char c : digits) {
        const char* hex = "0123456789abcdef";
        const char* p =
            ok ? std::strchr(hex, std::tolower(static_cast<unsigned char>(c))) : nullptr;
        if (p == nullptr || c == '\0') {
          ok = false;
          break;
        }
        v = v * 16 + static_cast<uint64_t>(p - hex);
      }
      remaining_ = v;
      state_ = !ok ? kFailed : v == 0 ? kTrailer : kData;
    }
    line_.clear();
  }
  return i;
}

MultipartParser::MultipartParser(std::string boundary, PartFn on_part, DataFn on_data)
    : delimiter_("\r\n--" + boundary),
      on_part_(std::move(on_part)),
      on_data_(std::move(on_data)),
      buffer_("\r\n") {}  // so a boundary at the very start matches the delimiter too

bool MultipartParser::Feed(const char* data, size_t size) {
  if (state_ == kFailed) return false;
  if (state_ == kEpilogue || state_ == kDone) return true;  // the epilogue is dropped
  buffer_.append(data, size);
  while (Step()) {
  }
  return state_ != kFailed;
}

bool MultipartParser::Step() {
  switch (state_) {
    case kPreamble:
    case kData: {
      const size_t at = buffer_.find(delimiter_);
      // Without a delimiter, everything but a possible delimiter's start is decided.
      const size_t decided = at != std::string::npos ? at
                             : buffer_.size() >= delimiter_.size()
                                 ? buffer_.size() - delimiter_.size() + 1
                                 : 0;
      if (state_ == kData && decided > 0 && !on_data_(buffer_.data(), decided)) {
        state_ = kFailed;
        return false;
      }
      if (at == std::string::npos) {
        buffer_.erase(0, decided);
        return false;
      }
      buffer_.erase(0, at + delimiter_.size());
      state_ = kAfterBoundary;
      return true;
    }
    case kAfterBoundary: {
      if (buffer_.size() >= 2 && buffer_.compare(0, 2, "--") == 0) {
        buffer_.clear();
        state_ = kEpilogue;
        return false;
      }
      const size_t crlf = buffer_.find("\r\n");
      if (crlf == std::string::npos) {
        if (buffer_.size() > 256) state_ = kFailed;
        return false;
      }
      if (!Trim(std::string_view(buffer_).substr(0, crlf))
               .empty()) {  // only padding allowed
        state_ = kFailed;
        return false;
      }
      buffer_.erase(0, crlf + 2);
      state_ = kHeaders;
      return true;
    }
    case kHeaders: {
      size_t end = buffer_.compare(0, 2, "\r\n") == 0 ? 0 : buffer_.find("\r\n\r\n");
      if (end == std::string::npos) {
        if (buffer_.size() > kMaxPartHeaderBytes) state_ = kFailed;
        return false;
      }
      if (end > kMaxPartHeaderBytes || ++parts_ > kMaxParts ||
          !StartPart(std::string_view(buffer_).substr(0, end))) {
        state_ = kFailed;
        return false;
      }
      buffer_.erase(0, end == 0 ? 2 : end + 4);
      state_ = kData;
      return true;
    }
    case kEpilogue:
    case kDone:
    case kFailed:
      return false;
  }
  return false;
}

bool MultipartParser::StartPart(std::string_view headers) {
  std::string name, filename, content_type;
  while (!headers.empty()) {
    const size_t crlf = headers.find("\r\n");
    const std::string_view line = headers.substr(0, crlf);
    headers.remove_prefix(crlf == std::string_view::npos ? headers.size() : crlf + 2);
    const size_t colon = line.find(':');
    if (colon == std::string_view::npos) return false;
    const std::string_view key = Trim(line.substr(0, colon));
    const std::string_view value = Trim(line.substr(colon + 1));
    if (EqualsIgnoreCase(key, "Content-Disposition")) {
      name = Param(value, "name");
      filename = Param(value, "filename");
    } else if (EqualsIgnoreCase(key, "Content-Type")) {
      content_type = std::string(value);
    }
  }
  return on_part_(name, filename, content_type);
}

std::string MultipartBoundary(std::string_view content_type) {
  const std::string_view type = Trim(content_type.substr(0, content_type.find(';')));
  if (!EqualsIgnoreCase(type, "multipart/form-data")) return "";
  std::string b = Param(content_type, "boundary");
  return b.size() > 70 ? "" : b;  // RFC 2046: 1 to 70 characters
}

}  // namespace pageflow
