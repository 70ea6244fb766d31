// Streaming decoders for request bodies: chunked transfer coding and multipart/form-data.
// Both take bytes as they arrive and hand out content as it is decoded; neither keeps
// more than a line or a boundary's worth of bytes (plus the chunk being fed), whatever
// the body's size.
//
//   ChunkedDecoder chunked;
//   size_t used = chunked.Feed(data, n, [&](const char* p, size_t k) { return Sink(p, k);
//   }); if (chunked.failed()) ...; if (chunked.done()) { bytes after `used` are the next
//   request }
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

namespace pageflow {

using DataFn = std::function<bool(const char* data, size_t size)>;
using PartFn = std::function<bool(const std::string& name, const std::string& filename,
                                  const std::string& content_type)>;

// "Transfer-Encoding: chunked" (RFC 9112 §7.1). Chunk-size lines and trailer lines are
// limited to kMaxLineBytes; trailers are read and dropped.
class ChunkedDecoder {
 public:
  static constexpr size_t kMaxLineBytes = 8 << 10;
  static constexpr int kMaxTrailers = 100;

  // Decodes from `data`, passing content to `out`; returns how many bytes were consumed
  // (all of them unless the body ended, failed, or `out` said stop).
  size_t Feed(const char* data, size_t size, const DataFn& out);
  bool done() const { return state_ == kDone; }
  bool failed() const { return state_ == kFailed; }

 private:
  enum State { kSizeLine, kData, kDataEnd, kTrailer, kDone, kFailed };
  State state_ = kSizeLine;
  std::string line_;  // the size or trailer line being read; never over kMaxLineBytes
  uint64_t remaining_ = 0;  // bytes left in the current chunk
  int trailers_ = 0;
};

// multipart/form-data (RFC 7578): part headers (Content-Disposition name and filename,
// Content-Type), then that part's bytes, streamed. Part headers are limited to
// kMaxPartHeaderBytes and parts to kMaxParts.
class MultipartParser {
 public:
  static constexpr size_t kMaxPartHeaderBytes = 8 << 10;
  static constexpr int kMaxParts = 100;

  MultipartParser(std::string boundary, PartFn on_part, DataFn on_data);
  // False when the body is malformed or a callback said stop; call no more then.
  bool Feed(const char* data, size_t size);
  // True once the closing boundary was seen.
  bool done() const { return state_ == kDone || state_ == kEpilogue; }

 private:
  enum State { kPreamble, kAfterBoundary, kHeaders, kData, kEpilogue, kDone, kFailed };
  bool Step();  // one state transition on buffer_; false when it needs more bytes
  bool StartPart(std::string_view headers);

  std::string delimiter_;  // "\r\n--" + boundary
  PartFn on_part_;
  DataFn on_data_;
  State state_ = kPreamble;
  std::string buffer_;  // bytes not yet decided on; bounded (see Feed)
  int parts_ = 0;
};

// The boundary parameter of a multipart Content-Type; "" when absent or malformed.
std::string MultipartBoundary(std::string_view content_type);

}  // namespace pageflow
