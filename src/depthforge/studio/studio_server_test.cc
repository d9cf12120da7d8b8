#include "depthforge/studio/studio_server.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <httplib.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <thread>

#include <nlohmann/json.hpp>
#include <opencv2/imgcodecs.hpp>

#include "depthforge/io/ordinal_labels.h"
#include "depthforge/testing/test_util.h"
#include "depthforge/util/atomic_file.h"

namespace depthforge {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using ::testing::HasSubstr;
using ::testing::Not;

// A studio on a free loopback port, served from a thread, stopped at scope exit.
class RunningStudio {
 public:
  explicit RunningStudio(StudioOptions options) : server_(Prepare(std::move(options)), ModelStoreOptions::FromEnvironment()) {
    port_ = server_.Start();
    thread_ = std::thread([this] { server_.Serve(); });
  }
  ~RunningStudio() {
    server_.Stop();
    thread_.join();
  }
  int port() const { return port_; }
  httplib::Client Client() const {
    httplib::Client client("127.0.0.1", port_);
    client.set_read_timeout(60);
    return client;
  }

 private:
  static StudioOptions Prepare(StudioOptions options) {
    options.port = 0;
    options.web_root = std::string(DEPTHFORGE_SOURCE_DIR) + "/web";
    return options;
  }
  StudioServer server_;
  int port_ = 0;
  std::thread thread_;
};

StudioOptions OptionsIn(const testing::TempDir& dir) {
  StudioOptions options;
  options.data_dir = dir.File("data");
  return options;
}

httplib::MultipartFormDataItems Upload(const std::string& bytes, const std::string& file_name, const std::string& as = "") {
  httplib::MultipartFormDataItems items = {{"file", bytes, file_name, "application/octet-stream"}};
  if (!as.empty()) items.push_back({"as", as, "", ""});
  return items;
}

json Body(const httplib::Result& result) { return json::parse(result->body); }

// Polls a job until it ends (or a minute passes).
json WaitForJob(httplib::Client& client, const std::string& id) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(120);
  json job;
  while (std::chrono::steady_clock::now() < deadline) {
    auto result = client.Get(("/api/jobs/" + id).c_str());
    if (!result || result->status != 200) return json();
    job = Body(result);
    if (job["state"] == "done" || job["state"] == "failed") return job;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return job;
}

// Sends raw bytes to the server and returns what it answers (until it
// closes the connection or a second passes).
std::string RawRequest(int port, const std::string& bytes) {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(uint16_t(port));
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  std::string answer;
  if (connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) == 0 &&
      send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL) == ssize_t(bytes.size())) {
    timeval timeout{1, 0};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof(timeout));
    char buffer[4096];
    for (ssize_t got; (got = recv(fd, buffer, sizeof(buffer), 0)) > 0;) answer.append(buffer, size_t(got));
  }
  close(fd);
  return answer;
}

#define REQUIRE_STUDIO()                                                              \
  if (testing::MirrorFile("models/fast_depth_224.tflite").empty())                    \
    GTEST_SKIP() << "needs the model mirror (DEPTHFORGE_MIRROR)";                     \
  if (!testing::StudioPageInstalled()) GTEST_SKIP() << "needs web/node_modules (npm ci in web/)"

