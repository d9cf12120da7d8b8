#include "depthforge/render/stereo_layout.h"

#include <gtest/gtest.h>

#include "depthforge/core/error.h"

namespace depthforge {
namespace {

TEST(StereoLayout, SizesAndOrder) {
  cv::Mat3b left(30, 40, cv::Vec3b(10, 10, 10)), right(30, 40, cv::Vec3b(200, 200, 200));
  EXPECT_EQ(ComposeStereo(left, right, StereoLayout::kFullSideBySide).size(), cv::Size(80, 30));
  EXPECT_EQ(ComposeStereo(left, right, StereoLayout::kHalfSideBySide).size(), cv::Size(40, 30));
  EXPECT_EQ(ComposeStereo(left, right, StereoLayout::kFullTopBottom).size(), cv::Size(40, 60));
  EXPECT_EQ(ComposeStereo(left, right, StereoLayout::kHalfTopBottom).size(), cv::Size(40, 30));
  cv::Mat3b cross = ComposeStereo(left, right, StereoLayout::kCrossEyed);
  EXPECT_EQ(cross(0, 0), right(0, 0));  // right eye's view on the left
  EXPECT_EQ(cross(0, 79), left(0, 0));
  cv::Mat3b half = ComposeStereo(left, right, StereoLayout::kHalfSideBySide);
  EXPECT_EQ(half(5, 5), left(0, 0));
  EXPECT_EQ(half(5, 35), right(0, 0));
  EXPECT_THROW(ComposeStereo(left, cv::Mat3b(31, 40), StereoLayout::kFullSideBySide), Error);
}

TEST(Anaglyph, ChannelsComeFromTheRightEyes) {
  cv::Mat3b left(2, 2, cv::Vec3b(10, 20, 200)), right(2, 2, cv::Vec3b(150, 100, 30));  // BGR
  cv::Mat3b color = MakeAnaglyph(left, right, AnaglyphMode::kColor);
  EXPECT_EQ(color(0, 0), cv::Vec3b(150, 100, 200));
  cv::Mat3b grey = MakeAnaglyph(left, right, AnaglyphMode::kGrey);
  EXPECT_EQ(grey(0, 0)[0], grey(0, 0)[1]);
  // Dubois: a red-only left image drives mostly the red channel, a
  // blue-only right image mostly blue.
  cv::Mat3b red(2, 2, cv::Vec3b(0, 0, 255)), black(2, 2, cv::Vec3b(0, 0, 0)), blue(2, 2, cv::Vec3b(255, 0, 0));
  cv::Vec3b from_left = MakeAnaglyph(red, black, AnaglyphMode::kDubois)(0, 0);
  EXPECT_GT(from_left[2], 150);
  EXPECT_LT(from_left[1], 10);
  cv::Vec3b from_right = MakeAnaglyph(black, blue, AnaglyphMode::kDubois)(0, 0);
  EXPECT_GT(from_right[0], 200);
  EXPECT_LT(from_right[2], 10);
}

TEST(StereoPair, EyesSeeNearThingsShiftedOppositeWays) {
  cv::Mat3b image(20, 60, cv::Vec3b(0, 0, 0));
  image(cv::Rect(28, 5, 4, 10)).setTo(cv::Scalar(255, 255, 255));
  cv::Mat1f disparity(20, 60, 0.f);
  disparity(cv::Rect(28, 5, 4, 10)).setTo(8.f);  // in front of the screen
  StereoPair pair = RenderStereoPair(image, disparity);
  EXPECT_EQ(pair.left(10, 33), cv::Vec3b(255, 255, 255));   // moved right by 4 in the left eye
  EXPECT_EQ(pair.right(10, 25), cv::Vec3b(255, 255, 255));  // moved left by 4 in the right eye
}

}  // namespace
}  // namespace depthforge
