// Scale-out as its users run it: a redis-server, `depthforge serve --queue`
// and `depthforge worker` processes, each its own process on loopback.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <httplib.h>
#include <signal.h>

#include <chrono>
#include <filesystem>
#include <regex>
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

httplib::MultipartFormDataItems Upload(const std::string& bytes, const std::string& name, const std::string& as,
                                       double end = 0) {
  httplib::MultipartFormDataItems items = {{"file", bytes, name, "application/octet-stream"}, {"as", as, "", ""}};
  if (end > 0) items.push_back({"end", std::to_string(end), "", ""});
  return items;
}

json Job(httplib::Client& client, const std::string& id) {
  auto result = client.Get(("/api/jobs/" + id).c_str());
  return result && result->status == 200 ? json::parse(result->body) : json();
}

json WaitForJob(httplib::Client& client, const std::string& id, double seconds) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::duration<double>(seconds);
  json job;
  while (std::chrono::steady_clock::now() < deadline) {
    job = Job(client, id);
    if (job.is_null() || job["state"] == "done" || job["state"] == "failed") return job;
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  return job;
}

struct Studio {
  std::unique_ptr<testing::ChildProcess> process;
  int port = 0;
};

Studio StartStudio(const std::string& data, const std::string& queue, const std::vector<std::string>& extra) {
  std::vector<std::string> arguments = {DEPTHFORGE_CLI_PATH, "serve", "--port", "0", "--data", data,
                                        "--workers", "0", "--queue", queue};
  arguments.insert(arguments.end(), extra.begin(), extra.end());
  Studio studio;
  studio.process = std::make_unique<testing::ChildProcess>(arguments);
  studio.port = testing::WaitForStudioPort(*studio.process);
  return studio;
}

std::unique_ptr<testing::ChildProcess> StartWorker(const std::string& queue, int port, const std::string& work,
                                                   const std::string& name, double lease = 10) {
  auto worker = std::make_unique<testing::ChildProcess>(std::vector<std::string>{
      DEPTHFORGE_CLI_PATH, "worker", "--queue", queue, "--server", "http://127.0.0.1:" + std::to_string(port),
      "--work", work, "--name", name, "--threads", "1", "--lease-seconds", std::to_string(lease)});
  auto line = worker->ReadLine(60);  // "depthforge worker: taking tasks ..." once the model is loaded
  EXPECT_TRUE(line && line->find("taking tasks") != std::string::npos);
  return worker;
}

// Ctrl-C, and the count it prints: "stopped after N tasks".
int StopAndCountTasks(testing::ChildProcess& worker) {
  worker.Signal(SIGINT);
  static const std::regex kCount(R"(stopped after (\d+) task)");
  while (auto line = worker.ReadLine(60)) {
    std::smatch match;
    if (std::regex_search(*line, match, kCount)) {
      worker.Wait();
      return std::stoi(match[1]);
    }
  }
  return -1;
}