TEST(Studio, PhotoJobMakesDepthStereoAndMeshServedWithRanges) {
  REQUIRE_STUDIO();
  testing::TempDir dir;
  RunningStudio studio(OptionsIn(dir));
  auto client = studio.Client();
  const std::string photo = ReadFileBytes(testing::MirrorFile("data/photos/home.jpg"));
  auto posted = client.Post("/api/jobs", Upload(photo, "My Home (1).jpg", "depth,hsbs,glb"));
  ASSERT_TRUE(posted);
  ASSERT_EQ(posted->status, 202) << posted->body;
  const std::string id = Body(posted)["id"];
  EXPECT_EQ(posted->get_header_value("Location"), "/api/jobs/" + id);

  json job = WaitForJob(client, id);
  ASSERT_EQ(job["state"], "done") << job.dump();
  EXPECT_EQ(job["progress"], 1.0);
  EXPECT_EQ(job["kind"], "photo");
  EXPECT_EQ(job["name"], "My_Home_1.jpg");
  std::map<std::string, json> outputs;
  for (const auto& output : job["outputs"]) outputs[output["name"]] = output;
  ASSERT_TRUE(outputs.count("photo.depth.color.png")) << job.dump();
  ASSERT_TRUE(outputs.count("photo.hsbs.jpg"));
  ASSERT_TRUE(outputs.count("photo.glb"));
  EXPECT_TRUE(outputs.count("photo.depth.npy"));

  // The depth picture: a PNG of the photo's size, served as one.
  auto depth = client.Get(outputs["photo.depth.color.png"]["url"].get<std::string>().c_str());
  ASSERT_TRUE(depth);
  EXPECT_EQ(depth->status, 200);
  EXPECT_EQ(depth->get_header_value("Content-Type"), "image/png");
  EXPECT_EQ(int64_t(depth->body.size()), outputs["photo.depth.color.png"]["bytes"].get<int64_t>());
  cv::Mat decoded = cv::imdecode(std::vector<uchar>(depth->body.begin(), depth->body.end()), cv::IMREAD_COLOR);
  cv::Mat original = cv::imdecode(std::vector<uchar>(photo.begin(), photo.end()), cv::IMREAD_COLOR);
  EXPECT_EQ(decoded.size(), original.size());

  // Byte ranges (what lets a video seek), and the download name.
  auto glb = client.Get(outputs["photo.glb"]["url"].get<std::string>().c_str());
  ASSERT_TRUE(glb);
  EXPECT_EQ(glb->get_header_value("Content-Type"), "model/gltf-binary");
  EXPECT_EQ(glb->body.substr(0, 4), "glTF");
  auto part = client.Get(outputs["photo.glb"]["url"].get<std::string>().c_str(), {{"Range", "bytes=4-11"}});
  ASSERT_TRUE(part);
  EXPECT_EQ(part->status, 206);
  EXPECT_EQ(part->body, glb->body.substr(4, 8));
  EXPECT_EQ(part->get_header_value("Content-Range"), "bytes 4-11/" + std::to_string(glb->body.size()));
  auto download = client.Get((outputs["photo.hsbs.jpg"]["url"].get<std::string>() + "?download=1").c_str());
  EXPECT_EQ(download->get_header_value("Content-Disposition"), "attachment; filename=\"My_Home_1.hsbs.jpg\"");

  // Only generated names under the data folder.
  for (const auto& entry : fs::recursive_directory_iterator(dir.File("data"))) {
    EXPECT_THAT(entry.path().string(), Not(HasSubstr("Home"))) << entry.path();
  }
}

