#include "server/http_parser.h"

#include <gtest/gtest.h>

#include <string>

#include "server/http_body.h"

namespace pageflow {
namespace {

HeadScan ScanAll(const std::string& bytes, const HttpLimits& limits = {}) {
  HeadScanner scanner(limits);
  return scanner.Scan(bytes);
}

// Fed one byte at a time, as a trickling client sends it.
HeadScan ScanByteByByte(const std::string& bytes, const HttpLimits& limits = {}) {
  HeadScanner scanner(limits);
  HeadScan s;
  for (size_t i = 1; i <= bytes.size() && s.kind == HeadScan::kIncomplete; ++i) {
    s = scanner.Scan(std::string_view(bytes).substr(0, i));
  }
  return s;
}

TEST(HeadScannerTest, FindsTheEndOfAHead) {
  const std::string head = "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n";
  for (const HeadScan& s : {ScanAll(head + "BODY"), ScanByteByByte(head)}) {
    ASSERT_EQ(s.kind, HeadScan::kComplete);
    EXPECT_EQ(s.head_bytes, head.size());
  }
  EXPECT_EQ(ScanAll("GET / HTTP/1.1\r\nHost: x\r\n").kind, HeadScan::kIncomplete);
  EXPECT_EQ(ScanAll("\r\nGET / HTTP/1.1\r\n\r\n").kind,
            HeadScan::kComplete);  // a stray CRLF first
}

TEST(HeadScannerTest, RefusesALongRequestLineWith414BeforeItEnds) {
  HttpLimits limits;
  const std::string line =
      "GET /" + std::string(limits.max_request_line_bytes, 'a');  // no end yet
  const HeadScan s = ScanAll(line, limits);
  ASSERT_EQ(s.kind, HeadScan::kError);
  EXPECT_EQ(s.error.status, 414);
  EXPECT_EQ(ScanAll("GET /" + std::string(8000, 'a') + " HTTP/1.1\r\n\r\n").kind,
            HeadScan::kComplete);
}

TEST(HeadScannerTest, RefusesLongHeaderLinesTooManyHeadersAndTooManyBytesWith431) {
  const std::string start = "GET / HTTP/1.1\r\n";
  const HeadScan line = ScanAll(start + "X-Long: " + std::string(9000, 'v'));
  ASSERT_EQ(line.kind, HeadScan::kError);
  EXPECT_EQ(line.error.status, 431);

  std::string many = start;
  for (int i = 0; i < 101; ++i) many += "X-H" + std::to_string(i) + ": v\r\n";
  const HeadScan count = ScanByteByByte(many + "\r\n");
  ASSERT_EQ(count.kind, HeadScan::kError);
  EXPECT_EQ(count.error.status, 431);

  std::string big = start;
  for (int i = 0; i < 9; ++i)
    big += "X-H" + std::to_string(i) + ": " + std::string(8000, 'v') + "\r\n";
  const HeadScan total = ScanAll(big);
  ASSERT_EQ(total.kind, HeadScan::kError);
  EXPECT_EQ(total.error.status, 431);

  std::string fits = start;
  for (int i = 0; i < 100; ++i) fits += "X-H" + std::to_string(i) + ": v\r\n";
  EXPECT_EQ(ScanAll(fits + "\r\n").kind, HeadScan::kComplete);
}

TEST(ParseHeadTest, ParsesRequestLineHeadersAndQuery) {
  RequestHead head;
  HttpError error;
  ASSERT_TRUE(
      ParseHead("POST /v1/ocr%2Fx?lang=eng+deu&dpi=300 HTTP/1.0\r\nContent-Length:  5 "
                "\r\nX-A: b\r\n\r\n",
                &head, &error))
      << error.message;
  EXPECT_EQ(head.method, "POST");
  EXPECT_EQ(head.path, "/v1/ocr/x");
  EXPECT_EQ(head.version_minor, 0);
  ASSERT_NE(head.Find("content-length"), nullptr);
  EXPECT_EQ(*head.Find("content-length"), "5");
  std::multimap<std::string, std::string> query;
  ASSERT_TRUE(ParseQuery(head.query_string, &query));
  EXPECT_EQ(query.find("lang")->second, "eng+deu");  // '+' is not a space in a URL
  EXPECT_EQ(query.find("dpi")->second, "300");
  query.clear();
  ASSERT_TRUE(ParseQuery("filename=a%20b%2Bc&flag", &query));
  EXPECT_EQ(query.find("filename")->second, "a b+c");
  EXPECT_EQ(query.count("flag"), 1u);
  EXPECT_FALSE(ParseQuery("a=%zz", &query));
}

TEST(ParseHeadTest, RefusesMalformedHeads) {
  for (const char* bad :
       {"GET /\r\n\r\n", "GET  / HTTP/1.1\r\n\r\n", "GET http://x/ HTTP/1.1\r\n\r\n",
        "GET / HTTP/1.1\r\n folded\r\n\r\n", "GET / HTTP/1.1\r\nNo colon\r\n\r\n",
        "GET / HTTP/1.1\r\nBad Name: v\r\n\r\n", "G\x01T / HTTP/1.1\r\n\r\n",
        "GET /%00 HTTP/1.1\r\n\r\n", "GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n"}) {
    RequestHead head;
    HttpError error;
    EXPECT_FALSE(ParseHead(bad, &head, &error)) << bad;
    EXPECT_EQ(error.status, 400) << bad;
  }
  RequestHead head;
  HttpError error;
  EXPECT_FALSE(ParseHead("GET / HTTP/2.0\r\n\r\n", &head, &error));
  EXPECT_EQ(error.status, 505);
}

TEST(ParseContentLengthTest, DigitsOnly) {
  EXPECT_EQ(ParseContentLength("0"), 0);
  EXPECT_EQ(ParseContentLength("1234"), 1234);
  for (const char* bad : {"", "-1", "+1", "1 2", "0x10", "1234567890123456789"})
    EXPECT_EQ(ParseContentLength(bad), -1);
}

std::string Dechunk(const std::string& body, size_t step, ChunkedDecoder* d,
                    size_t* used_total) {
  std::string out;
  *used_total = 0;
  for (size_t i = 0; i < body.size() && !d->done() && !d->failed(); i += step) {
    const size_t n = std::min(step, body.size() - i);
    const size_t used = d->Feed(body.data() + i, n, [&](const char* p, size_t k) {
      out.append(p, k);
      return true;
    });
    *used_total += used;
    if (used < n) break;
  }
  return out;
}

TEST(ChunkedDecoderTest, DecodesInAnyPiecesAndStopsAtTheEnd) {
  const std::string body =
      "5;ext=1\r\nhello\r\n6\r\n world\r\n0\r\nTrailer: x\r\n\r\nGET /next";
  for (size_t step : {1, 3, 1000}) {
    ChunkedDecoder d;
    size_t used = 0;
    EXPECT_EQ(Dechunk(body, step, &d, &used), "hello world");
    EXPECT_TRUE(d.done());
    EXPECT_EQ(body.substr(used), "GET /next");  // the next request is left alone
  }
}

TEST(ChunkedDecoderTest, RefusesBadSizesAndEndlessLines) {
  for (const std::string& bad :
       std::vector<std::string>{"zz\r\n", "5\r\nhelloXX\r\n", std::string(9000, '1'),
                                "1234567890abcdef0\r\n"}) {
    ChunkedDecoder d;
    size_t used = 0;
    Dechunk(bad, 7, &d, &used);
    EXPECT_TRUE(d.failed()) << bad.substr(0, 20);
  }
}

struct Part {
  std::string name, filename, type, data;
};

std::vector<Part> ParseMultipart(const std::string& boundary, const std::string& body,
                                 size_t step, bool* ok) {
  std::vector<Part> parts;
  MultipartParser p(
      boundary,
      [&](const std::string& name, const std::string& filename, const std::string& type) {
        parts.push_back({name, filename, type, ""});
        return true;
      },
      [&](const char* d, size_t n) {
        parts.back().data.append(d, n);
        return true;
      });
  *ok = true;
  for (size_t i = 0; i < body.size() && *ok; i += step)
    *ok = p.Feed(body.data() + i, std::min(step, body.size() - i));
  *ok = *ok && p.done();
  return parts;
}

TEST(MultipartParserTest, StreamsPartsInAnyPieces) {
  const std::string body =
      "--XyZ\r\nContent-Disposition: form-data; name=\"note\"\r\n\r\nhi\r\n--X\r\n"
      "--XyZ\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a "
      "\\\"b\\\".pdf\"\r\n"
      "Content-Type: application/pdf\r\n\r\n%PDF\r\n--Xy\r\n--XyZ--\r\nepilogue";
  for (size_t step : {1, 2, 5, 4096}) {
    bool ok = false;
    const std::vector<Part> parts = ParseMultipart("XyZ", body, step, &ok);
    ASSERT_TRUE(ok) << step;
    ASSERT_EQ(parts.size(), 2u);
    EXPECT_EQ(parts[0].name, "note");
    EXPECT_EQ(parts[0].data, "hi\r\n--X");
    EXPECT_EQ(parts[1].name, "file");
    EXPECT_EQ(parts[1].filename, "a \"b\".pdf");
    EXPECT_EQ(parts[1].type, "application/pdf");
    EXPECT_EQ(parts[1].data, "%PDF\r\n--Xy");
  }
  EXPECT_EQ(MultipartBoundary("multipart/form-data; boundary=\"a b\""), "a b");
  EXPECT_EQ(MultipartBoundary("Multipart/Form-Data;boundary=x"), "x");
  EXPECT_EQ(MultipartBoundary("application/pdf; boundary=x"), "");
  EXPECT_EQ(MultipartBoundary("multipart/form-data; boundary=" + std::string(71, 'a')),
            "");
}

TEST(MultipartParserTest, RefusesEndlessPartHeadersAndMissingEnd) {
  bool ok = true;
  ParseMultipart("b", "--b\r\nX: " + std::string(9000, 'v'), 100, &ok);
  EXPECT_FALSE(ok);
  ParseMultipart("b", "--b\r\nContent-Disposition: form-data; name=\"f\"\r\n\r\ndata",
                 100, &ok);
  EXPECT_FALSE(ok);  // no closing boundary
}

}  // namespace
}  // namespace pageflow
