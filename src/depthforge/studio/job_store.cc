#include "depthforge/studio/job_store.h"

#include <sqlite3.h>

#include "depthforge/studio/sqlite_statement.h"

#include <chrono>

#include <nlohmann/json.hpp>

#include "depthforge/core/error.h"

namespace depthforge {
namespace {

double Now() {
  return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}

const char* kColumns =
    "id, state, progress, kind, input_extension, display_name, request, outputs, error, created_at, started_at, "
    "finished_at, attempts, parts, part_seconds";

Job ReadJob(const Statement& row) {
  Job job;
  job.id = row.Text(0);
  job.state = JobStateNames().Parse(row.Text(1));
  job.progress = row.Real(2);
  job.kind = row.Text(3) == "video" ? MediaKind::kVideo : MediaKind::kImage;
  job.input_extension = row.Text(4);
  job.display_name = row.Text(5);
  job.request = RequestFromJson(nlohmann::json::parse(row.Text(6)));
  for (const auto& output : nlohmann::json::parse(row.Text(7))) {
    job.outputs.push_back({output.at("name").get<std::string>(), output.at("bytes").get<int64_t>()});
  }
  job.error = row.Text(8);
  job.created_at = row.Real(9);
  job.started_at = row.Real(10);
  job.finished_at = row.Real(11);
  job.attempts = int(row.Integer(12));
  job.parts = int(row.Integer(13));
  job.part_seconds = row.Real(14);
  return job;
}

std::string OutputsJson(const std::vector<JobOutput>& outputs) {
  nlohmann::json json = nlohmann::json::array();
  for (const auto& output : outputs) json.push_back({{"name", output.name}, {"bytes", output.bytes}});
  return json.dump();
}

}  // namespace

JobStore::JobStore(const std::string& path) : path_(path) {
  db_ = OpenDatabase(path);
  try {
    Execute(
        "CREATE TABLE IF NOT EXISTS jobs ("
        " seq INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT UNIQUE NOT NULL, state TEXT NOT NULL,"
        " progress REAL NOT NULL, kind TEXT NOT NULL, input_extension TEXT NOT NULL, display_name TEXT NOT NULL,"
        " request TEXT NOT NULL, outputs TEXT NOT NULL, error TEXT NOT NULL, created_at REAL NOT NULL,"
        " started_at REAL NOT NULL, finished_at REAL NOT NULL, attempts INTEGER NOT NULL, parts INTEGER NOT NULL,"
        " part_seconds REAL NOT NULL)");
    Execute("CREATE INDEX IF NOT EXISTS jobs_by_state ON jobs(state, seq)");
  } catch (...) {
    sqlite3_close(db_);
    throw;
  }
}

JobStore::~JobStore() { sqlite3_close(db_); }

void JobStore::Execute(const std::string& sql, const std::vector<std::string>& text_values) const {
  std::vector<Value> values(text_values.begin(), text_values.end());
  Statement statement(db_, path_, sql, values);
  while (statement.Step()) {
  }
}

void JobStore::Changed() {
  ++version_;
  changed_.notify_all();
}

void JobStore::Add(const Job& job) {
  std::lock_guard lock(mutex_);
  Statement insert(db_, path_,
                   std::string("INSERT INTO jobs (") + kColumns + ") VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                   {job.id, JobStateNames().Name(job.state), job.progress,
                    std::string(job.kind == MediaKind::kVideo ? "video" : "photo"), job.input_extension,
                    job.display_name, RequestToJson(job.request).dump(), OutputsJson(job.outputs), job.error,
                    job.created_at > 0 ? job.created_at : Now(), job.started_at, job.finished_at,
                    int64_t(job.attempts), int64_t(job.parts), job.part_seconds});
  insert.Step();
  Changed();
}

std::optional<Job> JobStore::Get(const std::string& id) const {
  std::lock_guard lock(mutex_);
  Statement select(db_, path_, std::string("SELECT ") + kColumns + " FROM jobs WHERE id = ?", {id});
  if (!select.Step()) return std::nullopt;
  return ReadJob(select);
}

std::vector<Job> JobStore::List(int limit) const {
  std::lock_guard lock(mutex_);
  Statement select(db_, path_, std::string("SELECT ") + kColumns + " FROM jobs ORDER BY seq DESC LIMIT ?",
                   {int64_t(limit)});
  std::vector<Job> jobs;
  while (select.Step()) jobs.push_back(ReadJob(select));
  return jobs;
}