TEST(Worker, TwoWorkersDrainOneQueueAndALongVideoIsSplitBetweenThem) {
  DEPTHFORGE_REQUIRE_MIRROR_FILE(photo_path, "data/photos/fruits.jpg");
  DEPTHFORGE_REQUIRE_MIRROR_FILE(video_path, "data/video/vtest.avi");
  if (!testing::StudioPageInstalled()) GTEST_SKIP() << "needs web/node_modules";
  testing::RedisServer redis;
  if (!redis.ok()) GTEST_SKIP() << "needs redis-server";
  testing::TempDir dir;
  Studio studio = StartStudio(dir.File("data"), redis.url(), {"--part-seconds", "10"});
  ASSERT_GT(studio.port, 0);
  httplib::Client client("127.0.0.1", studio.port);
  // Queued before any worker runs: both workers find work waiting.
  std::vector<std::string> ids;
  const std::string photo = ReadFileBytes(photo_path);
  for (int i = 0; i < 4; ++i) {
    auto posted = client.Post("/api/jobs", Upload(photo, "fruits.jpg", "depth,hsbs,glb"));
    ASSERT_EQ(posted->status, 202) << posted->body;
    ids.push_back(json::parse(posted->body)["id"]);
  }
  auto video = client.Post("/api/jobs", Upload(ReadFileBytes(video_path), "vtest.avi", "hsbs,depth", 30));
  ASSERT_EQ(video->status, 202) << video->body;
  const std::string video_id = json::parse(video->body)["id"];
  EXPECT_EQ(Job(client, video_id)["parts"], 3);  // 30 s in parts of 10 s

  auto first = StartWorker(redis.url(), studio.port, dir.File("w1"), "w1");
  auto second = StartWorker(redis.url(), studio.port, dir.File("w2"), "w2");
  for (const std::string& id : ids) EXPECT_EQ(WaitForJob(client, id, 120)["state"], "done");
  json joined = WaitForJob(client, video_id, 300);
  ASSERT_EQ(joined["state"], "done") << joined.dump();
  const int by_first = StopAndCountTasks(*first), by_second = StopAndCountTasks(*second);
  EXPECT_EQ(by_first + by_second, 4 + 3);
  EXPECT_GE(by_first, 1);
  EXPECT_GE(by_second, 1);
  // The parts joined: every frame of the 30 s, in both outputs.
  ASSERT_EQ(joined["outputs"].size(), 2u);
  for (const auto& output : joined["outputs"]) {
    const std::string path = dir.File("data/jobs/" + video_id + "/out/" + output["name"].get<std::string>());
    testing::VideoInfo info = testing::ProbeVideo(path);
    EXPECT_EQ(info.frames, 300) << path;
    EXPECT_NEAR(info.fps, 10, 0.01);
  }
  EXPECT_FALSE(fs::exists(dir.File("data/jobs/" + video_id + "/parts")));
  // The outputs are served by the studio as if it had made them.
  auto file = client.Get(joined["outputs"][0]["url"].get<std::string>().c_str());
  ASSERT_TRUE(file);
  EXPECT_EQ(file->status, 200);
  EXPECT_EQ(file->get_header_value("Content-Type"), "video/mp4");
}

TEST(Worker, AWorkerKilledMidJobLeavesItToAnother) {
  DEPTHFORGE_REQUIRE_MIRROR_FILE(video_path, "data/video/vtest.avi");
  if (!testing::StudioPageInstalled()) GTEST_SKIP() << "needs web/node_modules";
  testing::RedisServer redis;
  if (!redis.ok()) GTEST_SKIP() << "needs redis-server";
  testing::TempDir dir;
  Studio studio = StartStudio(dir.File("data"), redis.url(), {"--lease-seconds", "2"});
  ASSERT_GT(studio.port, 0);
  httplib::Client client("127.0.0.1", studio.port);
  auto posted = client.Post("/api/jobs", Upload(ReadFileBytes(video_path), "vtest.avi", "hsbs", 30));
  ASSERT_EQ(posted->status, 202) << posted->body;
  const std::string id = json::parse(posted->body)["id"];

  auto doomed = StartWorker(redis.url(), studio.port, dir.File("w1"), "doomed", 2);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(120);
  while (std::chrono::steady_clock::now() < deadline && Job(client, id)["progress"].get<double>() < 0.2) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  ASSERT_EQ(Job(client, id)["state"], "running");
  doomed->Signal(SIGKILL);
  EXPECT_EQ(doomed->Wait(), 128 + SIGKILL);

  auto rescuer = StartWorker(redis.url(), studio.port, dir.File("w2"), "rescuer", 2);
  json job = WaitForJob(client, id, 300);
  ASSERT_EQ(job["state"], "done") << job.dump();
  EXPECT_EQ(StopAndCountTasks(*rescuer), 1);
  const std::string path = dir.File("data/jobs/" + id + "/out/" + job["outputs"][0]["name"].get<std::string>());
  EXPECT_EQ(testing::ProbeVideo(path).frames, 300);
}

TEST(Worker, BadAddressesAreOneClearLine) {
  auto no_queue = testing::RunCli("worker --queue http://nowhere --server http://127.0.0.1:1");
  EXPECT_EQ(no_queue.exit_code, 1);
  EXPECT_THAT(no_queue.output, HasSubstr("redis://"));
  auto bad_server = testing::RunCli("serve --queue redis://127.0.0.1:1 --port 0 --workers 0");
  EXPECT_EQ(bad_server.exit_code, 1);
  EXPECT_THAT(bad_server.output, HasSubstr("redis://127.0.0.1:1"));
}

}  // namespace
}  // namespace depthforge
