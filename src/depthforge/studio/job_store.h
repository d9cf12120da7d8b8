// The studio's jobs, kept in SQLite so that they outlive the server: a
// server killed with jobs queued or running finds them again at its next
// start (RequeueUnfinished) and runs them.
//
// One connection, serialised by a mutex: the studio writes a few rows a
// second, far below what one SQLite connection does. WAL journal, so a
// crash loses at most the last write and never corrupts the file.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "depthforge/studio/job.h"

struct sqlite3;

namespace depthforge {

class JobStore {
 public:
  // Opens (creating if needed) the database at 'path'. Throws FileError.
  explicit JobStore(const std::string& path);
  ~JobStore();
  JobStore(const JobStore&) = delete;
  JobStore& operator=(const JobStore&) = delete;

  void Add(const Job& job);
  std::optional<Job> Get(const std::string& id) const;
  std::vector<Job> List(int limit) const;  // newest first
  int CountUnfinished() const;             // queued or running

  // The oldest queued job, now running (attempts + 1), or nothing.
  std::optional<Job> ClaimNext();
  // A worker of the shared queue starts on the job (or one of its parts):
  // queued becomes running (attempts + 1); running stays. Nothing when the
  // job is gone, done or failed: the worker drops the task.
  std::optional<Job> Start(const std::string& id);
  void SetProgress(const std::string& id, double progress);
  void Finish(const std::string& id, const std::vector<JobOutput>& outputs);
  void Fail(const std::string& id, const std::string& error);
  // Back to queued (a worker gave up on it without failing it: shutdown).
  void Requeue(const std::string& id);
  bool Remove(const std::string& id);
  // Jobs left running by a server that died go back to the queue; jobs
  // started 'max_attempts' times already fail instead (a file that kills
  // the server must not kill it forever). Returns how many were requeued.
  int RequeueUnfinished(int max_attempts);

  // Every change bumps a counter; waiters wake when it moves past 'seen'
  // or the timeout passes. Returns the counter.
  uint64_t version() const;
  uint64_t WaitForChange(uint64_t seen, double timeout_seconds) const;
  void NotifyAll();  // wakes every waiter (shutdown)

 private:
  void Execute(const std::string& sql, const std::vector<std::string>& text_values = {}) const;
  void Changed();

  std::string path_;
  sqlite3* db_ = nullptr;
  mutable std::mutex mutex_;
  mutable std::condition_variable changed_;
  uint64_t version_ = 0;
};

}  // namespace depthforge
