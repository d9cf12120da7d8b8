#include "depthforge/studio/studio_server.h"

#include "depthforge/studio/http_responses.h"

#include "depthforge/studio/queue_worker.h"
#include "depthforge/studio/redis_queue.h"

#include <arpa/inet.h>
#include <sys/socket.h>
#include <httplib.h>

#include <chrono>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <regex>

#include <nlohmann/json.hpp>

#include "depthforge/convert/photo_convert.h"
#include "depthforge/convert/video_convert.h"
#include "depthforge/core/error.h"
#include "depthforge/io/media_type.h"
#include "depthforge/models/model_registry.h"
#include "depthforge/util/atomic_file.h"
#include "depthforge/util/sha256.h"

#ifndef DEPTHFORGE_WEB_DIR
#define DEPTHFORGE_WEB_DIR "web"
#endif
#ifndef DEPTHFORGE_VERSION
#define DEPTHFORGE_VERSION "dev"
#endif

namespace depthforge {
namespace fs = std::filesystem;
using nlohmann::json;

namespace {


std::string Base64(const std::string& bytes) {
  static const char* kAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  uint32_t bits = 0;
  int count = 0;
  for (unsigned char c : bytes) {
    bits = (bits << 8) | c;
    count += 8;
    while (count >= 6) {
      out += kAlphabet[(bits >> (count - 6)) & 63];
      count -= 6;
    }
  }
  if (count > 0) out += kAlphabet[(bits << (6 - count)) & 63];
  while (out.size() % 4) out += '=';
  return out;
}

std::string HexToBytes(const std::string& hex) {
  std::string bytes;
  for (size_t i = 0; i + 1 < hex.size(); i += 2) bytes += char(std::stoi(hex.substr(i, 2), nullptr, 16));
  return bytes;
}

// The page's inline import map (the only inline script) is allowed by its
// hash, so the policy can forbid every other inline script.
std::string ContentSecurityPolicy(const std::string& index_html) {
  std::string script_sources = "'self'";
  static const std::regex kImportMap(R"(<script type="importmap">([\s\S]*?)</script>)");
  std::smatch match;
  if (std::regex_search(index_html, match, kImportMap)) {
    Sha256 hash;
    hash.Update(match[1].str());
    script_sources += " 'sha256-" + Base64(HexToBytes(hash.HexDigest())) + "'";
  }
  return "default-src 'self'; script-src " + script_sources +
         "; img-src 'self' blob: data:; media-src 'self' blob:; connect-src 'self' blob: data:; style-src 'self'; "
         "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'";
}

bool SameToken(const std::string& given, const std::string& expected) {
  // Constant time in the token's length: no early exit on the first difference.
  unsigned char difference = given.size() == expected.size() ? 0 : 1;
  for (size_t i = 0; i < expected.size(); ++i) difference |= (i < given.size() ? given[i] : 0) ^ expected[i];
  return difference == 0;
}

std::optional<double> NumberField(const std::map<std::string, std::string>& fields, const std::string& name) {
  auto it = fields.find(name);
  if (it == fields.end() || it->second.empty()) return std::nullopt;
  try {
    size_t used = 0;
    double value = std::stod(it->second, &used);
    if (used != it->second.size() || !std::isfinite(value)) throw std::invalid_argument("");
    return value;
  } catch (const std::exception&) {
    throw OptionError(name + " must be a number, got '" + it->second.substr(0, 40) + "'");
  }
}

// "photo.hsbs.jpg" for the upload "My holiday.jpg" downloads as "My_holiday.hsbs.jpg".
std::string DownloadName(const Job& job, const std::string& output) {
  const std::string prefix = job.kind == MediaKind::kVideo ? "video" : "photo";
  return output.rfind(prefix, 0) == 0 ? job.display_name + output.substr(prefix.size()) : output;
}

}  // namespace

bool IsLoopbackHost(const std::string& host) {
  if (host == "localhost") return true;
  in_addr v4{};
  if (inet_pton(AF_INET, host.c_str(), &v4) == 1) return (ntohl(v4.s_addr) >> 24) == 127;
  in6_addr v6{};
  if (inet_pton(AF_INET6, host.c_str(), &v6) == 1) return IN6_IS_ADDR_LOOPBACK(&v6);
  return false;
}

void StudioOptions::Check() const {
  if (host.empty()) throw OptionError("--host is empty");
  if (!IsLoopbackHost(host) && token.empty()) {
    throw OptionError("--host " + host + " lets other machines connect: give --token SECRET, which every API call "
                      "must then carry (Authorization: Bearer SECRET)");
  }
  if (!token.empty() && token.size() < 8) throw OptionError("--token must be at least 8 characters");
  if (port < 0 || port > 65535) throw OptionError("--port must be between 0 and 65535");
  if (data_dir.empty()) throw OptionError("--data is empty");
  if (workers < 0 || workers > 64) throw OptionError("--workers must be between 0 and 64");
  if (max_upload_mb < 1) throw OptionError("--max-upload-mb must be at least 1");
  if (max_queued < 1) throw OptionError("--max-queued must be at least 1");
  if (!(job_time_limit > 0)) throw OptionError("--job-time-limit must be positive");
  if (network_threads < 0) throw OptionError("--threads must be 0 (every core) or more");
  if (!queue.empty()) RedisAddress::Parse(queue);
  if (!(part_seconds >= 10)) throw OptionError("--part-seconds must be at least 10");
  if (!(lease_seconds >= 1)) throw OptionError("--lease-seconds must be at least 1");
  limits.Check();
}

StudioServer::StudioServer(StudioOptions options, ModelStoreOptions models)
    : options_(std::move(options)), models_(std::move(models)) {
  options_.Check();
  if (options_.web_root.empty()) options_.web_root = DEPTHFORGE_WEB_DIR;
}

StudioServer::~StudioServer() { Stop(); }

std::string StudioServer::JobFolder(const std::string& id) const {
  return (fs::path(options_.data_dir) / "jobs" / id).string();
}

std::string StudioServer::ForUser(const std::string& message) const {
  // Messages name files by their display names; a path of this server that
  // slipped into one (a library message) is cut out.
  std::string text = message;
  for (const std::string& root : {fs::absolute(options_.data_dir).string(), options_.data_dir}) {
    for (size_t at; !root.empty() && (at = text.find(root)) != std::string::npos;) text.erase(at, root.size());
  }
  return text;
}

bool StudioServer::IsCancelled(const std::string& id) {
  std::lock_guard lock(cancel_mutex_);
  return std::find(cancelled_.begin(), cancelled_.end(), id) != cancelled_.end();
}

int StudioServer::Start() {
  std::error_code error;
  fs::create_directories(fs::path(options_.data_dir) / "jobs", error);
  fs::create_directories(fs::path(options_.data_dir) / "uploads", error);
  if (error) throw FileError(options_.data_dir, "cannot create the data folder: " + error.message());
  // Uploads that a dead server was receiving are incomplete.
  for (const auto& entry : fs::directory_iterator(fs::path(options_.data_dir) / "uploads", error)) {
    fs::remove_all(entry.path(), error);
  }
  store_ = std::make_unique<JobStore>((fs::path(options_.data_dir) / "jobs.sqlite").string());
  labels_ = std::make_unique<LabelStore>((fs::path(options_.data_dir) / "jobs.sqlite").string());
  const int requeued = store_->RequeueUnfinished(3);
  if (requeued > 0) std::fprintf(stderr, "serve: %d unfinished job%s queued again\n", requeued, requeued == 1 ? "" : "s");

  const std::string index_path = (fs::path(options_.web_root) / "static" / "index.html").string();
  if (!fs::is_regular_file(index_path, error)) {
    throw FileError(index_path, "the page is missing (run scripts/setup.sh, or give --web the folder with static/)");
  }
  if (!fs::is_regular_file(fs::path(options_.web_root) / "node_modules/three/build/three.module.js", error)) {
    throw FileError((fs::path(options_.web_root) / "node_modules/three").string(),
                    "three.js is missing (run `npm ci` in web/, as scripts/setup.sh does)");
  }
  index_html_ = ReadFileBytes(index_path);
  label_html_ = ReadFileBytes((fs::path(options_.web_root) / "static" / "label.html").string());
  content_security_policy_ = ContentSecurityPolicy(index_html_);

  processor_ = std::make_unique<JobProcessor>(models_, options_.network_threads);
  processor_->Preload();  // a missing model fails here, not in the first job
  if (!options_.queue.empty()) queue_ = std::make_unique<RedisQueue>(options_.queue);

  http_ = std::make_unique<httplib::Server>();
  // Each server-sent event stream holds a thread for its job's life.
  http_->new_task_queue = [] { return new httplib::ThreadPool(128); };
  // Uploads are limited by --max-upload-mb in POST /api/jobs itself; the
  // outputs that workers send back may be larger (a long video).
  http_->set_payload_max_length(size_t(64) << 30);
  http_->set_read_timeout(30);
  http_->set_write_timeout(30);
  // SO_REUSEADDR only: httplib's default also sets SO_REUSEPORT, with which
  // a second server on the same port starts and silently shares its traffic.
  int listening = -1;
  http_->set_socket_options([&listening](int socket) {
    int yes = 1;
    setsockopt(socket, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof(yes));
    listening = socket;
  });
  Routes();
  port_ = options_.port == 0 ? http_->bind_to_any_port(options_.host)
                             : (http_->bind_to_port(options_.host, options_.port) ? options_.port : -1);
  // Debian's httplib (0.11) listens with a backlog of 5: a burst of more
  // clients (the load test's 40 uploads at once) saw connections reset.
  // listen() again on the same socket only raises the backlog.
  if (port_ > 0 && listening >= 0) ::listen(listening, SOMAXCONN);
  if (port_ <= 0) {
    throw Error("serve: cannot listen on " + options_.host + ":" + std::to_string(options_.port) +
                " (in use, or not an address of this machine)");
  }
  if (!queue_) {
    for (int i = 0; i < options_.workers; ++i) workers_.emplace_back([this] { WorkerLoop(); });
    return port_;
  }
  // The shared queue: tasks of unfinished jobs that it lacks (a Redis that
  // restarted empty, a server killed between its two writes) are added.
  {
    std::vector<std::string> present = queue_->Queued(), processing = queue_->Processing();
    present.insert(present.end(), processing.begin(), processing.end());
    int added = 0;
    for (const Job& job : store_->List(100000)) {
      if (job.state != JobState::kQueued && job.state != JobState::kRunning) continue;
      for (const Task& task : TasksOf(job)) {
        std::error_code missing;
        if (task.part >= 0 && fs::exists(fs::path(JobFolder(job.id)) / "parts" / (std::to_string(task.part) + ".done"), missing)) continue;
        if (std::find(present.begin(), present.end(), task.ToString()) != present.end()) continue;
        queue_->Push(task.ToString());
        ++added;
      }
    }
    if (added > 0) std::fprintf(stderr, "serve: %d task%s of unfinished jobs added to the queue\n", added, added == 1 ? "" : "s");
  }
  reaper_ = std::thread([this] { ReaperLoop(); });
  // This server's own workers take from the shared queue like any other,
  // through its HTTP API on loopback.
  const std::string self = "http://" + std::string(options_.host.find(':') != std::string::npos ? "[::1]" : "127.0.0.1") +
                           ":" + std::to_string(port_);
  for (int i = 0; i < options_.workers; ++i) {
    QueueWorkerOptions worker;
    worker.queue = options_.queue;
    worker.server = IsLoopbackHost(options_.host) || options_.host == "0.0.0.0" || options_.host == "::"
                        ? self
                        : "http://" + options_.host + ":" + std::to_string(port_);
    worker.token = options_.token;
    worker.work_dir = (fs::path(options_.data_dir) / ("worker-" + std::to_string(i))).string();
    worker.network_threads = options_.network_threads;
    worker.lease_seconds = options_.lease_seconds;
    queue_workers_.push_back(std::make_unique<QueueWorker>(worker, models_));
    workers_.emplace_back([this, i] {
      try {
        queue_workers_[size_t(i)]->Run([this] { return stopping_.load(); });
      } catch (const std::exception& e) {
        std::fprintf(stderr, "serve: worker %d stopped: %s\n", i, e.what());
      }
    });
  }
  return port_;
}

void StudioServer::Serve() {
  if (http_) http_->listen_after_bind();
}

void StudioServer::Stop() {
  if (stopping_.exchange(true)) return;
  if (http_) http_->stop();
  if (store_) store_->NotifyAll();
  for (auto& worker : workers_) worker.join();
  workers_.clear();
  if (reaper_.joinable()) reaper_.join();
}

void StudioServer::ReaperLoop() {
  // Two rounds without a lease send a task back, so a round is half a lease.
  const auto round = std::chrono::duration<double>(options_.lease_seconds / 2);
  auto next = std::chrono::steady_clock::now() + round;
  while (!stopping_) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    if (std::chrono::steady_clock::now() < next) continue;
    next += std::chrono::duration_cast<std::chrono::steady_clock::duration>(round);
    try {
      std::lock_guard lock(queue_mutex_);
      for (const std::string& task : queue_->RequeueExpired()) {
        std::fprintf(stderr, "serve: task %s lost its worker; back in the queue\n", task.c_str());
      }
    } catch (const std::exception& e) {
      std::fprintf(stderr, "serve: %s\n", e.what());
    }
  }
}

