#include "depthforge/render/parallax.h"

#include <gtest/gtest.h>

#include <cmath>

#include "depthforge/core/error.h"

namespace depthforge {
namespace {


TEST(DisparityFromDepth, StrengthAndConvergence) {
  DepthMap depth;
  depth.values = cv::Mat1f(10, 100, 0.f);
  for (int x = 0; x < 100; ++x) depth.values.col(x).setTo(1.f / (0.1f + 0.009f * x));  // inverse depth ramps 0.1..1
  ParallaxOptions options;
  options.strength = 5.0;  // 5 px on a 100 px wide image
  options.convergence = 0.0;
  cv::Mat1f d = DisparityFromDepth(depth, options);
  EXPECT_NEAR(d(5, 0), 0.f, 0.1f);   // farthest at the screen
  EXPECT_NEAR(d(5, 99), 5.f, 0.1f);  // nearest pops out by the full strength
  options.convergence = 1.0;
  d = DisparityFromDepth(depth, options);
  EXPECT_NEAR(d(5, 99), 0.f, 0.1f);
  EXPECT_NEAR(d(5, 0), -5.f, 0.1f);
}

TEST(DisparityFromDepth, InvalidValuesAreMaskedNotPropagated) {
  DepthMap depth;
  depth.values = cv::Mat1f(4, 4, 2.f);
  depth.values(0, 0) = std::nanf("");
  depth.values(0, 1) = INFINITY;
  depth.values(0, 2) = -1.f;
  depth.values(0, 3) = 0.f;
  depth.values(3, 3) = 1.f;
  cv::Mat1f d = DisparityFromDepth(depth, {});
  for (int x = 0; x < 4; ++x) EXPECT_TRUE(std::isnan(d(0, x))) << x;
  for (int y = 1; y < 4; ++y)
    for (int x = 0; x < 4; ++x) EXPECT_TRUE(std::isfinite(d(y, x)));
  // A constant map: everything at the screen plane, no disparity at all.
  depth.values.setTo(3.f);
  cv::Mat1f flat = DisparityFromDepth(depth, {});
  EXPECT_EQ(cv::countNonZero(flat != 0.f), 0);
  // Nothing valid: an error, not a grey picture.
  depth.values.setTo(std::nanf(""));
  EXPECT_THROW(DisparityFromDepth(depth, {}), Error);
}

TEST(DisparityFromDepth, AbsurdSettingsAreRefused) {
  DepthMap depth;
  depth.values = cv::Mat1f(4, 4, 2.f);
  ParallaxOptions options;
  options.strength = 80;
  EXPECT_THROW(DisparityFromDepth(depth, options), OptionError);
  options = {};
  options.convergence = 2;
  EXPECT_THROW(DisparityFromDepth(depth, options), OptionError);
}

TEST(DisparityFromDepth, SparseMapsCountEveryValidPixel) {
  DepthMap depth;
  depth.values = cv::Mat1f(20, 20, std::nanf(""));
  for (int y = 1; y < 20; y += 2) depth.values.row(y).setTo(1.f + 0.1f * float(y));  // odd rows only
  cv::Mat1f disparity = DisparityFromDepth(depth, ParallaxOptions{});
  EXPECT_TRUE(std::isfinite(disparity(1, 5)));
  EXPECT_TRUE(std::isnan(disparity(0, 5)));
  depth.values.setTo(std::nanf(""));
  EXPECT_THROW(DisparityFromDepth(depth, ParallaxOptions{}), Error);
}

}  // namespace
}  // namespace depthforge
