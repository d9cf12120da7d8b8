// The routes of the shared queue's workers (docs/STUDIO.md): claim a task,
// fetch its input, send its outputs, report progress, finish or fail.
#include <httplib.h>

#include <filesystem>
#include <fstream>

#include <nlohmann/json.hpp>

#include "depthforge/core/error.h"
#include "depthforge/studio/http_responses.h"
#include "depthforge/studio/studio_server.h"
#include "depthforge/util/atomic_file.h"

namespace depthforge {
namespace fs = std::filesystem;
using nlohmann::json;

void StudioServer::WorkerRoutes() {
  httplib::Server& http = *http_;
  auto task_of = [](const httplib::Request& request) { return *Task::Parse(request.matches[1]); };
  // A worker starts on a task: the job's settings, or 410 when the job is
  // gone or finished (the worker drops the task).
  http.Post(std::string("/api/worker/tasks/") + kTaskPattern + "/claim",
            [this, task_of](const httplib::Request& request, httplib::Response& response) {
              const Task task = task_of(request);
              auto job = store_->Start(task.job_id);
              if (!job || task.part >= std::max(job->parts, 0) || (task.part < 0 && job->parts > 1)) {
                return SendError(response, 410, "this task is no longer wanted");
              }
              if (task.part >= 0) {
                // A new attempt at a part replaces whatever an earlier one sent.
                std::error_code error;
                fs::remove_all(fs::path(JobFolder(job->id)) / "parts" / std::to_string(task.part), error);
              }
              SendJson(response, 200, JobToWorkerJson(*job));
            });
  http.Get(std::string("/api/worker/jobs/") + kJobPattern + "/input",
           [this](const httplib::Request& request, httplib::Response& response) {
             auto job = store_->Get(request.matches[1]);
             if (!job) return SendError(response, 410, "no such job");
             const std::string path = (fs::path(JobFolder(job->id)) / ("input" + job->input_extension)).string();
             std::error_code error;
             const auto size = fs::file_size(path, error);
             if (error) return SendError(response, 410, "the job's input is gone");
             SendFile(response, path, size, "application/octet-stream");
           });
  http.Put(std::string("/api/worker/tasks/") + kTaskPattern + "/files/" + kFilePattern,
           [this, task_of](const httplib::Request& request, httplib::Response& response,
                           const httplib::ContentReader& reader) {
             const Task task = task_of(request);
             auto job = RunningJob(task, response);
             if (!job) return;
             const fs::path folder = fs::path(JobFolder(job->id)) /
                                     (task.part < 0 ? std::string("out") : "parts/" + std::to_string(task.part));
             std::error_code error;
             fs::create_directories(folder, error);
             const std::string name = request.matches[2];
             try {
               WriteAtomically((folder / name).string(), [&](const std::string& temporary) {
                 std::ofstream out(temporary, std::ios::binary);
                 reader([&](const char* data, size_t size) { return bool(out.write(data, std::streamsize(size))); });
                 if (!out.flush()) throw FileError(name, "cannot be written");
               });
             } catch (const Error& e) {
               return SendError(response, 500, ForUser(e.what()));
             }
             SendJson(response, 200, {{"name", name}});
           });
  http.Post(std::string("/api/worker/tasks/") + kTaskPattern + "/progress",
            [this, task_of](const httplib::Request& request, httplib::Response& response) {
              const Task task = task_of(request);
              auto job = RunningJob(task, response);
              if (!job) return;
              const json body = json::parse(request.body, nullptr, false);
              const double progress =
                  body.is_object() && body.contains("progress") && body["progress"].is_number()
                      ? std::clamp(body["progress"].get<double>(), 0.0, 1.0)
                      : 0.0;
              if (task.part < 0) {
                store_->SetProgress(job->id, progress);
              } else {
                std::lock_guard lock(part_mutex_);
                SetPartProgress(*job, task.part, progress);
              }
              SendJson(response, 200, {{"ok", true}});
            });
  http.Post(std::string("/api/worker/tasks/") + kTaskPattern + "/done",
            [this, task_of](const httplib::Request& request, httplib::Response& response) {
              const Task task = task_of(request);
              auto job = RunningJob(task, response);
              if (!job) return;
              json body = json::parse(request.body, nullptr, false);
              std::vector<std::string> files;
              if (body.is_object() && body.contains("files") && body["files"].is_array()) {
                for (const auto& file : body["files"]) {
                  if (file.is_string()) files.push_back(file.get<std::string>());
                }
              }
              FinishTask(task, *job, files, response);
            });
  http.Post(std::string("/api/worker/tasks/") + kTaskPattern + "/failed",
            [this, task_of](const httplib::Request& request, httplib::Response& response) {
              const Task task = task_of(request);
              auto job = RunningJob(task, response);
              if (!job) return;
              json body = json::parse(request.body, nullptr, false);
              const std::string error = body.is_object() ? body.value("error", "a worker failed") : "a worker failed";
              store_->Fail(job->id, ForUser(error.substr(0, 2000)));
              SendJson(response, 200, {{"ok", true}});
            });
}

void StudioServer::SetPartProgress(const Job& job, int part, double fraction) {
  auto& parts = part_progress_[job.id];
  parts[part] = fraction;
  double sum = 0;
  for (const auto& [index, done] : parts) sum += done;
  store_->SetProgress(job.id, sum / std::max(1, job.parts));
}

std::optional<Job> StudioServer::RunningJob(const Task& task, httplib::Response& response) {
  auto job = store_->Get(task.job_id);
  if (job && job->state == JobState::kRunning) return job;
  SendError(response, 410, "this task is no longer wanted");
  return std::nullopt;
}

void StudioServer::FinishTask(const Task& task, const Job& job, const std::vector<std::string>& files,
                              httplib::Response& response) {
  const fs::path folder = JobFolder(job.id);
  std::error_code error;
  if (task.part < 0) {
    std::vector<JobOutput> outputs;
    for (const std::string& file : files) {
      const bool plain_name = file.find('/') == std::string::npos && !file.empty() && file.front() != '.';
      const auto size = plain_name ? fs::file_size(folder / "out" / file, error) : 0;
      if (!plain_name || error) {
        return SendError(response, 400, "the output " + file.substr(0, 128) + " was not sent");
      }
      outputs.push_back({file, int64_t(size)});
    }
    store_->Finish(job.id, outputs);
    return SendJson(response, 200, {{"ok", true}});
  }
  // A part: when it is the last one, the parts are joined here (stream
  // copy, a second or so) and the job is done.
  std::lock_guard lock(part_mutex_);
  WriteFileBytes((folder / "parts" / (std::to_string(task.part) + ".done")).string(), "done\n");
  SetPartProgress(job, task.part, 1);
  std::vector<std::string> works;
  for (int part = 0; part < job.parts; ++part) {
    if (!fs::exists(folder / "parts" / (std::to_string(part) + ".done"), error)) {
      return SendJson(response, 200, {{"ok", true}});
    }
    works.push_back((folder / "parts" / std::to_string(part)).string());
  }
  auto current = store_->Get(job.id);
  if (!current || current->state != JobState::kRunning) return SendJson(response, 200, {{"ok", true}});
  try {
    std::vector<JobOutput> outputs =
        processor_->JoinParts(job, (folder / ("input" + job.input_extension)).string(), works, (folder / "out").string());
    store_->Finish(job.id, outputs);
  } catch (const Error& e) {
    store_->Fail(job.id, ForUser(e.what()));
  }
  part_progress_.erase(job.id);
  fs::remove_all(folder / "parts", error);
  SendJson(response, 200, {{"ok", true}});
}

}  // namespace depthforge
