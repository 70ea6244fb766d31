#include "base/bounded_queue.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>

namespace pageflow {
namespace {

// Until `n` producers wait inside Push (the waiting thread's state, not a guess at how
// long it takes to get there).
template <typename T>
void AwaitBlockedProducers(const BoundedQueue<T>& q, size_t n) {
  while (q.blocked_producers() < n) std::this_thread::yield();
}

TEST(BoundedQueueTest, PushBlocksAtCapacity) {
  BoundedQueue<int> q(2);
  ASSERT_TRUE(q.Push(1));
  ASSERT_TRUE(q.Push(2));
  std::atomic<bool> pushed{false};
  std::thread t([&] {
    q.Push(3);
    pushed = true;
  });
  AwaitBlockedProducers(q, 1);
  EXPECT_FALSE(pushed.load());
  EXPECT_EQ(q.size(), 2u);
  EXPECT_EQ(*q.Pop(), 1);
  t.join();
  EXPECT_TRUE(pushed.load());
  EXPECT_EQ(q.size(), 2u);
  EXPECT_EQ(q.blocked_producers(), 0u);
}

TEST(BoundedQueueTest, CloseDrainsThenEnds) {
  BoundedQueue<int> q(4);
  q.Push(1);
  q.Push(2);
  q.Close();
  EXPECT_FALSE(q.Push(3));
  EXPECT_EQ(*q.Pop(), 1);
  EXPECT_EQ(*q.Pop(), 2);
  EXPECT_FALSE(q.Pop().has_value());
}

TEST(BoundedQueueTest, CloseWakesBlockedProducer) {
  BoundedQueue<int> q(1);
  q.Push(1);
  bool result = true;
  std::thread t([&] { result = q.Push(2); });
  AwaitBlockedProducers(q, 1);  // Close must wake a producer that waits
  q.Close();
  t.join();
  EXPECT_FALSE(result);
}

}  // namespace
}  // namespace pageflow
