// `depthforge worker`: a process, on this machine or another, that takes
// studio work from the shared Redis queue and runs it. It fetches the input
// from the server that owns the job, converts it with the same JobProcessor
// as the server, sends the outputs back and reports; the server's SQLite
// stays the one record of every job. While it works it renews its lease on
// the task; if it dies, the lease runs out and the server's reaper hands
// the task to another worker. A part of a long video is a task of its own.
#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <string>

#include "depthforge/models/model_store.h"
#include "depthforge/studio/job.h"

namespace depthforge {

class JobProcessor;
class RedisQueue;

struct QueueWorkerOptions {
  std::string queue;   // redis://host:port[/db], as given to `serve --queue`
  std::string server;  // http://host:port of the `depthforge serve` that owns the jobs
  std::string token;   // that server's --token, if it has one
  std::string work_dir = "depthforge-worker";  // inputs and outputs while a task runs
  int network_threads = 0;  // 0 = every core
  // A dead worker's task goes to another after one to two leases and the
  // reaper's round; it is renewed every third of it.
  double lease_seconds = 10;
  std::string name;  // in the queue's lease; "" = host name and process id
  void Check() const;
};

class QueueWorker {
 public:
  QueueWorker(QueueWorkerOptions options, ModelStoreOptions models);
  ~QueueWorker();
  // Takes and runs tasks until 'stop' returns true (asked at least every
  // second). A task in progress then goes straight back to the queue.
  void Run(const std::function<bool()>& stop);
  int tasks_done() const { return tasks_done_; }

 private:
  void RunTask(RedisQueue& queue, const Task& task, const std::function<bool()>& stop);

  QueueWorkerOptions options_;
  std::unique_ptr<JobProcessor> processor_;
  std::atomic<int> tasks_done_{0};
};

}  // namespace depthforge
