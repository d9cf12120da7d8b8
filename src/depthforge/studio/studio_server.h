// The web studio: `depthforge serve`. An HTTP server (cpp-httplib) with a
// JSON API for photo and video jobs, the page that uses it, and worker
// threads that run the jobs from a durable SQLite queue under the data
// folder. docs/API.md describes every route.
//
// Safe by default: it listens on loopback; another address needs a token
// that every API call then carries. Uploads are limited in size, sniffed
// for what they really are, and stored under generated names; the queue is
// bounded; a job has a time limit; errors never carry paths.
#pragma once

#include <atomic>
#include <map>
#include <mutex>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "depthforge/models/model_store.h"
#include "depthforge/studio/job_processor.h"
#include "depthforge/studio/job_store.h"
#include "depthforge/studio/label_store.h"
#include "depthforge/io/media_type.h"

namespace httplib {
class Server;
class Request;
class Response;
class ContentReader;
}  // namespace httplib

namespace depthforge {

struct StudioOptions {
  std::string host = "127.0.0.1";  // loopback: only this machine can connect
  int port = 8080;                 // 0 = any free port (Start() returns it)
  std::string data_dir = "studio-data";  // jobs database, uploads and outputs
  int workers = 2;         // jobs converted at once; 0: only accept and queue them
  int max_upload_mb = 200;
  std::string token;       // required for a non-loopback host; API calls carry it as "Authorization: Bearer"
  int max_queued = 64;     // unfinished jobs; more get 429 with Retry-After
  double job_time_limit = 1800;  // seconds a job may run before it fails
  UploadLimits limits;
  std::string web_root;    // the page's files (static/ and node_modules/three); "" = the source tree's web/
  int network_threads = 0; // per photo network run; 0 = every core
  // "" = this server's workers take jobs from its SQLite queue. A Redis
  // address (redis://host:port[/db]) = a shared queue that `depthforge
  // worker` processes on any machine take from (this server's --workers
  // too); their tasks come back here with the outputs.
  std::string queue;
  // With a shared queue: videos longer than 1.5 parts are cut into parts of
  // this many seconds, converted by several workers at once and joined.
  double part_seconds = 60;
  double lease_seconds = 10;  // of the shared queue's tasks (QueueWorkerOptions)
  void Check() const;
};

bool IsLoopbackHost(const std::string& host);

class QueueWorker;
class RedisQueue;

class StudioServer {
 public:
  StudioServer(StudioOptions options, ModelStoreOptions models);
  ~StudioServer();
  StudioServer(const StudioServer&) = delete;
  StudioServer& operator=(const StudioServer&) = delete;

  // Opens the database (requeueing jobs a dead server left), binds the port
  // and starts the workers. Returns the port. Throws Error.
  int Start();
  // Serves until Stop() (from another thread or a signal watcher).
  void Serve();
  // Stops accepting requests and the workers; a job in progress goes back
  // to the queue (a video keeps its finished segments).
  void Stop();
  int port() const { return port_; }

 private:
  void Routes();
  void WorkerLoop();
  void RunJob(const Job& job);
  // A multipart upload streamed to a file under uploads/ (generated name),
  // its other fields, and its sniffed type; or nothing, with the refusal
  // (400, 413, 415) already answered.
  struct Upload {
    std::string path, file_name;
    std::map<std::string, std::string> fields;
    MediaType type;
  };
  std::optional<Upload> ReceiveUpload(const httplib::Request& request, const httplib::ContentReader& reader,
                                      httplib::Response& response, const std::string& what);
  void LabelRoutes();
  void ServeOutput(const httplib::Request& request, httplib::Response& response);
  void JobEvents(const httplib::Request& request, httplib::Response& response);
  void WorkerRoutes();
  void EnqueueTasks(const Job& job);
  void ReaperLoop();
  // The running job a worker's task belongs to; otherwise 410 is answered
  // (deleted, finished, or failed: the worker drops the task).
  std::optional<Job> RunningJob(const Task& task, httplib::Response& response);
  // A part's fraction done; the job's progress is the mean over its parts.
  // part_mutex_ must be held.
  void SetPartProgress(const Job& job, int part, double fraction);
  void FinishTask(const Task& task, const Job& job, const std::vector<std::string>& files, httplib::Response& response);
  std::string JobFolder(const std::string& id) const;
  std::string ForUser(const std::string& message) const;  // strips server paths

  StudioOptions options_;
  ModelStoreOptions models_;
  std::unique_ptr<JobStore> store_;
  std::unique_ptr<LabelStore> labels_;
  std::unique_ptr<JobProcessor> processor_;
  std::unique_ptr<httplib::Server> http_;
  std::vector<std::thread> workers_;
  // The shared queue (one connection, guarded: request threads push).
  std::mutex queue_mutex_;
  std::unique_ptr<RedisQueue> queue_;
  std::thread reaper_;
  std::vector<std::unique_ptr<QueueWorker>> queue_workers_;
  std::mutex part_mutex_;  // progress of the parts of running jobs, and their joining
  std::map<std::string, std::map<int, double>> part_progress_;
  std::atomic<bool> stopping_{false};
  std::string index_html_, label_html_, content_security_policy_;
  int port_ = 0;
  // Jobs deleted while a worker runs them: the worker stops and removes them.
  std::mutex cancel_mutex_;
  std::vector<std::string> cancelled_;
  bool IsCancelled(const std::string& id);
};

}  // namespace depthforge
