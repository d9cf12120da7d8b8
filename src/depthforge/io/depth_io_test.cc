#include "depthforge/io/depth_io.h"

#include <gtest/gtest.h>

#include <array>
#include <cmath>
#include <set>

#include <opencv2/imgcodecs.hpp>

#include "depthforge/core/error.h"
#include "depthforge/io/npy.h"
#include "depthforge/util/atomic_file.h"
#include "depthforge/testing/test_util.h"

namespace depthforge {
namespace {

DepthMap Ramp() {
  DepthMap depth;
  depth.values = cv::Mat1f(20, 30);
  for (int y = 0; y < 20; ++y)
    for (int x = 0; x < 30; ++x) depth.values(y, x) = 0.5f + 0.1f * float(x);  // 0.5 m .. 3.4 m
  depth.values(0, 0) = std::nanf("");
  depth.values(0, 1) = 0.f;
  return depth;
}

TEST(DepthIo, ParsesFormatLists) {
  auto formats = ParseDepthFormats("npy,color,npy");
  ASSERT_EQ(formats.size(), 2u);
  EXPECT_EQ(formats[0], DepthFormat::kNpy);
  EXPECT_EQ(formats[1], DepthFormat::kColor);
  EXPECT_THROW(ParseDepthFormats("npy,jpeg"), OptionError);
  EXPECT_THROW(ParseDepthFormats(""), OptionError);
}

TEST(DepthIo, NpyIsFloatMetres) {
  testing::TempDir dir;
  DepthMap depth = Ramp();
  WriteDepth(dir.File("d.npy"), depth, DepthFormat::kNpy);
  NpyArray array = ReadNpy(dir.File("d.npy"));
  EXPECT_EQ(array.dtype, "<f4");
  EXPECT_EQ(array.shape, (std::vector<int64_t>{20, 30}));
  DepthMap back = ReadMetricDepth(dir.File("d.npy"));
  EXPECT_FLOAT_EQ(back.values(5, 10), 1.5f);
  EXPECT_TRUE(std::isnan(back.values(0, 0)));
}

TEST(DepthIo, Png16IsMillimetresWithZeroForUnknown) {
  testing::TempDir dir;
  WriteDepth(dir.File("d.png"), Ramp(), DepthFormat::kPng16);
  cv::Mat raw = cv::imread(dir.File("d.png"), cv::IMREAD_UNCHANGED);
  ASSERT_EQ(raw.type(), CV_16UC1);
  EXPECT_EQ(raw.at<uint16_t>(5, 10), 1500);
  EXPECT_EQ(raw.at<uint16_t>(0, 0), 0);  // NaN
  EXPECT_EQ(raw.at<uint16_t>(0, 1), 0);  // zero
  DepthMap back = ReadMetricDepth(dir.File("d.png"));
  EXPECT_NEAR(back.values(7, 29), 3.4f, 1e-3);
}

TEST(DepthIo, PfmRoundTrips) {
  testing::TempDir dir;
  DepthMap depth = Ramp();
  WriteDepth(dir.File("d.pfm"), depth, DepthFormat::kPfm);
  cv::Mat1f back = ReadPfm(dir.File("d.pfm"));
  ASSERT_EQ(back.size(), depth.values.size());
  EXPECT_FLOAT_EQ(back(19, 29), depth.values(19, 29));
  EXPECT_FLOAT_EQ(back(3, 4), depth.values(3, 4));
}

TEST(DepthIo, ColorMapsNearToBrightAndUnknownToBlack) {
  testing::TempDir dir;
  WriteDepth(dir.File("d.color.png"), Ramp(), DepthFormat::kColor);
  cv::Mat3b color = cv::imread(dir.File("d.color.png"), cv::IMREAD_COLOR);
  ASSERT_EQ(color.size(), cv::Size(30, 20));
  auto brightness = [](cv::Vec3b c) { return int(c[0]) + c[1] + c[2]; };
  EXPECT_GT(brightness(color(10, 2)), brightness(color(10, 28)));  // near (left) brighter
  EXPECT_EQ(color(0, 0), cv::Vec3b(0, 0, 0));
}

// The file is a palette PNG holding exactly ColorizeDepth's pixels, and a
// map spanning its range uses the whole scale.
TEST(DepthIo, ColorFileIsAPalettePngOfColorizeDepth) {
  testing::TempDir dir;
  DepthMap depth = Ramp();
  WriteDepth(dir.File("d.color.png"), depth, DepthFormat::kColor);
  EXPECT_EQ(ReadFileBytes(dir.File("d.color.png"))[8 + 8 + 9], 3) << "colour type: palette";
  cv::Mat3b from_file = cv::imread(dir.File("d.color.png"), cv::IMREAD_COLOR);
  cv::Mat3b expected = ColorizeDepth(depth);
  ASSERT_EQ(from_file.size(), expected.size());
  EXPECT_EQ(cv::norm(from_file, expected, cv::NORM_INF), 0);
  std::set<std::array<uchar, 3>> colours;
  for (const cv::Vec3b& c : cv::Mat_<cv::Vec3b>(expected)) colours.insert({c[0], c[1], c[2]});
  EXPECT_GE(colours.size(), 20u);  // the ramp's distinct depths get distinct colours
}

TEST(DepthIo, WritingToAMissingDirectoryFailsCleanly) {
  testing::TempDir dir;
  for (DepthFormat format : {DepthFormat::kNpy, DepthFormat::kPng16, DepthFormat::kPfm, DepthFormat::kColor}) {
    EXPECT_THROW(WriteDepth(dir.File("no/such/dir/d" + FileSuffix(format)), Ramp(), format), FileError);
  }
  EXPECT_EQ(testing::CountFiles(dir.path()), 0);
}

}  // namespace
}  // namespace depthforge
