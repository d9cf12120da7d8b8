#include "depthforge/estimate/depth_batch.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <condition_variable>
#include <filesystem>
#include <mutex>
#include <thread>

#include <opencv2/imgcodecs.hpp>

#include "depthforge/core/error.h"
#include "depthforge/testing/test_util.h"
#include "depthforge/util/atomic_file.h"
#include "depthforge/util/interrupt.h"

namespace depthforge {
namespace {
namespace fs = std::filesystem;
using ::testing::HasSubstr;

// Depth = 1 + mean brightness of the row, so outputs are checkable.
class FakeEstimator : public DepthEstimator {
 public:
  DepthMap Estimate(const cv::Mat3b& bgr) const override {
    DepthMap depth;
    depth.values = cv::Mat1f(bgr.size(), 2.f);
    return depth;
  }
  std::string name() const override { return "fake"; }
  DepthKind kind() const override { return DepthKind::kMetricDepth; }
};

void WritePhoto(const std::string& path) {
  cv::Mat3b photo(24, 32, cv::Vec3b(10, 120, 200));
  ASSERT_TRUE(cv::imwrite(path, photo));
}

TEST(DepthBatch, CollectsFilesAndDirectoriesWithUniqueStems) {
  testing::TempDir dir;
  fs::create_directories(dir.File("a"));
  fs::create_directories(dir.File("b"));
  WritePhoto(dir.File("a/x.jpg"));
  WritePhoto(dir.File("a/y.png"));
  WriteFileBytes(dir.File("a/readme.txt"), "not a photo");
  WritePhoto(dir.File("b/x.png"));
  auto inputs = CollectImageInputs({dir.File("a"), dir.File("b/x.png")});
  ASSERT_EQ(inputs.size(), 3u);
  EXPECT_EQ(inputs[0].stem, "x");
  EXPECT_EQ(inputs[1].stem, "y");
  EXPECT_EQ(inputs[2].stem, "x-2");
  EXPECT_THROW(CollectImageInputs({dir.File("missing.jpg")}), FileError);
  fs::create_directories(dir.File("empty"));
  EXPECT_THROW(CollectImageInputs({dir.File("empty")}), FileError);
}

TEST(DepthBatch, BadFileIsReportedAndSkippedOthersWritten) {
  testing::TempDir dir;
  fs::create_directories(dir.File("in"));
  WritePhoto(dir.File("in/a.jpg"));
  WritePhoto(dir.File("in/c.jpg"));
  std::string good = ReadFileBytes(dir.File("in/a.jpg"));
  WriteFileBytes(dir.File("in/b.jpg"), good.substr(0, good.size() / 2));  // truncated
  DepthBatchOptions options;
  options.output_dir = dir.File("out");
  options.formats = {DepthFormat::kNpy, DepthFormat::kPng16, DepthFormat::kColor};
  options.show_progress = false;
  FakeEstimator estimator;
  DepthBatchReport report = RunDepthBatch(estimator, CollectImageInputs({dir.File("in")}), options);
  EXPECT_EQ(report.succeeded, 2);
  ASSERT_EQ(report.failures.size(), 1u);
  EXPECT_THAT(report.failures[0].second, HasSubstr("b.jpg: truncated jpeg"));
  EXPECT_TRUE(fs::exists(dir.File("out/a.npy")));
  EXPECT_TRUE(fs::exists(dir.File("out/a.png")));
  EXPECT_TRUE(fs::exists(dir.File("out/c.color.png")));
  EXPECT_FALSE(fs::exists(dir.File("out/b.npy")));
  EXPECT_EQ(testing::CountFiles(dir.File("out")), 6);  // no temporary files left
}

TEST(DepthBatch, OneUnwritableOutputRemovesTheRestOfThatImagesSet) {
  testing::TempDir dir;
  WritePhoto(dir.File("a.jpg"));
  WritePhoto(dir.File("b.jpg"));
  fs::create_directories(dir.File("out/a.png"));  // a directory where a's png16 goes
  DepthBatchOptions options;
  options.output_dir = dir.File("out");
  options.formats = {DepthFormat::kNpy, DepthFormat::kPng16};
  options.show_progress = false;
  FakeEstimator estimator;
  DepthBatchReport report = RunDepthBatch(estimator, CollectImageInputs({dir.File("a.jpg"), dir.File("b.jpg")}), options);
  EXPECT_EQ(report.succeeded, 1);
  ASSERT_EQ(report.failures.size(), 1u);
  EXPECT_FALSE(fs::exists(dir.File("out/a.npy")));  // removed with its failed sibling
  EXPECT_TRUE(fs::exists(dir.File("out/b.npy")));
  EXPECT_TRUE(fs::exists(dir.File("out/b.png")));
  EXPECT_EQ(testing::CountFiles(dir.File("out")), 2);
}

TEST(DepthBatch, UnusableOutputDirectoryStopsBeforeAnyWork) {
  testing::TempDir dir;
  WritePhoto(dir.File("a.jpg"));
  WriteFileBytes(dir.File("file"), "x");
  DepthBatchOptions options;
  options.show_progress = false;
  FakeEstimator estimator;
  auto inputs = CollectImageInputs({dir.File("a.jpg")});
  options.output_dir = dir.File("file");  // a file, not a directory
  EXPECT_THROW(RunDepthBatch(estimator, inputs, options), FileError);
  options.output_dir = dir.File("file/sub");
  EXPECT_THROW(RunDepthBatch(estimator, inputs, options), FileError);
  options.output_dir = "/proc/depthforge-cannot-write-here";
  EXPECT_THROW(RunDepthBatch(estimator, inputs, options), FileError);
}

// With three writers, three photos are written at once: each writer waits
// until three are in flight (a rendezvous that a one-at-a-time batch would
// never reach; the wait is bounded only so that such a bug fails instead of
// hanging). Outputs are reported in input order whatever order writers end in.
TEST(DepthBatch, WritersRunConcurrentlyAndTheReportKeepsInputOrder) {
  testing::TempDir dir;
  std::vector<std::string> paths;
  for (int i = 0; i < 6; ++i) {
    paths.push_back(dir.File("p" + std::to_string(i) + ".jpg"));
    if (i == 4) {
      WriteFileBytes(paths.back(), "not a photo");
    } else {
      WritePhoto(paths.back());
    }
  }
  DepthBatchOptions options;
  options.output_dir = dir.File("out");
  options.show_progress = false;
  options.writers = 3;
  std::mutex mutex;
  std::condition_variable changed;
  int in_flight = 0, most_in_flight = 0, arrivals = 0;
  PhotoOutputWriter writer = [&](const BatchInput& input, const cv::Mat3b&, const DepthMap&) {
    std::unique_lock<std::mutex> lock(mutex);
    ++in_flight;
    ++arrivals;
    most_in_flight = std::max(most_in_flight, in_flight);
    changed.notify_all();
    // The first three meet; later ones need not (the batch may end first).
    if (arrivals <= 3) changed.wait_for(lock, std::chrono::seconds(30), [&] { return in_flight >= 3 || arrivals > 3; });
    --in_flight;
    changed.notify_all();
    if (input.stem == "p1") throw FileError(dir.File("out/p1.npy"), "disk full");
    return std::vector<std::string>{input.stem + ".out"};
  };
  FakeEstimator estimator;
  DepthBatchReport report = RunDepthBatch(estimator, CollectImageInputs(paths), options, writer);
  EXPECT_EQ(most_in_flight, 3);
  EXPECT_EQ(report.succeeded, 4);
  EXPECT_EQ(report.written, (std::vector<std::string>{"p0.out", "p2.out", "p3.out", "p5.out"}));
  ASSERT_EQ(report.failures.size(), 2u);
  EXPECT_THAT(report.failures[0].first, HasSubstr("p4.jpg"));  // decoding fails before p1's writer is collected
  EXPECT_THAT(report.failures[1].second, HasSubstr("disk full"));
}

TEST(DepthBatch, WritersDefaultToOnePerCore) {
  DepthBatchOptions options;
  options.output_dir = "out";
  EXPECT_EQ(options.ResolvedWriters(), int(std::max(1u, std::thread::hardware_concurrency())));
  options.writers = 1;
  EXPECT_EQ(options.ResolvedWriters(), 1);
  options.writers = -1;
  EXPECT_THROW(options.Check(), OptionError);
}

TEST(DepthBatch, InferenceThreadsLeaveACoreForIoInBatches) {
  EXPECT_GE(RecommendedInferenceThreads(1), 1);
  EXPECT_GE(RecommendedInferenceThreads(10), 1);
  EXPECT_LE(RecommendedInferenceThreads(10), RecommendedInferenceThreads(1));
}

}  // namespace
}  // namespace depthforge

