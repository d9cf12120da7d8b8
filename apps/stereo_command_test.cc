// `depthforge stereo calibrate` and `stereo match` as a user runs them.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>

#include <opencv2/imgcodecs.hpp>

#include "depthforge/io/npy.h"
#include "depthforge/testing/test_util.h"
#include "depthforge/util/atomic_file.h"

namespace depthforge {
namespace {
namespace fs = std::filesystem;
using ::testing::HasSubstr;
using testing::RunCli;

TEST(StereoCli, CalibrateThenMatchGivesMetricDepth) {
  DEPTHFORGE_REQUIRE_MIRROR_FILE(list, "data/stereo_calib/stereo_calib.xml");
  std::string dir = fs::path(list).parent_path().string();
  testing::TempDir out;
  auto calibrate = RunCli("stereo calibrate " + list + " -o " + out.File("calib.yml") + " --square 0.025");
  ASSERT_EQ(calibrate.exit_code, 0) << calibrate.output;
  EXPECT_THAT(calibrate.output, HasSubstr("13 pairs used, 0 rejected; RMS reprojection error 0."));
  auto match = RunCli("stereo match " + dir + "/left03.jpg " + dir + "/right03.jpg -o " + out.File("m") + " --calib " +
                      out.File("calib.yml"));
  ASSERT_EQ(match.exit_code, 0) << match.output;
  cv::Mat disparity = ReadNpy(out.File("m/left03.disparity.npy")).ToFloatMat("d");
  EXPECT_EQ(disparity.size(), cv::Size(640, 480));
  EXPECT_TRUE(fs::exists(out.File("m/left03.depth.npy")));
  EXPECT_TRUE(fs::exists(out.File("m/left03.depth.png")));
  EXPECT_TRUE(fs::exists(out.File("m/left03.ply")));
}

TEST(StereoCli, BadInputsAreOneClearLine) {
  DEPTHFORGE_REQUIRE_MIRROR_FILE(left, "data/stereo_calib/left01.jpg");
  DEPTHFORGE_REQUIRE_MIRROR_FILE(other, "data/photos/fruits.jpg");  // 512x480
  std::string right = testing::MirrorFile("data/stereo_calib/right01.jpg");
  testing::TempDir out;
  auto sizes = RunCli("stereo match " + left + " " + other + " -o " + out.File("a"));
  EXPECT_EQ(sizes.exit_code, 1);
  EXPECT_THAT(sizes.output, HasSubstr("a stereo pair must have one size"));
  auto unrectified = RunCli("stereo match " + left + " " + right + " -o " + out.File("b"));
  EXPECT_EQ(unrectified.exit_code, 1);
  EXPECT_THAT(unrectified.output, HasSubstr("are not rectified"));
  EXPECT_THAT(unrectified.output, HasSubstr("give --calib"));
  WriteFileBytes(out.File("broken.yml"), "%YAML:1.0\nimage_width: 640\nimage_height: 480\n");
  auto calib = RunCli("stereo match " + left + " " + right + " -o " + out.File("c") + " --calib " + out.File("broken.yml"));
  EXPECT_EQ(calib.exit_code, 1);
  EXPECT_THAT(calib.output, HasSubstr("broken.yml: missing matrix K1"));
  fs::create_directories(out.File("few"));
  fs::copy_file(left, out.File("few/left01.jpg"));
  fs::copy_file(right, out.File("few/right01.jpg"));
  auto few = RunCli("stereo calibrate " + out.File("few") + " -o " + out.File("x.yml"));
  EXPECT_EQ(few.exit_code, 1);
  EXPECT_THAT(few.output, HasSubstr("too few usable chessboard pairs: 1 of 1"));
  EXPECT_FALSE(fs::exists(out.File("x.yml")));
  EXPECT_FALSE(fs::exists(out.File("a")) && testing::CountFiles(out.File("a")) > 0);
}

}  // namespace
}  // namespace depthforge

namespace depthforge {
namespace {

TEST(StereoCli, LabelsBecomeATrainingSet) {
  DEPTHFORGE_REQUIRE_MIRROR_FILE(list, "data/stereo_calib/stereo_calib.xml");
  testing::TempDir out;
  auto calibrate = testing::RunCli("stereo calibrate " + list + " -o " + out.File("calib.yml") + " --square 0.025");
  ASSERT_EQ(calibrate.exit_code, 0) << calibrate.output;
  auto label = testing::RunCli("stereo label " + list + " -o " + out.File("labels") + " --calib " + out.File("calib.yml") + " -q");
  ASSERT_EQ(label.exit_code, 0) << label.output;
  EXPECT_THAT(label.output, ::testing::HasSubstr("label: 13 pairs"));
  auto eval = testing::RunCli("eval --model constant:0.5 --data " + out.File("labels/pairs.csv") + " --crop none -o " +
                              out.File("r.json") + " -q");
  EXPECT_EQ(eval.exit_code, 0) << eval.output;  // train and eval read the labels
  auto missing = testing::RunCli("stereo label " + list + " -o " + out.File("x") + " -q");
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_THAT(missing.output, ::testing::HasSubstr("need metric depth"));
}

}  // namespace
}  // namespace depthforge
