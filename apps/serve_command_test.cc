// `depthforge serve` as its users run it: its own process on a free
// loopback port, killed and restarted, loaded by many clients at once.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <httplib.h>
#include <signal.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <thread>

#include <nlohmann/json.hpp>

#include "depthforge/testing/child_process.h"
#include "depthforge/testing/test_clips.h"
#include "depthforge/testing/test_util.h"
#include "depthforge/util/atomic_file.h"

namespace depthforge {
namespace {
namespace fs = std::filesystem;
using nlohmann::json;
using ::testing::HasSubstr;

std::vector<std::string> ServeArguments(const std::string& data, int workers) {
  return {DEPTHFORGE_CLI_PATH, "serve", "--port", "0", "--data", data, "--workers", std::to_string(workers)};
}

httplib::MultipartFormDataItems Upload(const std::string& bytes, const std::string& name, const std::string& as) {
  return {{"file", bytes, name, "application/octet-stream"}, {"as", as, "", ""}};
}

json Jobs(httplib::Client& client) {
  auto result = client.Get("/api/jobs");
  return result && result->status == 200 ? json::parse(result->body)["jobs"] : json::array();
}

// Waits until no job is queued or running; returns the jobs.
json WaitUntilAllEnded(httplib::Client& client, double seconds) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::duration<double>(seconds);
  json jobs;
  while (std::chrono::steady_clock::now() < deadline) {
    jobs = Jobs(client);
    if (std::none_of(jobs.begin(), jobs.end(), [](const json& job) {
          return job["state"] == "queued" || job["state"] == "running";
        })) {
      return jobs;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  return jobs;
}

TEST(Serve, KilledWithJobsQueuedAndRunningFinishesThemAfterARestart) {
  DEPTHFORGE_REQUIRE_MIRROR_FILE(photo_path, "data/photos/fruits.jpg");
  DEPTHFORGE_REQUIRE_MIRROR_FILE(video_path, "data/video/vtest.avi");  // 768x576, 10 fps
  if (!testing::StudioPageInstalled()) GTEST_SKIP() << "needs web/node_modules (npm ci in web/)";
  testing::TempDir dir;
  const std::string photo = ReadFileBytes(photo_path);
  std::string video_id;
  {
    testing::ChildProcess server(ServeArguments(dir.File("data"), 1));
    const int port = testing::WaitForStudioPort(server);
    ASSERT_GT(port, 0);
    httplib::Client client("127.0.0.1", port);
    httplib::MultipartFormDataItems first_30_seconds = Upload(ReadFileBytes(video_path), "vtest.avi", "hsbs");
    first_30_seconds.push_back({"end", "30", "", ""});
    auto video = client.Post("/api/jobs", first_30_seconds);
    ASSERT_EQ(video->status, 202) << video->body;
    video_id = json::parse(video->body)["id"];
    for (int i = 0; i < 4; ++i) ASSERT_EQ(client.Post("/api/jobs", Upload(photo, "fruits.jpg", "depth,hsbs,glb"))->status, 202);
    // Kill it once the video is well under way: one job running, four queued.
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(120);
    while (std::chrono::steady_clock::now() < deadline) {
      auto job = json::parse(client.Get(("/api/jobs/" + video_id).c_str())->body);
      if (job["progress"].get<double>() > 0.5) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    json before = Jobs(client);
    const int unfinished = int(std::count_if(before.begin(), before.end(), [](const json& job) {
      return job["state"] == "queued" || job["state"] == "running";
    }));
    EXPECT_EQ(unfinished, 5) << before.dump();
    server.Signal(SIGKILL);
    EXPECT_EQ(server.Wait(), 128 + SIGKILL);
  }
  // The video's finished segments are kept for the restart.
  ASSERT_TRUE(fs::exists(dir.File("data/jobs/" + video_id + "/out/.video.depthforge-work/000000.state")));

  testing::ChildProcess server(ServeArguments(dir.File("data"), 2));
  const int port = testing::WaitForStudioPort(server);
  ASSERT_GT(port, 0);
  httplib::Client client("127.0.0.1", port);
  json jobs = WaitUntilAllEnded(client, 300);
  ASSERT_EQ(jobs.size(), 5u);
  for (const json& job : jobs) {
    EXPECT_EQ(job["state"], "done") << job.dump();
    EXPECT_FALSE(job["outputs"].empty());
  }
  auto video = json::parse(client.Get(("/api/jobs/" + video_id).c_str())->body);
  EXPECT_EQ(video["attempts"], 2);
  // The whole video, every frame: the part done before the kill and the rest.
  const std::string output = dir.File("data/jobs/" + video_id + "/out/" + video["outputs"][0]["name"].get<std::string>());
  testing::VideoInfo info = testing::ProbeVideo(output);
  EXPECT_EQ(info.frames, 300);
  EXPECT_EQ(info.size, cv::Size(768, 576));
}

TEST(Serve, ManyClientsAtOncePeakMemoryBounded) {
  DEPTHFORGE_REQUIRE_MIRROR_FILE(photo_path, "data/rgbd/color/00000.jpg");
  if (!testing::StudioPageInstalled()) GTEST_SKIP() << "needs web/node_modules (npm ci in web/)";
  testing::TempDir dir;
  testing::ChildProcess server(ServeArguments(dir.File("data"), 2));
  const int port = testing::WaitForStudioPort(server);
  ASSERT_GT(port, 0);
  const std::string photo = ReadFileBytes(photo_path);  // 640x480
  constexpr int kClients = 10, kJobsEach = 4;
  std::atomic<int> accepted{0}, server_errors{0}, done{0}, failed{0};
  std::vector<std::thread> clients;
  for (int c = 0; c < kClients; ++c) {
    clients.emplace_back([&] {
      httplib::Client client("127.0.0.1", port);
      client.set_read_timeout(120);
      std::vector<std::string> ids;
      for (int j = 0; j < kJobsEach; ++j) {
        auto posted = client.Post("/api/jobs", Upload(photo, "room.jpg", "depth,hsbs,glb"));
        if (!posted || posted->status >= 500) ++server_errors;
        if (posted && posted->status == 202) {
          ++accepted;
          ids.push_back(json::parse(posted->body)["id"]);
        }
      }
      for (const std::string& id : ids) {
        while (true) {
          auto result = client.Get(("/api/jobs/" + id).c_str());
          if (!result || result->status >= 500) {
            ++server_errors;
            break;
          }
          const std::string state = json::parse(result->body)["state"];
          if (state == "done") ++done;
          if (state == "failed") ++failed;
          if (state == "done" || state == "failed") break;
          std::this_thread::sleep_for(std::chrono::milliseconds(100));
        }
      }
    });
  }
  for (auto& client : clients) client.join();
  EXPECT_EQ(accepted, kClients * kJobsEach);
  EXPECT_EQ(done, kClients * kJobsEach);
  EXPECT_EQ(failed, 0);
  EXPECT_EQ(server_errors, 0);
  const int64_t peak = server.PeakResidentBytes();
  EXPECT_GT(peak, 0);
  EXPECT_LT(peak, int64_t(1536) << 20) << "server peak RSS " << (peak >> 20) << " MB";
  httplib::Client client("127.0.0.1", port);
  EXPECT_EQ(client.Get("/api/health")->status, 200);
}

TEST(Serve, ABurstOfConnectionsIsAllAnswered) {
  if (!testing::StudioPageInstalled() || testing::MirrorDir().empty()) GTEST_SKIP() << "needs the page assets and the model";
  testing::TempDir dir;
  testing::ChildProcess server(ServeArguments(dir.File("data"), 0));
  const int port = testing::WaitForStudioPort(server);
  ASSERT_GT(port, 0);
  // 100 clients connect at the same moment (a page of thumbnails, a load
  // test): none may be reset, whatever the listen backlog of the library.
  constexpr int kClients = 100;
  for (int burst = 0; burst < 5; ++burst) {
    std::atomic<int> ready{0}, answered{0};
    std::vector<std::thread> clients;
    for (int i = 0; i < kClients; ++i) {
      clients.emplace_back([&] {
        httplib::Client client("127.0.0.1", port);
        ++ready;
        while (ready < kClients) std::this_thread::yield();
        auto result = client.Get("/api/health");
        if (result && result->status == 200) ++answered;
      });
    }
    for (auto& client : clients) client.join();
    EXPECT_EQ(answered, kClients) << "burst " << burst;
  }
}

TEST(Serve, AnotherAddressWithoutATokenIsRefused) {
  testing::TempDir dir;
  auto result = testing::RunCli("serve --host 0.0.0.0 --port 0 --data " + dir.File("data"));
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_THAT(result.output, HasSubstr("--token"));
  EXPECT_FALSE(fs::exists(dir.File("data")));
}

TEST(Serve, PortInUseIsOneClearLine) {
  if (!testing::StudioPageInstalled() || testing::MirrorDir().empty()) GTEST_SKIP() << "needs the page assets and the model";
  testing::TempDir dir;
  testing::ChildProcess first(ServeArguments(dir.File("a"), 0));
  const int port = testing::WaitForStudioPort(first);
  ASSERT_GT(port, 0);
  auto result = testing::RunCli("serve --port " + std::to_string(port) + " --data " + dir.File("b"));
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_THAT(result.output, HasSubstr("cannot listen on 127.0.0.1:" + std::to_string(port)));
}

}  // namespace
}  // namespace depthforge
