#include "depthforge/studio/job.h"

#include <algorithm>
#include <cctype>
#include <random>

#include <nlohmann/json.hpp>

#include "depthforge/core/error.h"

namespace depthforge {

const EnumNames<JobState>& JobStateNames() {
  static const EnumNames<JobState> names{"job state",
                                         {{"queued", JobState::kQueued},
                                          {"running", JobState::kRunning},
                                          {"done", JobState::kDone},
                                          {"failed", JobState::kFailed}}};
  return names;
}

std::string NewJobId() {
  static thread_local std::mt19937_64 generator{std::random_device{}()};
  static const char* kHex = "0123456789abcdef";
  std::string id;
  for (int half = 0; half < 2; ++half) {
    uint64_t bits = generator();
    for (int i = 0; i < 16; ++i, bits >>= 4) id += kHex[bits & 15];
  }
  return id;
}

bool IsJobId(const std::string& text) {
  if (text.size() != 32) return false;
  for (char c : text) {
    if (!std::isdigit(static_cast<unsigned char>(c)) && !(c >= 'a' && c <= 'f')) return false;
  }
  return true;
}

std::string DisplayStem(const std::string& file_name) {
  std::string base = file_name.substr(file_name.find_last_of("/\\") + 1);
  const size_t dot = base.rfind('.');
  if (dot != std::string::npos && dot > 0) base.resize(dot);
  std::string stem;
  bool gap = false;
  for (char c : base) {
    if (std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_') {
      if (gap && !stem.empty()) stem += '_';
      stem += c;
      gap = false;
    } else {
      gap = true;
    }
    if (stem.size() >= 60) break;
  }
  return stem.empty() ? "upload" : stem;
}

std::string Task::ToString() const { return part < 0 ? job_id : job_id + "." + std::to_string(part); }

std::optional<Task> Task::Parse(const std::string& text) {
  Task task;
  const size_t dot = text.find('.');
  task.job_id = text.substr(0, dot);
  if (!IsJobId(task.job_id)) return std::nullopt;
  if (dot != std::string::npos) {
    const std::string number = text.substr(dot + 1);
    if (number.empty() || number.size() > 5 || number.find_first_not_of("0123456789") != std::string::npos) return std::nullopt;
    task.part = std::stoi(number);
  }
  return task;
}

std::vector<Task> TasksOf(const Job& job) {
  if (job.parts < 2) return {Task{job.id, -1}};
  std::vector<Task> tasks;
  for (int part = 0; part < job.parts; ++part) tasks.push_back(Task{job.id, part});
  return tasks;
}

std::pair<double, double> PartRange(const Job& job, int part) {
  const double start = job.request.start + part * job.part_seconds;
  const double end = part + 1 == job.parts ? job.request.end : start + job.part_seconds;
  return {start, end};
}

nlohmann::json RequestToJson(const JobRequest& request) {
  nlohmann::json json = {{"as", request.outputs}, {"model", request.model}};
  if (request.strength) json["strength"] = *request.strength;
  if (request.convergence) json["convergence"] = *request.convergence;
  if (request.start > 0) json["start"] = request.start;
  if (request.end > 0) json["end"] = request.end;
  return json;
}

JobRequest RequestFromJson(const nlohmann::json& json) {
  JobRequest request;
  request.outputs = json.value("as", request.outputs);
  request.model = json.value("model", request.model);
  if (json.contains("strength")) request.strength = json["strength"].get<double>();
  if (json.contains("convergence")) request.convergence = json["convergence"].get<double>();
  request.start = json.value("start", 0.0);
  request.end = json.value("end", 0.0);
  return request;
}

nlohmann::json JobToJson(const Job& job) {
  nlohmann::json outputs = nlohmann::json::array();
  for (const JobOutput& output : job.outputs) {
    outputs.push_back({{"name", output.name},
                       {"url", "/api/jobs/" + job.id + "/files/" + output.name},
                       {"bytes", output.bytes}});
  }
  nlohmann::json json = {
      {"id", job.id},
      {"state", JobStateNames().Name(job.state)},
      {"progress", job.progress},
      {"kind", job.kind == MediaKind::kVideo ? "video" : "photo"},
      {"name", job.display_name + job.input_extension},
      {"request", RequestToJson(job.request)},
      {"outputs", outputs},
      {"error", job.error.empty() ? nlohmann::json(nullptr) : nlohmann::json(job.error)},
      {"created_at", job.created_at},
      {"attempts", job.attempts},
  };
  if (job.parts > 1) json["parts"] = job.parts;
  if (job.started_at > 0) json["started_at"] = job.started_at;
  if (job.finished_at > 0) json["finished_at"] = job.finished_at;
  return json;
}

}  // namespace depthforge

namespace depthforge {

nlohmann::json JobToWorkerJson(const Job& job) {
  nlohmann::json json = JobToJson(job);
  json["input_extension"] = job.input_extension;
  json["display_name"] = job.display_name;
  json["parts"] = job.parts;
  json["part_seconds"] = job.part_seconds;
  return json;
}

Job JobFromWorkerJson(const nlohmann::json& json) {
  Job job;
  job.id = json.at("id").get<std::string>();
  if (!IsJobId(job.id)) throw Error("the server sent a job with a malformed id");
  job.state = JobStateNames().Parse(json.at("state").get<std::string>());
  job.kind = json.at("kind").get<std::string>() == "video" ? MediaKind::kVideo : MediaKind::kImage;
  job.input_extension = json.at("input_extension").get<std::string>();
  // It becomes part of a file name: ".jpg", ".mp4", nothing else.
  const std::string& extension = job.input_extension;
  if (extension.size() < 2 || extension.size() > 6 || extension[0] != '.' ||
      !std::all_of(extension.begin() + 1, extension.end(), [](char c) { return std::isalnum(static_cast<unsigned char>(c)); })) {
    throw Error("the server sent a job with a malformed input type");
  }
  job.display_name = DisplayStem(json.at("display_name").get<std::string>());
  job.request = RequestFromJson(json.at("request"));
  job.attempts = json.value("attempts", 0);
  job.parts = json.value("parts", 0);
  job.part_seconds = json.value("part_seconds", 0.0);
  return job;
}

}  // namespace depthforge
