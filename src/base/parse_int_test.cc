#include "base/parse_int.h"

#include <gtest/gtest.h>

namespace pageflow {
namespace {

TEST(ParseIntStrictTest, AcceptsWholeNumbersInRange) {
  EXPECT_EQ(*ParseIntStrict("300", 50, 1200), 300);
  EXPECT_EQ(*ParseIntStrict("50", 50, 1200), 50);
  EXPECT_EQ(*ParseIntStrict("1200", 50, 1200), 1200);
  EXPECT_EQ(*ParseIntStrict("-5", -10, 10), -5);
  EXPECT_EQ(*ParseIntStrict("0300", 50, 1200), 300);
}

TEST(ParseIntStrictTest, RefusesTrailingOrLeadingJunk) {
  for (const char* bad : {"300abc", "abc", "", " 300", "300 ", "+300", "3e2", "300.0",
                          "0x12c", "-", "30 0"}) {
    StatusOr<int> v = ParseIntStrict(bad, 50, 1200);
    EXPECT_FALSE(v.ok()) << bad;
    EXPECT_EQ(v.status().code(), StatusCode::kInvalidArgument) << bad;
  }
}

TEST(ParseIntStrictTest, RefusesOutOfRangeWithoutWrapping) {
  // 4294967596 = 2^32 + 300: atoi-style parsing wraps it to 300.
  for (const char* bad :
       {"4294967596", "99999999999999999999999", "49", "1201", "-300"}) {
    StatusOr<int> v = ParseIntStrict(bad, 50, 1200);
    EXPECT_FALSE(v.ok()) << bad;
    EXPECT_NE(v.status().message().find("out of range"), std::string::npos)
        << v.status().message();
  }
  EXPECT_FALSE(ParseInt64Strict("9223372036854775808", 0, INT64_MAX).ok());
  EXPECT_EQ(*ParseInt64Strict("9223372036854775807", 0, INT64_MAX), INT64_MAX);
}

}  // namespace
}  // namespace pageflow
