#include "depthforge/models/model_store.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <httplib.h>

#include <filesystem>
#include <mutex>
#include <thread>

#include "depthforge/core/error.h"
#include "depthforge/testing/test_util.h"
#include "depthforge/util/atomic_file.h"
#include "depthforge/util/sha256.h"

namespace depthforge {
namespace {
namespace fs = std::filesystem;
using ::testing::HasSubstr;

std::string Blob(size_t size, int seed) {
  std::string bytes(size, '\0');
  uint32_t state = uint32_t(seed) * 2654435761u + 1;
  for (auto& c : bytes) { state = state * 1664525u + 1013904223u; c = char(state >> 24); }
  return bytes;
}

ModelSpec SpecFor(const std::string& bytes, const std::string& url) {
  ModelSpec spec;
  spec.name = "test-model";
  spec.file = "test_model.bin";
  spec.url = url;
  spec.size = int64_t(bytes.size());
  Sha256 hash;
  hash.Update(bytes);
  spec.sha256 = hash.HexDigest();
  return spec;
}

// A loopback HTTP server that serves one file and records Range headers.
class FileServer {
 public:
  explicit FileServer(std::string body) : body_(std::move(body)) {
    server_.Get("/model.bin", [this](const httplib::Request& request, httplib::Response& response) {
      {
        std::lock_guard<std::mutex> lock(mutex_);
        ranges_.push_back(request.get_header_value("Range"));
      }
      response.set_content(body_, "application/octet-stream");
    });
    port_ = server_.bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    while (!server_.is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  ~FileServer() {
    server_.stop();
    thread_.join();
  }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_) + "/model.bin"; }
  std::vector<std::string> ranges() {
    std::lock_guard<std::mutex> lock(mutex_);
    return ranges_;
  }

