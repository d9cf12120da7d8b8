#include "depthforge/studio/queue_worker.h"

#include <httplib.h>
#include <unistd.h>

#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <fstream>
#include <thread>

#include <nlohmann/json.hpp>

#include "depthforge/core/error.h"
#include "depthforge/studio/job_processor.h"
#include "depthforge/studio/redis_queue.h"
#include "depthforge/util/atomic_file.h"

namespace depthforge {
namespace fs = std::filesystem;
using nlohmann::json;

namespace {

std::string DefaultWorkerName() {
  char host[256] = "worker";
  gethostname(host, sizeof(host) - 1);
  return std::string(host) + ":" + std::to_string(getpid());
}

std::unique_ptr<httplib::Client> Connect(const QueueWorkerOptions& options) {
  auto client = std::make_unique<httplib::Client>(options.server);
  if (!client->is_valid()) throw OptionError("--server '" + options.server + "' is not an address like http://host:8080");
  if (!options.token.empty()) client->set_bearer_token_auth(options.token.c_str());
  client->set_connection_timeout(10);
  client->set_read_timeout(300);
  client->set_write_timeout(300);
  return client;
}

// The server could not be reached or refused: the task goes back to the
// queue for later, rather than failing the job.
class ServerError : public Error {
 public:
  using Error::Error;
};

// The server's answer, or a ServerError naming the server and what failed.
httplib::Response Expect(const httplib::Result& result, const std::string& server, const std::string& what) {
  if (!result) throw ServerError("server " + server + ": " + what + ": " + httplib::to_string(result.error()));
  if (result->status >= 400 && result->status != 410) {
    std::string reason = result->body;
    try {
      reason = json::parse(result->body).value("error", reason);
    } catch (const std::exception&) {
    }
    throw ServerError("server " + server + ": " + what + ": " + std::to_string(result->status) + " " + reason);
  }
  return *result;
}

}  // namespace

void QueueWorkerOptions::Check() const {
  RedisAddress::Parse(queue);
  if (server.rfind("http://", 0) != 0) throw OptionError("--server must be the studio's address, like http://host:8080");
  if (work_dir.empty()) throw OptionError("--work is empty");
  if (!(lease_seconds >= 1)) throw OptionError("--lease-seconds must be at least 1");
  if (network_threads < 0) throw OptionError("--threads must be 0 (every core) or more");
}

QueueWorker::QueueWorker(QueueWorkerOptions options, ModelStoreOptions models) : options_(std::move(options)) {
  options_.Check();
  if (options_.name.empty()) options_.name = DefaultWorkerName();
  processor_ = std::make_unique<JobProcessor>(std::move(models), options_.network_threads);
  processor_->Preload();
}

QueueWorker::~QueueWorker() = default;

void QueueWorker::Run(const std::function<bool()>& stop) {
  RedisQueue queue(options_.queue);
  std::error_code error;
  fs::create_directories(options_.work_dir, error);
  if (error) throw FileError(options_.work_dir, "cannot create the work folder: " + error.message());
  while (!stop()) {
    std::optional<std::string> taken;
    try {
      taken = queue.Take(options_.name, 1.0, options_.lease_seconds);
    } catch (const Error& e) {
      std::fprintf(stderr, "worker: %s (trying again)\n", e.what());
      std::this_thread::sleep_for(std::chrono::seconds(1));
      continue;
    }
    if (!taken) continue;
    auto task = Task::Parse(*taken);
    if (!task) {
      queue.Done(*taken);  // not ours to understand: out of the way
      continue;
    }
    RunTask(queue, *task, stop);
  }
  fs::remove_all(options_.work_dir, error);
}

void QueueWorker::RunTask(RedisQueue& queue, const Task& task, const std::function<bool()>& stop) {
  const std::string name = task.ToString();
  const std::string base = "/api/worker/tasks/" + name;
  auto client = Connect(options_);
  httplib::Response claim;
  try {
    claim = Expect(client->Post((base + "/claim").c_str()), options_.server, "claiming " + name);
  } catch (const Error& e) {
    std::fprintf(stderr, "worker: %s (the task goes back to the queue)\n", e.what());
    queue.Release(name);
    std::this_thread::sleep_for(std::chrono::seconds(1));
    return;
  }
  if (claim.status == 410) {  // deleted, or already done by another worker
    queue.Done(name);
    return;
  }
  const Job job = JobFromWorkerJson(json::parse(claim.body));
  const fs::path folder = fs::path(options_.work_dir) / job.id;
  const std::string input = (folder / ("input" + job.input_extension)).string();
  const fs::path results = folder / (task.part < 0 ? std::string("out") : "part" + std::to_string(task.part));

  // Lease and progress, from their own thread and connections: the
  // conversion itself does not stop for them.
  std::mutex mutex;
  std::condition_variable wake;
  bool finished = false;
  std::atomic<bool> lost{false};
  std::atomic<double> progress{0};
  std::thread heartbeat([&] {
    try {
      RedisQueue lease(options_.queue);
      auto reporter = Connect(options_);
      std::unique_lock lock(mutex);
      while (!wake.wait_for(lock, std::chrono::duration<double>(options_.lease_seconds / 3), [&] { return finished; })) {
        lock.unlock();
        if (!lease.Renew(name, options_.name, options_.lease_seconds)) lost = true;
        auto answer = reporter->Post((base + "/progress").c_str(), json({{"progress", progress.load()}}).dump(),
                                     "application/json");
        if (answer && answer->status == 410) lost = true;  // the job was deleted
        lock.lock();
      }
    } catch (const std::exception& e) {
      std::fprintf(stderr, "worker: lease of %s: %s\n", name.c_str(), e.what());
    }
  });
  auto stop_heartbeat = [&] {
    {
      std::lock_guard lock(mutex);
      finished = true;
    }
    wake.notify_all();
    if (heartbeat.joinable()) heartbeat.join();
  };
  auto should_stop = [&] { return lost || stop(); };
  std::error_code error;
  try {
    if (!fs::exists(input)) {
      fs::create_directories(folder);
      WriteAtomically(input, [&](const std::string& temporary) {
        std::ofstream out(temporary, std::ios::binary);
        Expect(client->Get(("/api/worker/jobs/" + job.id + "/input").c_str(),
                           [&](const char* data, size_t size) { return bool(out.write(data, std::streamsize(size))); }),
               options_.server, "fetching the input of " + name);
        if (!out.flush()) throw FileError(temporary, "cannot write the input");
      });
    }
    fs::remove_all(results, error);
    auto report = [&](double fraction) { progress = fraction; };
    if (task.part < 0) {
      processor_->Run(job, input, results.string(), report, should_stop);
    } else {
      processor_->RunPart(job, task.part, input, results.string(), report, should_stop);
    }
    // Every file the run left, outputs or segments; nothing hidden.
    json files = json::array();
    for (const auto& entry : fs::directory_iterator(results)) {
      const std::string file = entry.path().filename().string();
      if (!entry.is_regular_file() || file.front() == '.') continue;
      const auto size = entry.file_size();
      auto stream = std::make_shared<std::ifstream>(entry.path(), std::ios::binary);
      Expect(client->Put((base + "/files/" + file).c_str(), size_t(size),
                         [stream](size_t offset, size_t length, httplib::DataSink& sink) {
                           std::vector<char> buffer(std::min<size_t>(length, 1 << 20));
                           stream->seekg(std::streamoff(offset));
                           if (!stream->read(buffer.data(), std::streamsize(buffer.size()))) return false;
                           return sink.write(buffer.data(), buffer.size());
                         },
                         "application/octet-stream"),
             options_.server, "sending " + file + " of " + name);
      files.push_back(file);
    }
    stop_heartbeat();
    Expect(client->Post((base + "/done").c_str(), json({{"files", files}}).dump(), "application/json"),
           options_.server, "reporting " + name);
    queue.Done(name);
    ++tasks_done_;
  } catch (const Interrupted&) {
    stop_heartbeat();
    if (lost) queue.Done(name);   // deleted, or given to another worker
    else queue.Release(name);     // stopping: another worker takes it now
  } catch (const ServerError& e) {
    stop_heartbeat();
    std::fprintf(stderr, "worker: %s (the task goes back to the queue)\n", e.what());
    queue.Release(name);
  } catch (const Error& e) {
    stop_heartbeat();
    // The message names the upload as the user knows it, not this worker's files.
    std::string message = e.what();
    for (const std::string& path : {input, fs::absolute(options_.work_dir).string(), options_.work_dir}) {
      const std::string replacement = path == input ? job.display_name + job.input_extension : "";
      for (size_t at; !path.empty() && (at = message.find(path)) != std::string::npos;) message.replace(at, path.size(), replacement);
    }
    auto answer = client->Post((base + "/failed").c_str(), json({{"error", message}}).dump(), "application/json");
    if (!answer) std::fprintf(stderr, "worker: %s failed and the server cannot be told: %s\n", name.c_str(), e.what());
    queue.Done(name);
  }
  fs::remove_all(results, error);
  if (task.part < 0) fs::remove_all(folder, error);  // parts keep the input for the job's other parts
}

}  // namespace depthforge
