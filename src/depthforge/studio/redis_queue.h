// The shared queue of studio work for workers on other machines: Redis
// (hiredis), in the reliable-queue pattern. A task moves atomically from
// the queue list to the processing list when a worker takes it (BLMOVE), so
// a worker that dies never loses it: its lease key (renewed while it works)
// expires, and the server's reaper moves the task back to the queue, where
// another worker takes it.
//
// Why Redis rather than PostgreSQL's SKIP LOCKED: the jobs' durable record
// is already the server's SQLite; the queue only hands out work, which is
// what Redis lists do, with blocking takes and no polling, and a redis-server
// starts in milliseconds on loopback for the tests, as any user, with no
// cluster to initialise.
//
// Not thread-safe: one RedisQueue (one connection) per thread.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

struct redisContext;
struct redisReply;

namespace depthforge {

struct RedisAddress {
  std::string host = "127.0.0.1";
  int port = 6379;
  int database = 0;
  // "redis://host:port/db" (port and db optional). Throws OptionError.
  static RedisAddress Parse(const std::string& url);
  std::string ToString() const;
};

class RedisQueue {
 public:
  // Connects; throws Error naming the address when Redis does not answer.
  // 'prefix' names the keys: <prefix>:queue, <prefix>:processing, <prefix>:lease:<task>.
  explicit RedisQueue(const std::string& url, std::string prefix = "depthforge");
  ~RedisQueue();
  RedisQueue(const RedisQueue&) = delete;
  RedisQueue& operator=(const RedisQueue&) = delete;

  void Push(const std::string& task);
  // Waits up to 'timeout_seconds' for a task; it is then in the processing
  // list with a lease of 'lease_seconds' held by 'worker'.
  std::optional<std::string> Take(const std::string& worker, double timeout_seconds, double lease_seconds);
  // Extends the lease; false when the lease is gone (the reaper gave the task to another worker).
  bool Renew(const std::string& task, const std::string& worker, double lease_seconds);
  // The task is finished (done or failed for good): out of the processing list.
  void Done(const std::string& task);
  // The task goes back to the front of the queue at once (a worker that stops).
  void Release(const std::string& task);
  // Tasks in the processing list without a lease in this call and the
  // previous one (so a task just taken, whose lease is being set, is not
  // taken from its worker) go back to the queue. Returns them.
  std::vector<std::string> RequeueExpired();
  std::vector<std::string> Queued();
  std::vector<std::string> Processing();

 private:
  void Connect();
  std::shared_ptr<redisReply> Command(const char* format, ...);
  std::vector<std::string> List(const std::string& key);

  RedisAddress address_;
  std::string prefix_;
  redisContext* context_ = nullptr;
  std::vector<std::string> unleased_;  // seen without a lease by the last RequeueExpired
};

}  // namespace depthforge