void StudioServer::EnqueueTasks(const Job& job) {
  std::lock_guard lock(queue_mutex_);
  for (const Task& task : TasksOf(job)) queue_->Push(task.ToString());
}

void StudioServer::Routes() {
  httplib::Server& http = *http_;
  http.set_default_headers({{"X-Content-Type-Options", "nosniff"},
                            {"Content-Security-Policy", content_security_policy_},
                            {"Referrer-Policy", "no-referrer"},
                            {"X-Frame-Options", "DENY"},
                            {"Cross-Origin-Resource-Policy", "same-origin"}});
  http.set_file_extension_and_mimetype_mapping("js", "text/javascript");
  http.set_file_extension_and_mimetype_mapping("mjs", "text/javascript");
  http.set_file_extension_and_mimetype_mapping("svg", "image/svg+xml");
  http.set_mount_point("/static", (fs::path(options_.web_root) / "static").string());
  // Only three.js's own files: the build and the examples it imports.
  http.set_mount_point("/vendor/three/build", (fs::path(options_.web_root) / "node_modules/three/build").string());
  http.set_mount_point("/vendor/three/examples", (fs::path(options_.web_root) / "node_modules/three/examples").string());

  http.set_pre_routing_handler([this](const httplib::Request& request, httplib::Response& response) {
    const bool api = request.path.rfind("/api/", 0) == 0;
    if (api && !options_.token.empty()) {
      std::string given = request.get_param_value("token");
      const std::string authorization = request.get_header_value("Authorization");
      if (authorization.rfind("Bearer ", 0) == 0) given = authorization.substr(7);
      if (!SameToken(given, options_.token)) {
        SendError(response, 401, "this server needs its token: Authorization: Bearer <token>");
        return httplib::Server::HandlerResponse::Handled;
      }
    }
    if (request.method == "POST" && request.has_header("Content-Length")) {
      const auto length = std::strtoull(request.get_header_value("Content-Length").c_str(), nullptr, 10);
      if (length > uint64_t(options_.max_upload_mb) * 1024 * 1024 + 64 * 1024) {
        SendError(response, 413, "the upload is larger than this server's limit of " +
                                     std::to_string(options_.max_upload_mb) + " MB");
        response.set_header("Connection", "close");
        return httplib::Server::HandlerResponse::Handled;
      }
    }
    return httplib::Server::HandlerResponse::Unhandled;
  });
  // Clients that ask first (curl does for large bodies) hear "too large"
  // before they send the file.
  http.set_expect_100_continue_handler([this](const httplib::Request& request, httplib::Response& response) {
    const auto length = std::strtoull(request.get_header_value("Content-Length").c_str(), nullptr, 10);
    if (length > uint64_t(options_.max_upload_mb) * 1024 * 1024 + 64 * 1024) {
      SendError(response, 413, "the upload is larger than this server's limit of " +
                                   std::to_string(options_.max_upload_mb) + " MB");
      return 413;
    }
    return 100;
  });
  http.set_exception_handler([](const httplib::Request&, httplib::Response& response, std::exception_ptr) {
    SendError(response, 500, "internal error");  // details stay in the server
  });
  http.set_error_handler([](const httplib::Request& request, httplib::Response& response) {
    if (!response.body.empty()) return;
    if (request.path.rfind("/api/", 0) == 0 || response.status != 404) {
      SendError(response, response.status, response.status == 404 ? "not found" : "the request failed (HTTP " + std::to_string(response.status) + ")");
    } else {
      response.set_content("not found", "text/plain");
    }
  });

  auto page = [this](const httplib::Request&, httplib::Response& response) {
    response.set_content(index_html_, "text/html; charset=utf-8");
    response.set_header("Cache-Control", "no-cache");
  };
  http.Get("/", page);
  http.Get("/index.html", page);
  http.Get("/favicon.ico", [](const httplib::Request&, httplib::Response& response) {
    response.status = 301;
    response.set_header("Location", "/static/favicon.svg");
  });

  http.Get("/api/health", [this](const httplib::Request&, httplib::Response& response) {
    SendJson(response, 200, {{"status", "ok"}, {"version", DEPTHFORGE_VERSION}, {"unfinished", store_->CountUnfinished()},
                             {"workers", options_.workers}});
  });
  http.Get("/api/config", [this](const httplib::Request&, httplib::Response& response) {
    json models = json::array();
    for (const ModelSpec& spec : ModelRegistry::Builtin().models()) models.push_back(spec.name);
    json photo_outputs = json::array(), video_outputs = json::array();
    for (const auto& [name, value] : ConvertOutputNames().names) photo_outputs.push_back(name);
    for (const auto& [name, value] : VideoOutputNames().names) video_outputs.push_back(name);
    ParallaxOptions parallax;
    SendJson(response, 200,
             {{"models", models}, {"default_model", ModelRegistry::Builtin().default_model()},
              {"outputs", {{"photo", photo_outputs}, {"video", video_outputs}}},
              {"strength", parallax.strength}, {"convergence", parallax.convergence},
              {"max_upload_mb", options_.max_upload_mb}, {"max_video_seconds", options_.limits.max_video_seconds}});
  });
  http.Post("/api/jobs", [this](const httplib::Request& request, httplib::Response& response,
                                const httplib::ContentReader& reader) {
    // Full queue: refuse before reading the body.
    if (store_->CountUnfinished() >= options_.max_queued) {
      response.set_header("Retry-After", "30");
      SendError(response, 429, "the queue is full (" + std::to_string(options_.max_queued) + " jobs); try again later");
      return;
    }
    auto upload_received = ReceiveUpload(request, reader, response, "photo or video");
    if (!upload_received) return;
    const std::string& upload = upload_received->path;
    const MediaType type = upload_received->type;
    const std::string& file_name = upload_received->file_name;
    auto& fields = upload_received->fields;
    std::error_code error;
    auto discard = [&] { fs::remove(upload, error); };
    Job job;
    job.id = NewJobId();
    job.kind = type.kind;
    job.input_extension = type.extension;
    job.display_name = DisplayStem(file_name);
    // created_at: set by the store as it adds the job.
    try {
      if (fields.count("as") && !fields["as"].empty()) job.request.outputs = fields["as"];
      if (fields.count("model")) job.request.model = fields["model"];
      job.request.strength = NumberField(fields, "strength");
      job.request.convergence = NumberField(fields, "convergence");
      job.request.start = NumberField(fields, "start").value_or(0.0);
      job.request.end = NumberField(fields, "end").value_or(0.0);
      const fs::path folder = JobFolder(job.id);
      fs::create_directories(folder);
      const std::string input = (folder / ("input" + job.input_extension)).string();
      fs::rename(upload, input);
      double seconds = 0;
      try {
        seconds = processor_->CheckJob(job, input, options_.limits);
      } catch (...) {
        fs::remove_all(folder, error);
        throw;
      }
      if (queue_ && job.kind == MediaKind::kVideo && seconds > 1.5 * options_.part_seconds) {
        job.parts = int(std::ceil(seconds / options_.part_seconds));
        job.part_seconds = options_.part_seconds;
      }
      store_->Add(job);
      if (queue_) {
        try {
          EnqueueTasks(job);
        } catch (const Error& e) {
          std::fprintf(stderr, "serve: %s\n", e.what());
          store_->Remove(job.id);
          fs::remove_all(folder, error);
          return SendError(response, 503, "the job queue is not reachable; try again later");
        }
      }
    } catch (const OptionError& e) {
      discard();
      return SendError(response, 400, ForUser(e.what()));
    } catch (const FileError& e) {
      discard();
      return SendError(response, 415, ForUser(e.what()));
    }
    response.set_header("Location", "/api/jobs/" + job.id);
    SendJson(response, 202, {{"id", job.id}, {"url", "/api/jobs/" + job.id}});
  });
  http.Get("/api/jobs", [this](const httplib::Request&, httplib::Response& response) {
    json jobs = json::array();
    for (const Job& job : store_->List(200)) jobs.push_back(JobToJson(job));
    SendJson(response, 200, {{"jobs", jobs}});
  });
  http.Get(std::string("/api/jobs/") + kJobPattern, [this](const httplib::Request& request, httplib::Response& response) {
    auto job = store_->Get(request.matches[1]);
    if (!job) return SendError(response, 404, "no such job");
    SendJson(response, 200, JobToJson(*job));
  });
  http.Delete(std::string("/api/jobs/") + kJobPattern, [this](const httplib::Request& request, httplib::Response& response) {
    const std::string id = request.matches[1];
    auto job = store_->Get(id);
    if (!job) return SendError(response, 404, "no such job");
    if (job->state == JobState::kRunning) {
      std::lock_guard lock(cancel_mutex_);
      cancelled_.push_back(id);  // its worker stops and removes the folder
    }
    store_->Remove(id);
    if (job->state != JobState::kRunning) {
      std::error_code error;
      fs::remove_all(JobFolder(id), error);
    }
    SendJson(response, 200, {{"id", id}, {"deleted", true}});
  });
  http.Get(std::string("/api/jobs/") + kJobPattern + "/events",
           [this](const httplib::Request& request, httplib::Response& response) { JobEvents(request, response); });
  http.Get(std::string("/api/jobs/") + kJobPattern + "/files/([A-Za-z0-9_.-]+)",
           [this](const httplib::Request& request, httplib::Response& response) { ServeOutput(request, response); });
  WorkerRoutes();
  LabelRoutes();
}

