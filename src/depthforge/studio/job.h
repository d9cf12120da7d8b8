// A job of the web studio: one uploaded photo or video and the outputs asked
// for. Jobs are value types; the JobStore keeps them, the JobProcessor runs
// them.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "depthforge/core/enum_names.h"
#include "depthforge/io/media_type.h"

namespace depthforge {

enum class JobState { kQueued, kRunning, kDone, kFailed };
const EnumNames<JobState>& JobStateNames();  // queued | running | done | failed

// What the user asked for, as posted (checked by JobProcessor::CheckRequest).
struct JobRequest {
  std::string outputs = "depth";  // comma list: `convert --as` names for photos, `video --as` names for videos
  std::string model;              // a registry name; "" = the registry's default
  std::optional<double> strength;     // stereo: percent of the width; unset = the renderer's default
  std::optional<double> convergence;  // stereo: 0 = farthest .. 1 = nearest; unset = default
  double start = 0, end = 0;          // videos: seconds; end 0 = to the end
};

struct JobOutput {
  std::string name;   // file name in the job's output folder (generated, no path)
  int64_t bytes = 0;
};

struct Job {
  std::string id;  // 32 hex digits, random: unguessable, and the only name a job's files carry
  JobState state = JobState::kQueued;
  double progress = 0;  // 0..1
  MediaKind kind = MediaKind::kUnknown;
  std::string input_extension;  // from the sniffed content, e.g. ".jpg"
  std::string display_name;     // the uploaded file's stem, reduced to [A-Za-z0-9_-]; only for download names
  JobRequest request;
  std::vector<JobOutput> outputs;
  std::string error;  // failed jobs: a message for the user (no paths)
  double created_at = 0, started_at = 0, finished_at = 0;  // seconds since the epoch; 0 = not yet
  int attempts = 0;  // times a worker started it (a restart or a dead worker adds one)
  // Videos longer than a part, with a shared queue: converted in 'parts'
  // pieces of 'part_seconds' by several workers at once, then joined.
  int parts = 0;  // 0 = one piece
  double part_seconds = 0;
};

// A piece of work in the shared queue: a whole job, or one part of a video.
struct Task {
  std::string job_id;
  int part = -1;  // -1 = the whole job
  std::string ToString() const;  // "<id>" or "<id>.<part>"
  static std::optional<Task> Parse(const std::string& text);
};
std::vector<Task> TasksOf(const Job& job);
// The source seconds a part covers: [start, end); end 0 = to the end of the video.
std::pair<double, double> PartRange(const Job& job, int part);

std::string NewJobId();
bool IsJobId(const std::string& text);
// "My Holiday (1).JPG" -> "My_Holiday_1"; empty or all-odd names give "upload".
std::string DisplayStem(const std::string& file_name);

nlohmann::json RequestToJson(const JobRequest& request);
JobRequest RequestFromJson(const nlohmann::json& json);
// The API's view of a job; output URLs under 'url_prefix' (e.g. "/api/jobs/<id>/files/").
nlohmann::json JobToJson(const Job& job);
// Everything a worker of the shared queue needs to run the job (the API's
// view plus the internal fields), and back.
nlohmann::json JobToWorkerJson(const Job& job);
Job JobFromWorkerJson(const nlohmann::json& json);

}  // namespace depthforge
