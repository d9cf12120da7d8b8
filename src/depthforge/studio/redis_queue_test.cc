#include "depthforge/studio/redis_queue.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <thread>

#include "depthforge/core/error.h"
#include "depthforge/testing/child_process.h"

namespace depthforge {
namespace {
using ::testing::ElementsAre;

TEST(RedisQueue, ATaskWhoseWorkerStopsRenewingGoesToAnother) {
  testing::RedisServer redis;
  if (!redis.ok()) GTEST_SKIP() << "needs redis-server";
  RedisQueue server(redis.url()), first(redis.url()), second(redis.url());
  server.Push("a");
  server.Push("b");
  EXPECT_THAT(server.Queued(), ElementsAre("a", "b"));
  auto taken = first.Take("first", 1, 0.3);
  ASSERT_TRUE(taken);
  EXPECT_EQ(*taken, "a");  // oldest first
  EXPECT_THAT(server.Processing(), ElementsAre("a"));
  EXPECT_TRUE(server.RequeueExpired().empty());  // leased
  // The first worker dies: no renewal. After the lease, two reaper rounds.
  std::this_thread::sleep_for(std::chrono::milliseconds(400));
  EXPECT_TRUE(server.RequeueExpired().empty());  // one more round of grace
  EXPECT_THAT(server.RequeueExpired(), ElementsAre("a"));
  EXPECT_FALSE(first.Renew("a", "first", 1));  // the first worker, if alive, learns it lost it
  auto again = second.Take("second", 1, 5);
  ASSERT_TRUE(again);
  EXPECT_EQ(*again, "a");  // at the front again
  EXPECT_TRUE(second.Renew("a", "second", 5));
  second.Done("a");
  EXPECT_TRUE(server.Processing().empty());
  // Release: straight back to the front, for the next taker.
  auto b = second.Take("second", 1, 5);
  second.Release(*b);
  EXPECT_THAT(server.Queued(), ElementsAre("b"));
  // An empty queue: Take waits, then says so.
  first.Take("first", 1, 5);
  EXPECT_FALSE(first.Take("first", 0.2, 5));
}

TEST(RedisQueue, AddressesAndAnAbsentServerAreNamed) {
  EXPECT_EQ(RedisAddress::Parse("redis://10.0.0.2:6380/3").ToString(), "redis://10.0.0.2:6380/3");
  EXPECT_EQ(RedisAddress::Parse("redis://queue.local").port, 6379);
  EXPECT_THROW(RedisAddress::Parse("http://127.0.0.1:6379"), OptionError);
  EXPECT_THROW(RedisAddress::Parse("redis://127.0.0.1:99999"), OptionError);
  const int port = testing::FreeLoopbackPort();
  try {
    RedisQueue queue("redis://127.0.0.1:" + std::to_string(port));
    FAIL() << "expected an Error";
  } catch (const Error& e) {
    EXPECT_THAT(e.what(), ::testing::HasSubstr("redis://127.0.0.1:" + std::to_string(port)));
  }
}

}  // namespace
}  // namespace depthforge