std::optional<StudioServer::Upload> StudioServer::ReceiveUpload(const httplib::Request& request,
                                                                const httplib::ContentReader& reader,
                                                                httplib::Response& response, const std::string& what) {
  if (!request.is_multipart_form_data()) {
    SendError(response, 400, "send the file as multipart/form-data, in a field named 'file'");
    return std::nullopt;
  }
  // The upload streams to a file under a generated name; small fields to memory.
  Upload upload;
  upload.path = (fs::path(options_.data_dir) / "uploads" / NewJobId()).string();
  std::ofstream out(upload.path, std::ios::binary);
  std::string field, head;
  bool has_file = false, too_large = false;
  int64_t received = 0;
  const int64_t limit = int64_t(options_.max_upload_mb) * 1024 * 1024;
  const bool read = reader(
      [&](const httplib::MultipartFormData& part) {
        field = part.name;
        if (field == "file") {
          if (has_file) return false;  // one file per request
          has_file = true;
          upload.file_name = part.filename;
        }
        return true;
      },
      [&](const char* data, size_t size) {
        if (field == "file") {
          received += int64_t(size);
          if (received > limit) {
            too_large = true;
            return false;
          }
          if (head.size() < 512) head.append(data, std::min(size, 512 - head.size()));
          out.write(data, std::streamsize(size));
          return bool(out);
        }
        std::string& value = upload.fields[field];
        if (value.size() + size > 4096) return false;
        value.append(data, size);
        return true;
      });
  out.close();
  std::error_code error;
  if (too_large) {
    fs::remove(upload.path, error);
    response.set_header("Connection", "close");
    SendError(response, 413, "the upload is larger than this server's limit of " + std::to_string(options_.max_upload_mb) + " MB");
    return std::nullopt;
  }
  if (!read || !has_file) {
    fs::remove(upload.path, error);
    SendError(response, 400, has_file ? "the upload was incomplete or malformed"
                                      : "no file: send the " + what + " in a field named 'file'");
    return std::nullopt;
  }
  upload.type = SniffMediaType(head);
  if (upload.type.kind == MediaKind::kUnknown) {
    fs::remove(upload.path, error);
    SendError(response, 415, (upload.file_name.empty() ? std::string("the upload") : DisplayStem(upload.file_name)) +
                                 " is not a photo or video this server reads (JPEG, PNG, BMP, WebP, TIFF; "
                                 "MP4, MOV, MKV, WebM, AVI)");
    return std::nullopt;
  }
  return upload;
}