TEST(Studio, RefusesBadRequestsWithJsonErrorsAndStaysHealthy) {
  REQUIRE_STUDIO();
  testing::TempDir dir;
  StudioOptions options = OptionsIn(dir);
  options.max_upload_mb = 1;
  options.workers = 0;  // nothing runs: the checks happen on upload
  RunningStudio studio(options);
  auto client = studio.Client();
  const std::string photo = ReadFileBytes(testing::MirrorFile("data/photos/home.jpg"));
  const std::string data_dir = fs::absolute(dir.File("data")).string();

  auto expect_error = [&](const httplib::Result& result, int status, const std::string& words) {
    ASSERT_TRUE(result);
    EXPECT_EQ(result->status, status) << result->body;
    EXPECT_EQ(result->get_header_value("Content-Type"), "application/json");
    json body = json::parse(result->body, nullptr, false);
    ASSERT_TRUE(body.contains("error")) << result->body;
    EXPECT_THAT(body["error"].get<std::string>(), HasSubstr(words));
    EXPECT_THAT(result->body, Not(HasSubstr(data_dir)));
    EXPECT_THAT(result->body, Not(HasSubstr("/tmp")));
  };
  // Too large: refused from its Content-Length before the body is sent (as
  // a client sees it that waits for the answer), and when it has no length.
  {
    const std::string answer = RawRequest(studio.port(),
                                          "POST /api/jobs HTTP/1.1\r\nHost: x\r\nContent-Type: multipart/form-data; "
                                          "boundary=b\r\nContent-Length: 5000000\r\n\r\n");
    EXPECT_THAT(answer, HasSubstr("HTTP/1.1 413"));
    EXPECT_THAT(answer, HasSubstr("limit of 1 MB"));
    const std::string expecting = RawRequest(studio.port(),
                                             "POST /api/jobs HTTP/1.1\r\nHost: x\r\nContent-Type: multipart/form-data; "
                                             "boundary=b\r\nContent-Length: 5000000\r\nExpect: 100-continue\r\n\r\n");
    EXPECT_THAT(expecting, HasSubstr("HTTP/1.1 413"));
    EXPECT_THAT(expecting, Not(HasSubstr("100 Continue")));
  }
  {
    const std::string big(3 << 20, 'x');
    size_t sent = 0;
    auto chunked = client.Post(
        "/api/jobs",
        [&](size_t, httplib::DataSink& sink) {
          if (sent == 0) {
            const std::string head = "--b\r\nContent-Disposition: form-data; name=\"file\"; filename=\"big.jpg\"\r\n\r\n";
            sink.write(head.data(), head.size());
          }
          const size_t chunk = std::min<size_t>(256 << 10, big.size() - sent);
          if (chunk == 0 || !sink.write(big.data() + sent, chunk)) {
            sink.done();
            return true;
          }
          sent += chunk;
          return true;
        },
        "multipart/form-data; boundary=b");
    // The server stops reading at the limit; the client may see the answer
    // or a closed connection, never an accepted job.
    if (chunked) EXPECT_EQ(chunked->status, 413);
    EXPECT_TRUE(Body(client.Get("/api/jobs"))["jobs"].empty());
  }
  // Content sniffed, not trusted from the name.
  expect_error(client.Post("/api/jobs", Upload("just some text, not a photo at all", "cat.jpg")), 415, "cat");
  expect_error(client.Post("/api/jobs", Upload(photo, "p.jpg", "hsbs,hologram")), 400, "hologram");
  httplib::MultipartFormDataItems strong = Upload(photo, "p.jpg");
  strong.push_back({"strength", "a lot", "", ""});
  expect_error(client.Post("/api/jobs", strong), 400, "strength");
  httplib::MultipartFormDataItems model = Upload(photo, "p.jpg");
  model.push_back({"model", "../../etc/passwd", "", ""});
  expect_error(client.Post("/api/jobs", model), 400, "model");
  expect_error(client.Post("/api/jobs", httplib::MultipartFormDataItems{{"as", "depth", "", ""}}), 400, "no file");
  expect_error(client.Post("/api/jobs", "{}", "application/json"), 400, "multipart");
  expect_error(client.Get("/api/jobs/0123456789abcdef0123456789abcdef"), 404, "no such job");
  expect_error(client.Get("/api/nothing-here"), 404, "not found");
  // No way out of the data folder or the page folder.
  expect_error(client.Get("/api/jobs/0123456789abcdef0123456789abcdef/files/..%2Fjobs.sqlite"), 404, "");
  auto escape = client.Get("/static/../../CMakeLists.txt");
  ASSERT_TRUE(escape);
  EXPECT_NE(escape->status, 200);
  EXPECT_THAT(escape->body, Not(HasSubstr("cmake_minimum_required")));

  auto health = client.Get("/api/health");
  ASSERT_TRUE(health);
  EXPECT_EQ(health->status, 200);
  EXPECT_EQ(Body(health)["status"], "ok");
}

TEST(Studio, TruncatedPhotoFailsTheJobWithItsName) {
  REQUIRE_STUDIO();
  testing::TempDir dir;
  RunningStudio studio(OptionsIn(dir));
  auto client = studio.Client();
  const std::string photo = ReadFileBytes(testing::MirrorFile("data/photos/home.jpg"));
  auto posted = client.Post("/api/jobs", Upload(photo.substr(0, photo.size() / 2), "half.jpg"));
  ASSERT_EQ(posted->status, 202) << posted->body;
  json job = WaitForJob(client, Body(posted)["id"]);
  EXPECT_EQ(job["state"], "failed");
  EXPECT_THAT(job["error"].get<std::string>(), HasSubstr("half.jpg"));
  EXPECT_THAT(job["error"].get<std::string>(), Not(HasSubstr(dir.path())));
}

