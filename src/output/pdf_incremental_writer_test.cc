#include "output/pdf_incremental_writer.h"

#include <gtest/gtest.h>

#include <map>
#include <qpdf/QPDF.hh>
#include <qpdf/QPDFPageDocumentHelper.hh>
#include <sstream>

#include "testing/test_util.h"

namespace pageflow {
namespace {

const std::string kContent = "0 0 m 100 100 l S";

// A one-page PDF (catalog 1, pages 2, page 3, content 4) at `path`; its bytes.
std::string WriteOnePage(const std::string& path) {
  testing::WriteRawPdf(
      path,
      {"<< /Type /Catalog /Pages 2 0 R >>", "<< /Type /Pages /Count 1 /Kids [3 0 R] >>",
       "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] /Contents 4 0 R >>",
       "<< /Length " + std::to_string(kContent.size()) + " >>\nstream\n" + kContent +
           "\nendstream"});
  return testing::ReadFile(path);
}

// A sink that appends to `out`.
PdfIncrementalWriter::Sink AppendTo(std::string* out) {
  return [out](std::string_view s) {
    out->append(s);
    return Status::Ok();
  };
}

// The offsets the last cross-reference section of `pdf` gives, by object number.
std::map<int, int64_t> LastXref(const std::string& pdf) {
  std::map<int, int64_t> offsets;
  const size_t at = pdf.rfind("startxref");
  const int64_t xref = std::stoll(pdf.substr(at + 9));
  EXPECT_EQ(pdf.compare(xref, 5, "xref\n"), 0);
  std::istringstream in(pdf.substr(xref + 5));
  std::string first, count;
  while (in >> first >> count && first != "trailer") {
    for (int i = 0; i < std::stoi(count); ++i) {
      std::string offset, generation, kind;
      in >> offset >> generation >> kind;
      EXPECT_EQ(kind, "n");
      offsets[std::stoi(first) + i] = std::stoll(offset);
    }
  }
  return offsets;
}

TEST(PdfIncrementalWriterTest, UpdateFollowsTheOriginalBytesAndIndexesEachObject) {
  testing::TempDir dir;
  const std::string in = dir.path() + "/in.pdf";
  const std::string original = WriteOnePage(in);
  StatusOr<int64_t> startxref = FindStartXref(in);
  ASSERT_TRUE(startxref.ok()) << startxref.status().message();
  EXPECT_EQ(original.compare(*startxref, 4, "xref"), 0);

  std::string out;
  PdfIncrementalWriter w(AppendTo(&out), 5);
  ASSERT_TRUE(w.CopyOriginal(in).ok());
  const int added = w.NewObject();
  EXPECT_EQ(added, 5);
  const std::string drawing = "0 0 m 200 0 l S\n";
  ASSERT_TRUE(w.WriteStream(
                   added, "",
                   [&](const PdfIncrementalWriter::Sink& s) {
                     for (int i = 0; i < 1000; ++i) PF_RETURN_IF_ERROR(s(drawing));
                     return Status::Ok();
                   },
                   /*deflate=*/true)
                  .ok());
  ASSERT_TRUE(w.WriteObject(3, 0,
                            "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200]"
                            " /Rotate 90 /Contents [4 0 R 5 0 R] >>")
                  .ok());
  ASSERT_TRUE(w.Finish("/Root 1 0 R", *startxref).ok());

  // The original, byte for byte, then the update.
  ASSERT_GT(out.size(), original.size());
  EXPECT_EQ(out.compare(0, original.size(), original), 0);
  // Each entry points at its object: the new page (3), the stream (5), its /Length (6).
  const std::map<int, int64_t> xref = LastXref(out);
  ASSERT_EQ(xref.size(), 3u);
  for (const auto& [id, offset] : xref) {
    EXPECT_EQ(out.compare(offset, std::to_string(id).size() + 7,
                          std::to_string(id) + " 0 obj\n"),
              0)
        << "object " << id;
    EXPECT_GE(offset, static_cast<int64_t>(original.size()));
  }
  EXPECT_NE(out.find("/Prev " + std::to_string(*startxref) + " >>"), std::string::npos);
  EXPECT_NE(out.find("/Size 7 "), std::string::npos);
  // The stream was compressed on its way (1000 repeated lines).
  EXPECT_LT(out.size() - original.size(), 1000u);

  // A reader sees the new page, the old content and the added one, without repairs.
  QPDF pdf;
  pdf.setSuppressWarnings(true);
  pdf.processMemoryFile("out", out.data(), out.size());
  std::vector<QPDFPageObjectHelper> pages = QPDFPageDocumentHelper(pdf).getAllPages();
  ASSERT_EQ(pages.size(), 1u);
  EXPECT_EQ(pages[0].getObjectHandle().getKey("/Rotate").getIntValue(), 90);
  QPDFObjectHandle contents = pages[0].getObjectHandle().getKey("/Contents");
  ASSERT_EQ(contents.getArrayNItems(), 2);
  const std::shared_ptr<Buffer> data = contents.getArrayItem(1).getStreamData();
  EXPECT_EQ(data->getSize(), drawing.size() * 1000);
  EXPECT_EQ(std::string(reinterpret_cast<const char*>(data->getBuffer()), drawing.size()),
            drawing);
  EXPECT_FALSE(pdf.anyWarnings());
}

TEST(PdfIncrementalWriterTest, ALaterVersionOfAnObjectReplacesTheEarlierOne) {
  testing::TempDir dir;
  const std::string in = dir.path() + "/in.pdf";
  WriteOnePage(in);
  std::string out;
  PdfIncrementalWriter w(AppendTo(&out), 5);
  ASSERT_TRUE(w.CopyOriginal(in).ok());
  ASSERT_TRUE(w.WriteObject(3, 0, "<< /Type /Page /Parent 2 0 R /Rotate 90 >>").ok());
  const int64_t second = w.offset();
  ASSERT_TRUE(w.WriteObject(3, 0, "<< /Type /Page /Parent 2 0 R /Rotate 180 >>").ok());
  ASSERT_TRUE(w.Finish("/Root 1 0 R", *FindStartXref(in)).ok());
  const std::map<int, int64_t> xref = LastXref(out);
  ASSERT_EQ(xref.size(), 1u);
  EXPECT_EQ(xref.at(3), second);
}

TEST(PdfIncrementalWriterTest, SinkErrorsStopTheWriter) {
  testing::TempDir dir;
  const std::string in = dir.path() + "/in.pdf";
  WriteOnePage(in);
  PdfIncrementalWriter w([](std::string_view) { return IoError("disk full"); }, 5);
  Status st = w.CopyOriginal(in);
  EXPECT_EQ(st.code(), StatusCode::kIoError);
  EXPECT_EQ(st.message(), "disk full");
}

TEST(PdfIncrementalWriterTest, FileWithoutStartXrefIsCorrupt) {
  testing::TempDir dir;
  const std::string in = dir.path() + "/in.pdf";
  testing::WriteFile(in, "%PDF-1.4\n1 0 obj\n<< >>\nendobj\n%%EOF\n");
  StatusOr<int64_t> startxref = FindStartXref(in);
  ASSERT_FALSE(startxref.ok());
  EXPECT_EQ(startxref.status().code(), StatusCode::kCorrupt);
  EXPECT_EQ(startxref.status().message(), in + " has no startxref");
}

}  // namespace
}  // namespace pageflow