void StudioServer::JobEvents(const httplib::Request& request, httplib::Response& response) {
  const std::string id = request.matches[1];
  if (!store_->Get(id)) return SendError(response, 404, "no such job");
  response.set_header("Cache-Control", "no-cache");
  response.set_chunked_content_provider("text/event-stream", [this, id, seen = uint64_t(-1), last = std::string()](
                                                                 size_t, httplib::DataSink& sink) mutable {
    // One event per change of the job; the stream ends when the job does.
    const uint64_t now = seen == uint64_t(-1) ? store_->version() : store_->WaitForChange(seen, 15);
    seen = now;
    if (stopping_) {
      sink.done();
      return true;
    }
    auto job = store_->Get(id);
    if (!job) {
      const std::string gone = "event: deleted\ndata: {}\n\n";
      sink.write(gone.data(), gone.size());
      sink.done();
      return true;
    }
    std::string data = JobToJson(*job).dump();
    if (data != last) {
      const std::string event = "event: job\ndata: " + data + "\n\n";
      if (!sink.write(event.data(), event.size())) return false;
      last = data;
    } else {
      const std::string keep_alive = ": still " + JobStateNames().Name(job->state) + "\n\n";
      if (!sink.write(keep_alive.data(), keep_alive.size())) return false;
    }
    if (job->state == JobState::kDone || job->state == JobState::kFailed) sink.done();
    return true;
  });
}