TEST(Studio, FullQueueAnswers429WithRetryAfter) {
  REQUIRE_STUDIO();
  testing::TempDir dir;
  StudioOptions options = OptionsIn(dir);
  options.workers = 0;
  options.max_queued = 2;
  RunningStudio studio(options);
  auto client = studio.Client();
  const std::string photo = ReadFileBytes(testing::MirrorFile("data/photos/home.jpg"));
  EXPECT_EQ(client.Post("/api/jobs", Upload(photo, "a.jpg"))->status, 202);
  EXPECT_EQ(client.Post("/api/jobs", Upload(photo, "b.jpg"))->status, 202);
  auto refused = client.Post("/api/jobs", Upload(photo, "c.jpg"));
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->status, 429);
  EXPECT_EQ(refused->get_header_value("Retry-After"), "30");
  EXPECT_THAT(refused->body, HasSubstr("queue is full"));
  // Deleting a queued job makes room again, and removes its files.
  auto jobs = Body(client.Get("/api/jobs"))["jobs"];
  ASSERT_EQ(jobs.size(), 2u);
  const std::string first = jobs[0]["id"];
  EXPECT_EQ(client.Delete(("/api/jobs/" + first).c_str())->status, 200);
  EXPECT_FALSE(fs::exists(dir.File("data/jobs/" + first)));
  EXPECT_EQ(client.Get(("/api/jobs/" + first).c_str())->status, 404);
  EXPECT_EQ(client.Post("/api/jobs", Upload(photo, "c.jpg"))->status, 202);
}

TEST(Studio, OtherAddressesNeedATokenThatEveryCallCarries) {
  StudioOptions open;
  open.host = "0.0.0.0";
  EXPECT_THROW(open.Check(), OptionError);
  open.token = "short";
  EXPECT_THROW(open.Check(), OptionError);
  EXPECT_TRUE(IsLoopbackHost("127.0.0.1"));
  EXPECT_TRUE(IsLoopbackHost("::1"));
  EXPECT_TRUE(IsLoopbackHost("localhost"));
  EXPECT_FALSE(IsLoopbackHost("0.0.0.0"));
  EXPECT_FALSE(IsLoopbackHost("192.168.1.4"));

  REQUIRE_STUDIO();
  testing::TempDir dir;
  StudioOptions options = OptionsIn(dir);
  options.token = "correct horse battery";
  options.workers = 0;
  RunningStudio studio(options);
  auto client = studio.Client();
  EXPECT_EQ(client.Get("/api/health")->status, 401);
  EXPECT_EQ(client.Get("/api/health", {{"Authorization", "Bearer wrong token here"}})->status, 401);
  EXPECT_EQ(client.Get("/api/health", {{"Authorization", "Bearer correct horse battery"}})->status, 200);
  EXPECT_EQ(client.Get("/api/health?token=correct%20horse%20battery")->status, 200);
  // The page itself loads; it reads the token from its address.
  EXPECT_EQ(client.Get("/")->status, 200);
}

TEST(Studio, HeadersForbidSniffingFramingAndOtherOrigins) {
  REQUIRE_STUDIO();
  testing::TempDir dir;
  StudioOptions options = OptionsIn(dir);
  options.workers = 0;
  RunningStudio studio(options);
  auto client = studio.Client();
  for (const char* path : {"/", "/api/health", "/static/app.js", "/vendor/three/build/three.module.js"}) {
    auto result = client.Get(path, {{"Origin", "http://evil.example"}});
    ASSERT_TRUE(result) << path;
    EXPECT_EQ(result->status, 200) << path;
    EXPECT_EQ(result->get_header_value("X-Content-Type-Options"), "nosniff") << path;
    EXPECT_THAT(result->get_header_value("Content-Security-Policy"), HasSubstr("default-src 'self'")) << path;
    EXPECT_THAT(result->get_header_value("Content-Security-Policy"), HasSubstr("'sha256-")) << path;
    EXPECT_FALSE(result->has_header("Access-Control-Allow-Origin")) << path;
  }
  EXPECT_THAT(client.Get("/static/app.js")->get_header_value("Content-Type"), HasSubstr("javascript"));
  EXPECT_EQ(client.Get("/static/favicon.svg")->get_header_value("Content-Type"), "image/svg+xml");
}

