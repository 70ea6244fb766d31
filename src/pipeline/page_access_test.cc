#include "pipeline/page_access.h"

#include <gtest/gtest.h>

#include <thread>

#include "testing/test_util.h"

namespace pageflow {
namespace {

// A page of 1,000 lines of 150 characters (150,000, more than kTextLayerBytes holds).
std::unique_ptr<Document> DensePage(const testing::TempDir& dir) {
  testing::TestPage page;
  page.width_pt = 1000;
  page.height_pt = 9300;
  page.font_pt = 6;
  const std::string line =
      "dense text layer line with many characters on it, 150 of them to be exact, so a "
      "thousand lines hold more than the flat reservation ever paid for1234";
  page.lines.assign(1000, line.substr(0, 150));
  testing::WriteTestPdf(dir.path() + "/dense.pdf", {page});
  StatusOr<std::unique_ptr<Document>> doc = OpenDocument(dir.path() + "/dense.pdf");
  EXPECT_TRUE(doc.ok()) << doc.status().ToString();
  return doc.ok() ? std::move(*doc) : nullptr;
}

TEST(PageAccessTest, ADensePagesTextLayerIsReservedFromItsCharacters) {
  testing::TempDir dir;
  std::unique_ptr<Document> doc = DensePage(dir);
  ASSERT_NE(doc, nullptr);
  MemoryBudget budget(1ll << 30);
  DocumentPageAccess page(doc.get(), 0, RenderOptions{}, &budget, "page 1 of dense.pdf");
  StatusOr<TextLayerPage> text = page.TextLayer();
  ASSERT_TRUE(text.ok()) << text.status().ToString();
  ASSERT_EQ(text->lines.size(), 1000u);
  int64_t chars = 0;
  for (const TextLine& l : text->lines) chars += static_cast<int64_t>(l.text.size());
  EXPECT_GE(chars, 140000);
  // The page's lines were paid for by their size, beyond the first 8 MiB.
  const int64_t lines_bytes = TextLayerBytesFor(chars, 1000);
  ASSERT_GT(lines_bytes, kTextLayerBytes);
  const int64_t library =
      PdfLibraryReservationBytes(true, kTextLayerBytes, budget.MaxSingleReservation());
  EXPECT_GE(budget.Stats().peak_reserved_bytes, lines_bytes + library);
  EXPECT_EQ(budget.Stats().reserved_bytes, 0);
}

TEST(PageAccessTest, ADensePageThatCannotBePaidForFailsSayingWhy) {
  testing::TempDir dir;
  std::unique_ptr<Document> doc = DensePage(dir);
  ASSERT_NE(doc, nullptr);
  MemoryBudget budget(72ll << 20);  // 8 MiB and MuPDF's allowance, not the page's 10 MiB
  DocumentPageAccess page(doc.get(), 0, RenderOptions{}, &budget, "page 1 of dense.pdf");
  StatusOr<TextLayerPage> text = page.TextLayer();
  ASSERT_FALSE(text.ok());
  EXPECT_EQ(text.status().code(), StatusCode::kResourceExhausted);
  EXPECT_NE(text.status().message().find("its text layer needs 10 MiB"),
            std::string::npos)
      << text.status().message();
  EXPECT_EQ(budget.Stats().reserved_bytes, 0);
}

// With room for the page but not now, the page waits for all it needs at once and is
// read when another page's bytes come back.
TEST(PageAccessTest, ADensePageWaitsForItsBytesWhenTheBudgetIsBusy) {
  testing::TempDir dir;
  std::unique_ptr<Document> doc = DensePage(dir);
  ASSERT_NE(doc, nullptr);
  MemoryBudget budget(256ll << 20);
  // 74 MiB left: the first 8 MiB and MuPDF's 64 fit, the page's 10.5 MiB do not.
  StatusOr<Reservation> other = budget.Reserve(182ll << 20, "another page");
  ASSERT_TRUE(other.ok());
  DocumentPageAccess page(doc.get(), 0, RenderOptions{}, &budget, "page 1 of dense.pdf");
  StatusOr<TextLayerPage> text = Internal("not read");
  std::thread reader([&] { text = page.TextLayer(); });
  while (budget.Stats().waiting == 0) std::this_thread::yield();  // it asks for more
  other->Release();
  reader.join();
  ASSERT_TRUE(text.ok()) << text.status().ToString();
  EXPECT_EQ(text->lines.size(), 1000u);
  EXPECT_EQ(budget.Stats().reserved_bytes, 0);
}

}  // namespace
}  // namespace pageflow
