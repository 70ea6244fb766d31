#include "pipeline/worker_document.h"

#include <gtest/gtest.h>

#include "testing/test_util.h"

namespace pageflow {
namespace {

class WorkerDocumentTest : public ::testing::Test {
 protected:
  void SetUp() override {
    a_ = dir_.path() + "/a.pdf";
    b_ = dir_.path() + "/b.pdf";
    testing::WriteTestPdf(a_, {{.lines = {"one"}}, {.lines = {"two"}}});
    testing::WriteTestPdf(b_, {{.lines = {"three"}}});
  }
  testing::TempDir dir_;
  std::string a_, b_;
};

TEST_F(WorkerDocumentTest, ClosesAfterAPageThatTookFarLongerThanTheOpen) {
  WorkerDocument doc;
  StatusOr<Document*> d = doc.Get(a_);
  ASSERT_TRUE(d.ok()) << d.status().ToString();
  EXPECT_EQ((*d)->page_count(), 2);
  doc.PageDone(1e9);  // an open never takes 2e7 s: the handle is dropped
  EXPECT_FALSE(doc.is_open());
  ASSERT_TRUE(doc.Get(a_).ok());
  EXPECT_EQ(doc.opens(), 2);
}

TEST_F(WorkerDocumentTest, StaysOpenWhenReopeningWouldCostTooMuchOfThePage) {
  WorkerDocument doc;
  ASSERT_TRUE(doc.Get(a_).ok());
  doc.PageDone(0);  // any open takes longer than 1/50 of nothing
  EXPECT_TRUE(doc.is_open());
  ASSERT_TRUE(doc.Get(a_).ok());
  EXPECT_EQ(doc.opens(), 1);
}

TEST_F(WorkerDocumentTest, SwitchesDocumentsAndReportsOpenErrors) {
  WorkerDocument doc;
  ASSERT_TRUE(doc.Get(a_).ok());
  StatusOr<Document*> d = doc.Get(b_);
  ASSERT_TRUE(d.ok());
  EXPECT_EQ((*d)->path(), b_);
  EXPECT_EQ((*d)->page_count(), 1);
  EXPECT_FALSE(doc.Get(dir_.path() + "/missing.pdf").ok());
  EXPECT_FALSE(doc.is_open());
  EXPECT_EQ(doc.opens(), 2);
}

}  // namespace
}  // namespace pageflow
