#include "depthforge/util/bounded_queue.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>
#include <vector>

namespace depthforge {
namespace {

TEST(BoundedQueue, DeliversInOrderAndNeverHoldsMoreThanItsCapacity) {
  BoundedQueue<int> queue(3);
  std::atomic<int> pushed{0};
  std::thread producer([&] {
    for (int i = 0; i < 1000; ++i) {
      queue.Push(i);
      ++pushed;
    }
    queue.Close();
  });
  std::vector<int> received;
  while (auto item = queue.Pop()) {
    EXPECT_LE(pushed.load() - int(received.size()), 4);  // at most capacity + the one in flight
    received.push_back(*item);
  }
  producer.join();
  ASSERT_EQ(received.size(), 1000u);
  for (int i = 0; i < 1000; ++i) EXPECT_EQ(received[size_t(i)], i);
}

TEST(BoundedQueue, AbandoningReleasesAWaitingProducer) {
  BoundedQueue<int> queue(1);
  queue.Push(1);
  std::thread producer([&] { EXPECT_FALSE(queue.Push(2)); });  // waits: the queue is full
  queue.Abandon();
  producer.join();
  EXPECT_FALSE(queue.Pop().has_value());
}

}  // namespace
}  // namespace depthforge
