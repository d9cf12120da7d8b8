#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>

#include <opencv2/imgcodecs.hpp>

#include "depthforge/core/error.h"
#include "depthforge/io/image_io.h"
#include "depthforge/stereo/stereo_calibration.h"
#include "depthforge/stereo/stereo_matcher.h"  // MedianRowOffset checks the rectification
#include "depthforge/testing/test_util.h"
#include "depthforge/util/atomic_file.h"

namespace depthforge {
namespace {
namespace fs = std::filesystem;
using ::testing::HasSubstr;

TEST(StereoCalibration, SharedChessboardPairsCalibrateBelowOnePixel) {
  DEPTHFORGE_REQUIRE_MIRROR_FILE(list, "data/stereo_calib/stereo_calib.xml");
  std::vector<ImagePairPaths> pairs = FindStereoPairs(list);
  ASSERT_EQ(pairs.size(), 13u);
  EXPECT_EQ(FindStereoPairs(fs::path(list).parent_path().string()).size(), 13u);  // the folder form
  ChessboardOptions options;
  options.square_size = 0.025;
  StereoCalibration c = CalibrateStereo(pairs, options);
  std::printf("RMS %.3f px, rectified rows differ by %.3f px, baseline %.4f m\n", c.rms, c.rectified_row_error, c.baseline());
  EXPECT_LT(c.rms, 1.0);
  EXPECT_LT(c.rectified_row_error, 0.5);
  EXPECT_EQ(c.used.size(), 13u);
  testing::TempDir dir;
  WriteCalibration(dir.File("calib.yml"), c);
  StereoCalibration back = ReadCalibration(dir.File("calib.yml"));
  EXPECT_NEAR(back.focal(), c.focal(), 1e-9);
  EXPECT_NEAR(back.baseline(), c.baseline(), 1e-12);
  // Rectified, the chessboard corners of a pair lie on the same rows.
  cv::Mat3b left = ReadImage(pairs[0].first), right = ReadImage(pairs[0].second);
  auto [l, r] = RectifyPair(back, left, right);
  EXPECT_LT(MedianRowOffset(l, r), 1.0);
  EXPECT_GT(MedianRowOffset(left, right), 2.0);  // the raw pair is not rectified
  EXPECT_THROW(RectifyPair(back, cv::Mat3b(10, 10), cv::Mat3b(10, 10)), Error);
}

TEST(StereoCalibration, TooFewPairsAndBadFilesAreExplained) {
  DEPTHFORGE_REQUIRE_MIRROR_FILE(left, "data/stereo_calib/left01.jpg");
  DEPTHFORGE_REQUIRE_MIRROR_FILE(photo, "data/photos/fruits.jpg");
  std::string right = testing::MirrorFile("data/stereo_calib/right01.jpg");
  ChessboardOptions options;
  try {
    CalibrateStereo({{left, right}, {photo, photo}}, options);
    FAIL();
  } catch (const Error& e) {
    EXPECT_THAT(std::string(e.what()), HasSubstr("too few usable chessboard pairs: 1 of 2"));
  }
  testing::TempDir dir;
  WriteFileBytes(dir.File("garbage.yml"), "%YAML:1.0\nimage_width: 640\nimage_height: 480\nK1: 3\n");
  EXPECT_THAT([&] { ReadCalibration(dir.File("garbage.yml")); }, ::testing::ThrowsMessage<FileError>(HasSubstr("K1")));
  WriteFileBytes(dir.File("text.yml"), "this is not a calibration");
  EXPECT_THROW(ReadCalibration(dir.File("text.yml")), FileError);
  EXPECT_THROW(ReadCalibration(dir.File("missing.yml")), FileError);
  EXPECT_THROW(FindStereoPairs(dir.path()), FileError);  // no left*/right* files
}

}  // namespace
}  // namespace depthforge