int JobStore::CountUnfinished() const {
  std::lock_guard lock(mutex_);
  Statement count(db_, path_, "SELECT COUNT(*) FROM jobs WHERE state IN ('queued', 'running')", {});
  count.Step();
  return int(count.Integer(0));
}

std::optional<Job> JobStore::ClaimNext() {
  std::lock_guard lock(mutex_);
  std::optional<Job> job;
  {
    Statement select(db_, path_,
                     std::string("SELECT ") + kColumns + " FROM jobs WHERE state = 'queued' ORDER BY seq LIMIT 1", {});
    if (!select.Step()) return std::nullopt;
    job = ReadJob(select);
  }
  job->state = JobState::kRunning;
  job->started_at = Now();
  job->attempts += 1;
  job->progress = 0;
  Statement update(db_, path_,
                   "UPDATE jobs SET state = 'running', started_at = ?, attempts = ?, progress = 0 WHERE id = ?",
                   {job->started_at, int64_t(job->attempts), job->id});
  update.Step();
  Changed();
  return job;
}

std::optional<Job> JobStore::Start(const std::string& id) {
  std::lock_guard lock(mutex_);
  std::optional<Job> job;
  {
    Statement select(db_, path_, std::string("SELECT ") + kColumns + " FROM jobs WHERE id = ?", {id});
    if (!select.Step()) return std::nullopt;
    job = ReadJob(select);
  }
  if (job->state == JobState::kDone || job->state == JobState::kFailed) return std::nullopt;
  if (job->state == JobState::kQueued) {
    job->state = JobState::kRunning;
    job->started_at = Now();
    job->attempts += 1;
    Statement update(db_, path_, "UPDATE jobs SET state = 'running', started_at = ?, attempts = ? WHERE id = ?",
                     {job->started_at, int64_t(job->attempts), id});
    update.Step();
    Changed();
  }
  return job;
}

void JobStore::SetProgress(const std::string& id, double progress) {
  std::lock_guard lock(mutex_);
  Statement update(db_, path_, "UPDATE jobs SET progress = ? WHERE id = ? AND state = 'running'", {progress, id});
  update.Step();
  Changed();
}

void JobStore::Finish(const std::string& id, const std::vector<JobOutput>& outputs) {
  std::lock_guard lock(mutex_);
  Statement update(db_, path_,
                   "UPDATE jobs SET state = 'done', progress = 1, outputs = ?, error = '', finished_at = ? WHERE id = ?",
                   {OutputsJson(outputs), Now(), id});
  update.Step();
  Changed();
}

void JobStore::Fail(const std::string& id, const std::string& error) {
  std::lock_guard lock(mutex_);
  Statement update(db_, path_, "UPDATE jobs SET state = 'failed', error = ?, finished_at = ? WHERE id = ?",
                   {error, Now(), id});
  update.Step();
  Changed();
}

void JobStore::Requeue(const std::string& id) {
  std::lock_guard lock(mutex_);
  Statement update(db_, path_, "UPDATE jobs SET state = 'queued', progress = 0 WHERE id = ? AND state = 'running'",
                   {id});
  update.Step();
  Changed();
}

bool JobStore::Remove(const std::string& id) {
  std::lock_guard lock(mutex_);
  Statement remove(db_, path_, "DELETE FROM jobs WHERE id = ?", {id});
  remove.Step();
  const bool removed = sqlite3_changes(db_) > 0;
  Changed();
  return removed;
}

int JobStore::RequeueUnfinished(int max_attempts) {
  std::lock_guard lock(mutex_);
  {
    Statement fail(db_, path_,
                   "UPDATE jobs SET state = 'failed', finished_at = ?, error = 'the server stopped while running this "
                   "job ' || attempts || ' times; it was not tried again' WHERE state = 'running' AND attempts >= ?",
                   {Now(), int64_t(max_attempts)});
    fail.Step();
  }
  Statement requeue(db_, path_, "UPDATE jobs SET state = 'queued', progress = 0 WHERE state = 'running'", {});
  requeue.Step();
  const int requeued = sqlite3_changes(db_);
  Changed();
  return requeued;
}

uint64_t JobStore::version() const {
  std::lock_guard lock(mutex_);
  return version_;
}

uint64_t JobStore::WaitForChange(uint64_t seen, double timeout_seconds) const {
  std::unique_lock lock(mutex_);
  changed_.wait_for(lock, std::chrono::duration<double>(timeout_seconds), [&] { return version_ != seen; });
  return version_;
}

void JobStore::NotifyAll() {
  std::lock_guard lock(mutex_);
  Changed();
}

}  // namespace depthforge
