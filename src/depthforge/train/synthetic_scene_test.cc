#include "depthforge/train/synthetic_scene.h"

#include <gtest/gtest.h>

#include <cmath>

namespace depthforge {
namespace {

TEST(SyntheticScene, SameSeedSameSceneWithExactPositiveDepth) {
  SyntheticSceneOptions options;
  options.size = {64, 48};
  RgbdSample a = RenderSyntheticScene(7, options), b = RenderSyntheticScene(7, options), c = RenderSyntheticScene(8, options);
  ASSERT_EQ(a.image.size(), cv::Size(64, 48));
  ASSERT_EQ(a.depth.size(), cv::Size(64, 48));
  EXPECT_EQ(cv::norm(a.image, b.image, cv::NORM_INF), 0);
  EXPECT_EQ(cv::norm(a.depth, b.depth, cv::NORM_INF), 0);
  EXPECT_GT(cv::norm(a.depth, c.depth, cv::NORM_INF), 0);  // another seed, another room
  double lo, hi;
  cv::minMaxLoc(a.depth, &lo, &hi);
  EXPECT_GT(lo, 0);
  EXPECT_LT(hi, 100);
  EXPECT_GT(hi - lo, 0.1);  // a room has depth, not a wall at one distance
}

}  // namespace
}  // namespace depthforge