void StudioServer::ServeOutput(const httplib::Request& request, httplib::Response& response) {
  const std::string id = request.matches[1];
  const std::string name = request.matches[2];
  auto job = store_->Get(id);
  if (!job) return SendError(response, 404, "no such job");
  // Only the files the job lists: no other name reaches the file system.
  auto output = std::find_if(job->outputs.begin(), job->outputs.end(), [&](const JobOutput& o) { return o.name == name; });
  if (output == job->outputs.end()) return SendError(response, 404, "this job has no output named " + name);
  const std::string path = (fs::path(JobFolder(id)) / "out" / name).string();
  std::error_code error;
  const auto size = fs::file_size(path, error);
  if (error) return SendError(response, 404, "the output " + name + " is gone");
  response.set_header("Cache-Control", "private, max-age=3600");
  const std::string disposition = request.has_param("download") ? "attachment" : "inline";
  response.set_header("Content-Disposition", disposition + "; filename=\"" + DownloadName(*job, name) + "\"");
  SendFile(response, path, size, ContentTypeForExtension(fs::path(name).extension().string()));
}

void StudioServer::WorkerLoop() {
  uint64_t seen = 0;
  while (!stopping_) {
    std::optional<Job> job;
    try {
      job = store_->ClaimNext();
    } catch (const std::exception& e) {
      std::fprintf(stderr, "serve: job database: %s\n", e.what());
    }
    if (!job) {
      seen = store_->WaitForChange(seen, 1.0);
      continue;
    }
    RunJob(*job);
  }
}

