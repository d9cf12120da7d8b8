// The studio under its users' load, on this machine:
//   build/bench/studio_load MIRROR [CLIENTS] [JOBS_EACH]
// 1. One 640x480 photo job (depth, hsbs, glb) at a time: seconds from the
//    start of the upload to the job's end as the page sees it (its event
//    stream), median of 9; beside it, in the same run, the same work by
//    `depthforge convert` from the shell (the peer: the CLI's wall time).
// 2. CLIENTS clients posting JOBS_EACH such jobs at once (default 10 x 4):
//    every job's time from upload to done (p50, p90, max), jobs per second,
//    errors, and the server's peak resident memory.
// The server is `depthforge serve` in its own process, two workers.
#include <httplib.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <mutex>
#include <thread>

#include <nlohmann/json.hpp>

#include "depthforge/testing/child_process.h"
#include "depthforge/util/atomic_file.h"

namespace fs = std::filesystem;
using nlohmann::json;
using Clock = std::chrono::steady_clock;

namespace {

double Seconds(Clock::time_point since) { return std::chrono::duration<double>(Clock::now() - since).count(); }

double Percentile(std::vector<double> values, double p) {
  std::sort(values.begin(), values.end());
  return values[std::min(values.size() - 1, size_t(p * double(values.size() - 1) + 0.5))];
}

// Posts a job and follows its event stream to the end; returns the seconds
// from the upload's start, or -1 when it did not finish.
double RunJob(httplib::Client& client, const std::string& photo) {
  const auto start = Clock::now();
  auto posted = client.Post("/api/jobs", httplib::MultipartFormDataItems{{"file", photo, "room.jpg", "image/jpeg"},
                                                                          {"as", "depth,hsbs,glb", "", ""}});
  if (!posted || posted->status != 202) {
    std::fprintf(stderr, "studio_load: upload refused: %s\n",
                 posted ? (std::to_string(posted->status) + " " + posted->body).c_str() : httplib::to_string(posted.error()).c_str());
    return -1;
  }
  const std::string id = json::parse(posted->body)["id"];
  std::string stream;
  client.Get(("/api/jobs/" + id + "/events").c_str(), [&](const char* data, size_t size) {
    stream.append(data, size);
    return true;
  });
  if (stream.find("\"state\":\"done\"") != std::string::npos) return Seconds(start);
  std::fprintf(stderr, "studio_load: job %s did not finish: %s\n", id.c_str(), stream.substr(stream.rfind("data: ") == std::string::npos ? 0 : stream.rfind("data: ")).c_str());
  return -1;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: studio_load MIRROR [CLIENTS] [JOBS_EACH]\n");
    return 2;
  }
  const std::string mirror = argv[1];
  const int clients = argc > 2 ? std::atoi(argv[2]) : 10;
  const int jobs_each = argc > 3 ? std::atoi(argv[3]) : 4;
  const std::string photo_path = mirror + "/data/rgbd/color/00000.jpg";  // 640x480
  const std::string photo = depthforge::ReadFileBytes(photo_path);
  const std::string cli = DEPTHFORGE_CLI_PATH;
  const fs::path scratch = fs::temp_directory_path() / "depthforge-studio-load";
  fs::remove_all(scratch);
  setenv("DEPTHFORGE_MIRROR", mirror.c_str(), 1);

  depthforge::testing::ChildProcess server(
      {cli, "serve", "--port", "0", "--data", (scratch / "data").string(), "--workers", "2", "--max-queued", "1000"});
  const int port = depthforge::testing::WaitForStudioPort(server);
  if (port == 0) {
    std::fprintf(stderr, "studio_load: the server did not start\n");
    return 1;
  }
  std::printf("studio_load: %s, %d cores\n", photo_path.c_str(), int(std::thread::hardware_concurrency()));

  // 1. One job at a time, and the CLI doing the same work.
  std::vector<double> studio, shell;
  httplib::Client client("127.0.0.1", port);
  client.set_read_timeout(300);
  RunJob(client, photo);  // warm-up
  for (int i = 0; i < 9; ++i) {
    studio.push_back(RunJob(client, photo));
    const auto start = Clock::now();
    const std::string command = cli + " convert " + photo_path + " --as depth,hsbs,glb -q -o " +
                                (scratch / ("cli" + std::to_string(i))).string() + " > /dev/null 2>&1";
    if (std::system(command.c_str()) != 0) std::fprintf(stderr, "studio_load: the CLI failed\n");
    shell.push_back(Seconds(start));
  }
  std::printf("one photo job (depth,hsbs,glb), median of 9: studio %.3f s upload to done; CLI convert %.3f s; "
              "ratio %.2f\n",
              Percentile(studio, 0.5), Percentile(shell, 0.5), Percentile(studio, 0.5) / Percentile(shell, 0.5));

  // 2. Many clients at once.
  std::mutex mutex;
  std::vector<double> latencies;
  std::atomic<int> failures{0};
  const auto start = Clock::now();
  std::vector<std::thread> threads;
  for (int c = 0; c < clients; ++c) {
    threads.emplace_back([&] {
      httplib::Client own("127.0.0.1", port);
      own.set_read_timeout(600);
      // Every job of this client posted at once, then followed.
      std::vector<std::thread> jobs;
      for (int j = 0; j < jobs_each; ++j) {
        jobs.emplace_back([&] {
          httplib::Client one("127.0.0.1", port);
          one.set_read_timeout(600);
          const double seconds = RunJob(one, photo);
          std::lock_guard lock(mutex);
          if (seconds < 0) ++failures;
          else latencies.push_back(seconds);
        });
      }
      for (auto& job : jobs) job.join();
    });
  }
  for (auto& thread : threads) thread.join();
  const double wall = Seconds(start);
  const int total = clients * jobs_each;
  std::printf("%d clients x %d jobs at once: %d done, %d failed, %.1f s, %.2f jobs/s; upload to done p50 %.2f s, "
              "p90 %.2f s, max %.2f s; server peak RSS %.0f MB\n",
              clients, jobs_each, int(latencies.size()), failures.load(), wall, total / wall,
              latencies.empty() ? 0 : Percentile(latencies, 0.5), latencies.empty() ? 0 : Percentile(latencies, 0.9),
              latencies.empty() ? 0 : Percentile(latencies, 1.0), server.PeakResidentBytes() / 1048576.0);
  fs::remove_all(scratch);
  return failures == 0 ? 0 : 1;
}
