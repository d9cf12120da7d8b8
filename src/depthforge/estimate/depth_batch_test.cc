#include "depthforge/estimate/depth_batch.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>

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