 private:
  std::string body_;
  httplib::Server server_;
  int port_ = 0;
  std::thread thread_;
  std::mutex mutex_;
  std::vector<std::string> ranges_;
};

ModelStoreOptions Options(const testing::TempDir& dir, std::optional<std::string> mirror = std::nullopt) {
  ModelStoreOptions options;
  options.cache_dir = dir.File("cache");
  options.mirror_dir = std::move(mirror);
  options.download.show_progress = false;
  options.download.connect_timeout_seconds = 5;
  return options;
}

TEST(ModelStore, CopiesVerifiedFileFromMirrorThenUsesCache) {
  testing::TempDir dir;
  std::string bytes = Blob(5000, 1);
  fs::create_directories(dir.File("mirror/models"));
  WriteFileBytes(dir.File("mirror/models/test_model.bin"), bytes);
  ModelSpec spec = SpecFor(bytes, "http://127.0.0.1:1/unused");
  ModelStore store(Options(dir, dir.File("mirror")));
  EXPECT_FALSE(store.IsCached(spec));
  ModelFile first = store.Ensure(spec);
  EXPECT_EQ(first.source, ModelSource::kMirror);
  EXPECT_EQ(ReadFileBytes(first.path), bytes);
  EXPECT_EQ(store.Ensure(spec).source, ModelSource::kCache);
  EXPECT_EQ(store.VerifyCached(spec), "");
}

TEST(ModelStore, RejectsCorruptMirrorCopyAndSaysWhereToGetTheFile) {
  testing::TempDir dir;
  std::string bytes = Blob(5000, 2);
  std::string corrupt = bytes;
  corrupt[100] ^= 1;
  WriteFileBytes(dir.File("test_model.bin"), corrupt);
  ModelSpec spec = SpecFor(bytes, "https://example.invalid/test_model.bin");
  ModelStoreOptions options = Options(dir, dir.path());
  options.allow_download = false;
  ModelStore store(options);
  try {
    store.Ensure(spec);
    FAIL() << "a corrupt mirror copy was accepted";
  } catch (const Error& e) {
    std::string message = e.what();
    EXPECT_THAT(message, HasSubstr("Download https://example.invalid/test_model.bin and save it as " + store.CachePath(spec)));
    EXPECT_THAT(message, HasSubstr("does not match model 'test-model'"));
  }
  EXPECT_FALSE(fs::exists(store.CachePath(spec)));
}

TEST(ModelStore, DownloadsOverHttpAndVerifies) {
  testing::TempDir dir;
  std::string bytes = Blob(300000, 3);
  FileServer server(bytes);
  ModelSpec spec = SpecFor(bytes, server.url());
  ModelStore store(Options(dir));
  ModelFile file = store.Ensure(spec);
  EXPECT_EQ(file.source, ModelSource::kDownload);
  EXPECT_EQ(ReadFileBytes(file.path), bytes);
  EXPECT_FALSE(fs::exists(store.CachePath(spec) + ".part"));
}

TEST(ModelStore, ResumesAnInterruptedDownload) {
  testing::TempDir dir;
  std::string bytes = Blob(300000, 4);
  FileServer server(bytes);
  ModelSpec spec = SpecFor(bytes, server.url());
  ModelStore store(Options(dir));
  fs::create_directories(dir.File("cache"));
  WriteFileBytes(store.CachePath(spec) + ".part", bytes.substr(0, 120000));
  ModelFile file = store.Ensure(spec);
  EXPECT_EQ(ReadFileBytes(file.path), bytes);
  ASSERT_FALSE(server.ranges().empty());
  EXPECT_EQ(server.ranges().back(), "bytes=120000-");
}

TEST(ModelStore, CorruptDownloadIsRemovedNotCached) {
  testing::TempDir dir;
  std::string bytes = Blob(10000, 5);
  std::string wrong = Blob(10000, 6);
  FileServer server(wrong);
  ModelSpec spec = SpecFor(bytes, server.url());
  ModelStore store(Options(dir));
  try {
    store.Ensure(spec);
    FAIL() << "a corrupt download was accepted";
  } catch (const FileError& e) {
    EXPECT_THAT(std::string(e.what()), HasSubstr("sha256"));
  }
  EXPECT_FALSE(fs::exists(store.CachePath(spec)));
  EXPECT_FALSE(fs::exists(store.CachePath(spec) + ".part"));
}

TEST(ModelStore, OfflineMessageNamesUrlAndDestination) {
  testing::TempDir dir;
  std::string bytes = Blob(100, 7);
  ModelSpec spec = SpecFor(bytes, "http://127.0.0.1:1/test_model.bin");  // nothing listens on port 1
  ModelStore store(Options(dir));
  try {
    store.Ensure(spec);
    FAIL();
  } catch (const Error& e) {
    std::string message = e.what();
    EXPECT_THAT(message, HasSubstr("cannot download http://127.0.0.1:1/test_model.bin"));
    EXPECT_THAT(message, HasSubstr("save it as " + store.CachePath(spec)));
    EXPECT_THAT(message, HasSubstr("DEPTHFORGE_MIRROR"));
  }
}

TEST(ModelStore, VerifyReportsDamagedCache) {
  testing::TempDir dir;
  std::string bytes = Blob(5000, 8);
  WriteFileBytes(dir.File("test_model.bin"), bytes);
  ModelSpec spec = SpecFor(bytes, "http://127.0.0.1:1/x");
  ModelStore store(Options(dir, dir.path()));
  store.Ensure(spec);
  std::string damaged = bytes;
  damaged[10] ^= 0x40;
  WriteFileBytes(store.CachePath(spec), damaged);
  EXPECT_THAT(store.VerifyCached(spec), HasSubstr("sha256"));
}

TEST(ModelStore, DamagedCacheIsNeverUsedAndIsRepairedFromTheMirror) {
  testing::TempDir dir;
  std::string bytes = Blob(5000, 9);
  WriteFileBytes(dir.File("test_model.bin"), bytes);
  ModelSpec spec = SpecFor(bytes, "http://127.0.0.1:1/x");
  ModelStore store(Options(dir, dir.path()));
  EXPECT_EQ(store.Ensure(spec).source, ModelSource::kMirror);
  EXPECT_TRUE(store.IsCached(spec));
  EXPECT_EQ(store.Ensure(spec, /*rehash=*/true).source, ModelSource::kCache);  // `models pull`: hashed again, intact
  std::string damaged = bytes;
  damaged[10] ^= 0x40;  // same size: only the hash can tell
  WriteFileBytes(store.CachePath(spec), damaged);
  EXPECT_FALSE(store.IsCached(spec));
  ModelFile repaired = store.Ensure(spec);
  EXPECT_EQ(repaired.source, ModelSource::kMirror);
  EXPECT_EQ(ReadFileBytes(repaired.path), bytes);
  // Without a mirror or network, a damaged cache is an error, not a model.
  WriteFileBytes(store.CachePath(spec), damaged);
  ModelStoreOptions offline = Options(dir);
  offline.allow_download = false;
  EXPECT_THAT([&] { ModelStore(offline).Ensure(spec, true); },
              ::testing::ThrowsMessage<Error>(HasSubstr("cached copy was damaged")));
  EXPECT_FALSE(fs::exists(store.CachePath(spec)));
}

TEST(ModelStore, FailedPullLeavesNoEmptyPartFileAndAFolderInTheWayIsNamed) {
  testing::TempDir dir;
  std::string bytes = Blob(100, 10);
  ModelSpec spec = SpecFor(bytes, "http://127.0.0.1:1/test_model.bin");  // nothing listens on port 1
  ModelStore store(Options(dir));
  EXPECT_THROW(store.Ensure(spec), Error);
  EXPECT_FALSE(fs::exists(store.CachePath(spec) + ".part"));
  fs::create_directories(store.CachePath(spec));
  EXPECT_THAT([&] { store.Ensure(spec); }, ::testing::ThrowsMessage<FileError>(HasSubstr("it is not a file (a folder?)")));
}

}  // namespace
}  // namespace depthforge
