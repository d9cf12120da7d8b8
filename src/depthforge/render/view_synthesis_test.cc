#include "depthforge/render/parallax.h"
#include "depthforge/render/view_synthesis.h"

#include <gtest/gtest.h>

#include <cmath>

#include "depthforge/core/error.h"

namespace depthforge {
namespace {

cv::Mat3b Texture(int rows, int cols) {
  cv::Mat3b image(rows, cols);
  for (int y = 0; y < rows; ++y)
    for (int x = 0; x < cols; ++x) image(y, x) = cv::Vec3b(uchar((x * 7) % 256), uchar((y * 11) % 256), uchar((x * y) % 256));
  return image;
}

TEST(ViewSynthesis, ZeroShiftKeepsTheImage) {
  cv::Mat3b image = Texture(20, 30);
  cv::Mat1f disparity(20, 30, 4.f);
  SynthesizedView view = SynthesizeView(image, disparity, 0.0);
  EXPECT_EQ(cv::norm(view.image, image, cv::NORM_INF), 0);
  EXPECT_EQ(cv::countNonZero(view.holes), 0);
}

TEST(ViewSynthesis, ConstantDisparityShiftsEverythingByIt) {
  cv::Mat3b image = Texture(20, 40);
  cv::Mat1f disparity(20, 40, 5.f);
  SynthesizedView view = SynthesizeView(image, disparity, 1.0);  // the right camera: x -> x - 5
  EXPECT_EQ(cv::norm(view.image.colRange(0, 35), image.colRange(5, 40), cv::NORM_INF), 0);
  // The right edge (beyond the left camera's view) is uncovered.
  EXPECT_EQ(cv::countNonZero(view.holes.colRange(35, 40)), 5 * 20);
  EXPECT_EQ(cv::countNonZero(view.holes.colRange(0, 35)), 0);
}

// A near red square (disparity 10) in front of a far green wall (disparity 2).
struct BoxScene {
  cv::Mat3b image = cv::Mat3b(40, 80, cv::Vec3b(0, 200, 0));
  cv::Mat1f disparity = cv::Mat1f(40, 80, 2.f);
  BoxScene() {
    image(cv::Rect(30, 10, 20, 20)).setTo(cv::Scalar(0, 0, 255));
    disparity(cv::Rect(30, 10, 20, 20)).setTo(10.f);
  }
};

TEST(ViewSynthesis, NearerSurfacesWinAndHolesTakeTheBackground) {
  BoxScene scene;
  SynthesizedView view = SynthesizeView(scene.image, scene.disparity, 1.0);
  // The square moved 10 px left, the wall 2 px: the square covers 20..39.
  EXPECT_EQ(view.image(20, 25), cv::Vec3b(0, 0, 255));
  EXPECT_EQ(view.image(20, 38), cv::Vec3b(0, 0, 255));
  // Behind its right edge the wall is revealed (the wall at x-2 = 40..47 was
  // hidden): those pixels are holes, filled with the wall's green, not red.
  int holes = cv::countNonZero(view.holes.row(20));
  EXPECT_GE(holes, 6);
  for (int x = 41; x < 47; ++x) {
    ASSERT_TRUE(view.holes(20, x)) << x;
    EXPECT_GT(view.image(20, x)[1], 150) << x;
    EXPECT_LT(view.image(20, x)[2], 60) << x;
  }
  // Moving the other way the square lands on 40..59, over wall pixels drawn
  // after it (source 50..57 -> 52..59): without a z-buffer the wall tears
  // through the square, with one the square stays whole.
  ViewSynthesisOptions naive;
  naive.z_buffer = false;
  naive.connect_surfaces = false;
  EXPECT_EQ(SynthesizeView(scene.image, scene.disparity, -1.0, naive).image(20, 55), cv::Vec3b(0, 200, 0));
  EXPECT_EQ(SynthesizeView(scene.image, scene.disparity, -1.0).image(20, 55), cv::Vec3b(0, 0, 255));
}

TEST(ViewSynthesis, UnknownDisparityIsNotRendered) {
  cv::Mat3b image = Texture(10, 20);
  cv::Mat1f disparity(10, 20, 0.f);
  disparity(5, 7) = std::nanf("");
  ViewSynthesisOptions options;
  options.hole_fill = ViewSynthesisOptions::HoleFill::kNone;
  SynthesizedView view = SynthesizeView(image, disparity, 1.0, options);
  EXPECT_TRUE(view.holes(5, 7));
  EXPECT_EQ(cv::countNonZero(view.holes), 1);
}

TEST(ViewSynthesis, BadInputsAreExplained) {
  EXPECT_THROW(SynthesizeView(Texture(10, 10), cv::Mat1f(10, 11, 1.f), 1.0), Error);
  EXPECT_THROW(SynthesizeView(Texture(10, 10), cv::Mat1f(10, 10, 1.f), std::nan("")), OptionError);
  ViewSynthesisOptions options;
  options.edge_threshold = -1;
  EXPECT_THROW(SynthesizeView(Texture(10, 10), cv::Mat1f(10, 10, 1.f), 1.0, options), OptionError);
}

}  // namespace
}  // namespace depthforge
