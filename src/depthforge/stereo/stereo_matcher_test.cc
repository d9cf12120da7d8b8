#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>

#include <opencv2/imgcodecs.hpp>

#include "depthforge/core/error.h"
#include "depthforge/eval/disparity_metrics.h"
#include "depthforge/io/image_io.h"
#include "depthforge/stereo/stereo_matcher.h"
#include "depthforge/testing/test_util.h"
#include "depthforge/util/atomic_file.h"

namespace depthforge {
namespace {
namespace fs = std::filesystem;
using ::testing::HasSubstr;

TEST(StereoMatcher, ClearlyBetterThanPlainSgbmOnTsukuba) {
  DEPTHFORGE_REQUIRE_MIRROR_FILE(left_path, "data/stereo/middlebury2001/tsukuba/im3.png");
  std::string dir = fs::path(left_path).parent_path().string();
  cv::Mat3b left = ReadImage(left_path), right = ReadImage(dir + "/im4.png");
  cv::Mat raw = cv::imread(dir + "/disp3.pgm", cv::IMREAD_UNCHANGED);
  cv::Mat1f truth;
  raw.convertTo(truth, CV_32F, 1.0 / 16);
  StereoMatchOptions options;
  options.max_disparity = 16;
  DisparityErrors ours = CompareDisparity(MatchStereo(left, right, options).disparity, truth, 18);
  DisparityErrors plain = CompareDisparity(MatchStereoPlainSgbm(left, right, 16), truth, 18);
  EXPECT_LT(ours.bad1, 0.5 * plain.bad1);
  EXPECT_LT(ours.bad2, 0.5 * plain.bad2);
  EXPECT_THROW(MatchStereo(left, cv::Mat3b(10, 10), options), Error);
}

TEST(StereoMatcher, DenseByDefaultIncludingTheLeftBorder) {
  DEPTHFORGE_REQUIRE_MIRROR_FILE(left_path, "data/stereo/middlebury2001/venus/im2.png");
  std::string dir = fs::path(left_path).parent_path().string();
  cv::Mat3b left = ReadImage(left_path), right = ReadImage(dir + "/im6.png");
  cv::Mat raw = cv::imread(dir + "/disp2.pgm", cv::IMREAD_UNCHANGED);
  cv::Mat1f truth;
  raw.convertTo(truth, CV_32F, 1.0 / 8);
  StereoMatchOptions options;
  options.max_disparity = 32;
  StereoMatchResult filled = MatchStereo(left, right, options);
  cv::Mat1f border = filled.disparity(cv::Rect(0, 0, 32, left.rows));
  EXPECT_EQ(cv::countNonZero(border == border), border.total());  // no NaN in the unseen columns
  // Every ground-truth pixel, border included: what users see.
  EXPECT_LT(CompareDisparity(filled.disparity, truth, 0).bad2, 5.0);
  options.fill = false;
  cv::Mat1f unfilled = MatchStereo(left, right, options).disparity(cv::Rect(0, 0, 32, left.rows));
  EXPECT_LT(cv::countNonZero(unfilled == unfilled), int(unfilled.total()) / 2);  // --no-fill keeps it unknown
}

TEST(StereoMatcher, TinyPairsAndHugeSearchRanges) {
  cv::Mat3b small(16, 16, cv::Vec3b(50, 60, 70));
  EXPECT_THAT([&] { MatchStereo(small, small); }, ::testing::ThrowsMessage<Error>(::testing::HasSubstr("at least 32 pixels")));
  cv::Mat1b left(40, 48), right(40, 48);
  cv::randu(left, 0, 255);
  right = 0;
  left(cv::Rect(4, 0, 44, 40)).copyTo(right(cv::Rect(0, 0, 44, 40)));  // shifted by 4 px
  StereoMatchOptions options;
  options.max_disparity = 500;  // far beyond the width
  StereoMatchResult result = MatchStereo(left, right, options);
  EXPECT_EQ(result.disparity.size(), left.size());
  EXPECT_FALSE(MatchStereoPlainSgbm(left, right, 1000).empty());
}

TEST(StereoMatcher, DepthFromDisparity) {
  cv::Mat1f d(1, 3);
  d(0, 0) = 10.f;
  d(0, 1) = std::nanf("");
  d(0, 2) = -40.f;
  cv::Mat1f z = DepthFromDisparity(d, 1000, 0.1, 30);  // 1000 * 0.1 / 40
  EXPECT_FLOAT_EQ(z(0, 0), 2.5f);
  EXPECT_TRUE(std::isnan(z(0, 1)));
  EXPECT_TRUE(std::isnan(z(0, 2)));
  EXPECT_THROW(DepthFromDisparity(d, 0, 0.1), OptionError);
}

}  // namespace
}  // namespace depthforge
