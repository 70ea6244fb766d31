#include "base/governor.h"

#include <gtest/gtest.h>

#include <vector>

namespace pageflow {
namespace {

TEST(GovernorTest, UnreservedUsageBecomesPenaltyAndGoesAwayWhenUsageFalls) {
  MemoryBudget budget(1000 << 20);
  StatusOr<Reservation> r = budget.Reserve(100 << 20, "page");
  ASSERT_TRUE(r.ok());
  std::vector<int64_t> readings = {300 << 20, 250 << 20, 105 << 20};
  size_t next = 0;
  Governor governor(&budget, GovernorOptions{100, 10 << 20, [&] { return readings[next++]; }});
  // 300 MiB real vs 100 MiB reserved + 10 MiB slack: trim, which brings it to 250 MiB,
  // so 140 MiB are held back.
  governor.Step();
  const int64_t penalty = governor.Stats().penalty_bytes;
  EXPECT_EQ(penalty, 140 << 20);
  EXPECT_EQ(budget.Stats().penalty_bytes, penalty);
  EXPECT_EQ(governor.Stats().trims, 1);
  EXPECT_EQ(governor.Stats().peak_rss_bytes, 300 << 20);
  governor.Step();
  EXPECT_EQ(governor.Stats().penalty_bytes, 0);
  EXPECT_EQ(budget.Stats().penalty_bytes, 0);
}

}  // namespace
}  // namespace pageflow
