// depthforge serve [--host H] [--port P] [--data DIR] [--workers N] [--token T] ...
#include <chrono>
#include <cstdio>
#include <thread>

#include "apps/commands.h"
#include "depthforge/core/error.h"
#include "depthforge/studio/queue_worker.h"
#include "depthforge/studio/studio_server.h"
#include "depthforge/util/interrupt.h"

namespace depthforge::cli {

void AddServeCommand(CLI::App& app) {
  CLI::App* command = app.add_subcommand("serve", "Web studio: photos and videos to depth and 3D in the browser");
  // The flags write straight into the options; the defaults live there.
  auto options = std::make_shared<StudioOptions>();
  StudioOptions& o = *options;
  command->add_option("--host", o.host, "Address to listen on (another than loopback needs --token)")
      ->capture_default_str();
  command->add_option("--port", o.port, "Port (0: any free port, printed at start)")->capture_default_str();
  command->add_option("--data", o.data_dir, "Folder for the job database, uploads and outputs")->capture_default_str();
  command->add_option("--workers", o.workers, "Jobs converted at once (0: only accept and queue them)")->capture_default_str();
  command->add_option("--max-upload-mb", o.max_upload_mb, "Largest upload in MB (larger: 413)")->capture_default_str();
  command->add_option("--token", o.token, "Secret every API call must carry (Authorization: Bearer TOKEN)");
  command->add_option("--max-queued", o.max_queued, "Unfinished jobs accepted (more: 429 with Retry-After)")
      ->capture_default_str();
  command->add_option("--job-time-limit", o.job_time_limit, "Seconds a job may run before it fails")
      ->capture_default_str();
  command->add_option("--max-pixels", o.limits.max_pixels, "Largest photo or video frame, in pixels")
      ->capture_default_str();
  command->add_option("--max-video-seconds", o.limits.max_video_seconds, "Longest video converted, in seconds")
      ->capture_default_str();
  command->add_option("--web", o.web_root, "Folder of the page (static/ and node_modules/three); default: the source tree's web/");
  command->add_option("--threads", o.network_threads, "Network threads for a photo (0: every core)")
      ->capture_default_str();
  command->add_option("--queue", o.queue,
                      "Shared job queue for `depthforge worker` processes: redis://host:port[/db] (default: this "
                      "server's own SQLite queue)");
  command->add_option("--part-seconds", o.part_seconds,
                      "With --queue: videos longer than 1.5 parts are converted in parts of this length at once")
      ->capture_default_str();
  command->add_option("--lease-seconds", o.lease_seconds,
                      "With --queue: a task whose worker stops renewing it goes to another after about twice this")
      ->capture_default_str();
  command->callback([options] {
    StudioServer server(*options, ModelStoreOptions::FromEnvironment());
    const int port = server.Start();
    std::printf("depthforge studio: http://%s:%d/ (data in %s; Ctrl-C stops)\n",
                options->host.find(':') != std::string::npos ? ("[" + options->host + "]").c_str() : options->host.c_str(),
                port, options->data_dir.c_str());
    std::fflush(stdout);
    InstallInterruptHandler();
    std::atomic<bool> served{false};
    // Ctrl-C: stop taking requests; a job in progress goes back to the
    // queue and continues at the next start.
    std::thread watcher([&] {
      while (!served && !InterruptRequested()) std::this_thread::sleep_for(std::chrono::milliseconds(100));
      server.Stop();
    });
    server.Serve();
    served = true;
    watcher.join();
    std::printf("depthforge studio: stopped\n");
  });
}

}  // namespace depthforge::cli

namespace depthforge::cli {

void AddWorkerCommand(CLI::App& app) {
  CLI::App* command =
      app.add_subcommand("worker", "Take studio jobs from a shared queue (depthforge serve --queue) and convert them");
  auto options = std::make_shared<QueueWorkerOptions>();
  QueueWorkerOptions& o = *options;
  command->add_option("--queue", o.queue, "The studio's shared queue: redis://host:port[/db]")->required();
  command->add_option("--server", o.server, "The studio that owns the jobs: http://host:port")->required();
  command->add_option("--token", o.token, "The studio's --token, if it has one");
  command->add_option("--work", o.work_dir, "Folder for inputs and outputs while a task runs")->capture_default_str();
  command->add_option("--threads", o.network_threads, "Network threads (0: every core)")->capture_default_str();
  command->add_option("--lease-seconds", o.lease_seconds, "As the studio's --lease-seconds")->capture_default_str();
  command->add_option("--name", o.name, "This worker's name in the queue (default: host:pid)");
  command->callback([options] {
    QueueWorker worker(*options, ModelStoreOptions::FromEnvironment());
    std::printf("depthforge worker: taking tasks from %s for %s (Ctrl-C stops)\n", options->queue.c_str(),
                options->server.c_str());
    std::fflush(stdout);
    InstallInterruptHandler();
    // Ctrl-C: the task in progress goes back to the queue at once.
    worker.Run([] { return InterruptRequested(); });
    std::printf("depthforge worker: stopped after %d task%s\n", worker.tasks_done(), worker.tasks_done() == 1 ? "" : "s");
  });
}

}  // namespace depthforge::cli
