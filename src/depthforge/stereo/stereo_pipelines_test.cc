#include "depthforge/stereo/stereo_pipelines.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>

#include "depthforge/core/error.h"
#include "depthforge/io/npy.h"
#include "depthforge/testing/test_util.h"

namespace depthforge {
namespace {
namespace fs = std::filesystem;

TEST(StereoPipelines, MatchWritesDisparityAndWithAFocalLengthDepth) {
  DEPTHFORGE_REQUIRE_MIRROR_FILE(left, "data/stereo/middlebury2001/tsukuba/im3.png");
  std::string right = fs::path(left).parent_path().string() + "/im4.png";
  testing::TempDir dir;
  StereoMatchFilesOptions options;
  options.match.max_disparity = 16;
  StereoMatchFilesResult plain = MatchStereoFiles(left, right, dir.File("a"), options);
  EXPECT_FALSE(plain.metric);
  EXPECT_EQ(plain.written.size(), 3u);
  options.focal = 615;
  options.baseline = 0.1;
  StereoMatchFilesResult metric = MatchStereoFiles(left, right, dir.File("b"), options);
  EXPECT_TRUE(metric.metric);
  EXPECT_EQ(metric.written.size(), 7u);
  cv::Mat depth = ReadNpy(dir.File("b/im3.depth.npy")).ToFloatMat("depth");
  EXPECT_EQ(depth.size(), cv::Size(384, 288));
  EXPECT_THAT([&] { MatchStereoFiles(left, left + ".missing", dir.File("c"), options); },
              ::testing::Throws<FileError>());
  EXPECT_EQ(testing::CountFiles(dir.File("c")), 0);
}

TEST(StereoPipelines, PatternsAreWrittenWithTheirList) {
  testing::TempDir dir;
  std::vector<std::string> written = WriteGrayCodePatternFiles({64, 32}, dir.File("p"));
  ASSERT_GT(written.size(), 4u);
  EXPECT_TRUE(fs::exists(dir.File("p/list.txt")));
  EXPECT_THROW(DecodeStructuredLightFiles(dir.File("p"), dir.File("missing.yml"), dir.File("out"), {}), FileError);
}

}  // namespace
}  // namespace depthforge
