#include "depthforge/io/rgbd_io.h"

#include <gtest/gtest.h>

#include <opencv2/imgcodecs.hpp>

#include "depthforge/testing/test_util.h"

namespace depthforge {
namespace {

TEST(RgbdIo, DecodesEachDatasetsDepthEncoding) {
  testing::TempDir dir;
  cv::Mat1w tum(2, 2, uint16_t(5000 * 2));  // 2 m
  cv::imwrite(dir.File("tum.png"), tum);
  EXPECT_FLOAT_EQ(ReadTumDepth(dir.File("tum.png"))(0, 0), 2.f);

  uint16_t mm = 1234;
  cv::Mat1w sun(2, 2, uint16_t((mm << 3) | (mm >> 13)));  // 3 low bits rotated up on decode
  cv::imwrite(dir.File("sun.png"), sun);
  EXPECT_FLOAT_EQ(ReadSunDepth(dir.File("sun.png"))(1, 1), 1.234f);

  // NYU raw Kinect counts in either byte order; 2047 = no reading.
  cv::Mat1w nyu(1, 3);
  nyu(0, 0) = 936;
  nyu(0, 1) = 2047;
  nyu(0, 2) = 1100;  // beyond the model's range: unknown
  for (bool swapped : {false, true}) {
    cv::Mat1w stored = nyu.clone();
    if (swapped) for (auto& v : stored) v = uint16_t((v >> 8) | (v << 8));
    cv::imwrite(dir.File("nyu.pgm"), stored);
    cv::Mat1f metres = ReadNyuRawDepth(dir.File("nyu.pgm"));
    EXPECT_NEAR(metres(0, 0), 351.3 / (1092.5 - 936), 1e-4) << swapped;
    EXPECT_EQ(metres(0, 1), 0.f);
    EXPECT_EQ(metres(0, 2), 0.f);
  }
}

TEST(RgbdIo, SharedNyuFrameHasPlausibleIndoorDepth) {
  DEPTHFORGE_REQUIRE_MIRROR_FILE(path, "data/rgbd/other_formats/NYU_depth.pgm");
  cv::Mat1f metres = ReadNyuRawDepth(path);
  cv::Scalar mean = cv::mean(metres, metres > 0);
  EXPECT_GT(mean[0], 1.0);
  EXPECT_LT(mean[0], 6.0);
  EXPECT_GT(cv::countNonZero(metres > 0), 200000);
}

}  // namespace
}  // namespace depthforge