TEST(Studio, EventsFollowAJobToItsEnd) {
  REQUIRE_STUDIO();
  testing::TempDir dir;
  RunningStudio studio(OptionsIn(dir));
  auto client = studio.Client();
  const std::string photo = ReadFileBytes(testing::MirrorFile("data/photos/stuff.jpg"));
  auto posted = client.Post("/api/jobs", Upload(photo, "stuff.jpg", "depth,anaglyph"));
  ASSERT_EQ(posted->status, 202);
  const std::string id = Body(posted)["id"];
  std::string stream;
  auto result = client.Get(("/api/jobs/" + id + "/events").c_str(), [&](const char* data, size_t size) {
    stream.append(data, size);
    return true;
  });
  ASSERT_TRUE(result);
  EXPECT_EQ(result->get_header_value("Content-Type"), "text/event-stream");
  // The stream ended by itself, with the finished job as its last event.
  const size_t last = stream.rfind("data: ");
  ASSERT_NE(last, std::string::npos) << stream;
  json job = json::parse(stream.substr(last + 6, stream.find('\n', last) - last - 6));
  EXPECT_EQ(job["state"], "done");
  EXPECT_EQ(job["outputs"].size(), 3u);  // depth npy + colour, anaglyph
}

}  // namespace
}  // namespace depthforge

namespace depthforge {
namespace {

TEST(Studio, PixelDurationAndTimeLimits) {
  REQUIRE_STUDIO();
  const std::string tree = testing::MirrorFile("data/video/tree.avi");  // 29.6 s, 320x240
  if (tree.empty()) GTEST_SKIP() << "needs the videos of the data mirror";
  testing::TempDir dir;
  StudioOptions options = OptionsIn(dir);
  options.limits.max_pixels = 200'000;
  options.limits.max_video_seconds = 20;
  options.job_time_limit = 0.2;
  RunningStudio studio(options);
  auto client = studio.Client();
  auto big = client.Post("/api/jobs", Upload(ReadFileBytes(testing::MirrorFile("data/photos/leuvenA.jpg")), "leuven.jpg"));
  EXPECT_EQ(big->status, 415);
  EXPECT_THAT(big->body, HasSubstr("0.2 megapixels"));
  auto long_video = client.Post("/api/jobs", Upload(ReadFileBytes(tree), "tree.avi", "hsbs"));
  EXPECT_EQ(long_video->status, 415);
  EXPECT_THAT(long_video->body, HasSubstr("at most 20 s"));
  // An output that only photos have is refused for a video, by name.
  httplib::MultipartFormDataItems part = Upload(ReadFileBytes(tree), "tree.avi", "glb");
  part.push_back({"end", "5", "", ""});
  auto wrong_output = client.Post("/api/jobs", part);
  EXPECT_EQ(wrong_output->status, 400);
  EXPECT_THAT(wrong_output->body, HasSubstr("glb"));
  // A job over the time limit fails with a message that says so.
  httplib::MultipartFormDataItems slow = Upload(ReadFileBytes(tree), "tree.avi", "hsbs");
  slow.push_back({"end", "19", "", ""});
  auto posted = client.Post("/api/jobs", slow);
  ASSERT_EQ(posted->status, 202) << posted->body;
  json job = WaitForJob(client, Body(posted)["id"]);
  EXPECT_EQ(job["state"], "failed");
  EXPECT_THAT(job["error"].get<std::string>(), HasSubstr("limit of 0.2 s"));
}

}  // namespace
}  // namespace depthforge