namespace depthforge {
namespace {

// Stops itself after the second image, as a Ctrl-C during it would.
class InterruptingEstimator : public FakeEstimator {
 public:
  DepthMap Estimate(const cv::Mat3b& bgr) const override {
    if (++calls_ == 2) RequestInterrupt();
    return FakeEstimator::Estimate(bgr);
  }
  mutable int calls_ = 0;
};

TEST(DepthBatch, InterruptFinishesTheCurrentImageAndStops) {
  testing::TempDir dir;
  std::vector<std::string> paths;
  for (int i = 0; i < 5; ++i) {
    paths.push_back(dir.File("p" + std::to_string(i) + ".jpg"));
    WritePhoto(paths.back());
  }
  DepthBatchOptions options;
  options.output_dir = dir.File("out");
  options.formats = {DepthFormat::kNpy, DepthFormat::kColor};
  options.show_progress = false;
  InterruptingEstimator estimator;
  DepthBatchReport report = RunDepthBatch(estimator, CollectImageInputs(paths), options);
  ClearInterrupt();
  EXPECT_TRUE(report.interrupted);
  EXPECT_EQ(report.succeeded, 2);
  EXPECT_EQ(report.not_started, 3);
  EXPECT_EQ(testing::CountFiles(dir.File("out")), 4);  // two complete sets, nothing partial
  EXPECT_TRUE(fs::exists(dir.File("out/p1.color.png")));
}

}  // namespace
}  // namespace depthforge