void StudioServer::RunJob(const Job& job) {
  const fs::path folder = JobFolder(job.id);
  const std::string input = (folder / ("input" + job.input_extension)).string();
  const auto started = std::chrono::steady_clock::now();
  bool timed_out = false;
  auto last_report = started;
  double last_progress = -1;
  auto progress = [&](double fraction) {
    const auto now = std::chrono::steady_clock::now();
    if (fraction - last_progress >= 0.01 && now - last_report >= std::chrono::milliseconds(200)) {
      store_->SetProgress(job.id, fraction);
      last_progress = fraction;
      last_report = now;
    }
  };
  auto stop = [&] {
    if (std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count() > options_.job_time_limit) {
      timed_out = true;
    }
    return timed_out || stopping_ || IsCancelled(job.id);
  };
  try {
    std::vector<JobOutput> outputs = processor_->Run(job, input, (folder / "out").string(), progress, stop);
    if (!IsCancelled(job.id)) store_->Finish(job.id, outputs);
  } catch (const Interrupted&) {
    if (timed_out) {
      char limit[32];
      std::snprintf(limit, sizeof limit, "%g", options_.job_time_limit);
      store_->Fail(job.id, std::string("the job ran longer than this server's limit of ") + limit + " s");
    } else if (!IsCancelled(job.id)) {
      store_->Requeue(job.id);  // the server is stopping: the next start continues it
    }
  } catch (const Error& e) {
    store_->Fail(job.id, ForUser(e.what()));
  } catch (const std::exception& e) {
    std::fprintf(stderr, "serve: job %s: %s\n", job.id.c_str(), e.what());
    store_->Fail(job.id, "internal error while converting " + job.display_name + job.input_extension);
  }
  if (IsCancelled(job.id)) {
    std::error_code error;
    fs::remove_all(folder, error);
    std::lock_guard lock(cancel_mutex_);
    cancelled_.erase(std::remove(cancelled_.begin(), cancelled_.end(), job.id), cancelled_.end());
  }
}

}  // namespace depthforge