namespace depthforge {
namespace {

TEST(Studio, LabelApiAnswersUndoesExportsAndImports) {
  REQUIRE_STUDIO();
  testing::TempDir dir;
  StudioOptions options = OptionsIn(dir);
  options.workers = 0;
  RunningStudio studio(options);
  auto client = studio.Client();
  const std::string photo = ReadFileBytes(testing::MirrorFile("data/photos/stuff.jpg"));
  auto posted = client.Post("/api/labels/photos", Upload(photo, "stuff.jpg"));
  ASSERT_EQ(posted->status, 201) << posted->body;
  const std::string id = Body(posted)["id"];
  EXPECT_GT(Body(posted)["pairs"].get<int>(), 10);
  json photo_json = Body(client.Get(("/api/labels/photos/" + id).c_str()));
  ASSERT_GT(photo_json["pairs"].size(), 3u);
  // Least sure first, each with the model's suggestion.
  EXPECT_GE(photo_json["pairs"][0]["score"].get<double>(), photo_json["pairs"][1]["score"].get<double>());
  EXPECT_TRUE(photo_json["pairs"][0].contains("suggested"));
  const std::string first = "/api/labels/pairs/" + std::to_string(photo_json["pairs"][0]["id"].get<int64_t>());
  EXPECT_EQ(client.Put(first.c_str(), R"({"closer": "b"})", "application/json")->status, 200);
  EXPECT_EQ(client.Put(first.c_str(), R"({"closer": "nearer"})", "application/json")->status, 400);
  EXPECT_EQ(client.Put("/api/labels/pairs/999999", R"({"closer": "a"})", "application/json")->status, 404);
  auto own = client.Post(("/api/labels/photos/" + id + "/pairs").c_str(), R"({"a": [5, 5], "b": [20, 30], "closer": "a"})",
                         "application/json");
  EXPECT_EQ(own->status, 201);
  EXPECT_EQ(client.Post(("/api/labels/photos/" + id + "/pairs").c_str(), R"({"a": [5, 5], "b": [99999, 30]})",
                        "application/json")->status, 400);
  EXPECT_EQ(client.Post(("/api/labels/photos/" + id + "/points").c_str(), R"({"at": [10, 12], "depth": 1.5})",
                        "application/json")->status, 201);
  EXPECT_EQ(client.Post(("/api/labels/photos/" + id + "/points").c_str(), R"({"at": [10, 12], "depth": -2})",
                        "application/json")->status, 400);
  // The export: the answered pairs and the point, under the upload's name.
  OrdinalLabels exported = ParseOrdinalLabels(client.Get("/api/labels/export")->body, "export");
  ASSERT_EQ(exported.images.size(), 1u);
  EXPECT_EQ(exported.images[0].image, "stuff.jpg");
  ASSERT_EQ(exported.images[0].pairs.size(), 2u);
  EXPECT_EQ(exported.images[0].points.size(), 1u);
  // Undo, then import the exported file back: its pairs join the photo again.
  EXPECT_EQ(client.Put(first.c_str(), R"({"closer": null})", "application/json")->status, 200);
  EXPECT_EQ(ParseOrdinalLabels(client.Get("/api/labels/export")->body, "export").images[0].pairs.size(), 1u);
  auto imported = client.Post("/api/labels/import", OrdinalLabelsToJson(exported), "application/json");
  ASSERT_EQ(imported->status, 200) << imported->body;
  EXPECT_EQ(Body(imported)["pairs"], 2);
  EXPECT_EQ(ParseOrdinalLabels(client.Get("/api/labels/export")->body, "export").images[0].pairs.size(), 3u);
  EXPECT_EQ(client.Post("/api/labels/import", "{\"images\": 3}", "application/json")->status, 400);
  // Only photos.
  auto video = client.Post("/api/labels/photos", Upload(ReadFileBytes(testing::MirrorFile("data/video/tree.avi")), "tree.avi"));
  EXPECT_EQ(video->status, 415);
  auto image = client.Get(("/api/labels/photos/" + id + "/image").c_str());
  EXPECT_EQ(image->get_header_value("Content-Type"), "image/jpeg");
  EXPECT_EQ(image->body, photo);
  EXPECT_EQ(client.Get("/label")->status, 200);
}

}  // namespace
}  // namespace depthforge
