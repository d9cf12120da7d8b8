#include "depthforge/train/augment.h"

#include <gtest/gtest.h>

#include <cmath>

namespace depthforge {
namespace {

TEST(Augment, DeterministicPerSeedAndNoDepthInvented) {
  RgbdSample sample;
  sample.image = cv::Mat3b(60, 80);
  cv::randu(sample.image, 0, 255);
  sample.depth = cv::Mat1f(60, 80, 2.f);
  sample.depth(cv::Rect(40, 0, 40, 60)).setTo(5.f);  // two surfaces
  sample.depth(0, 0) = std::nanf("");                 // unknown
  AugmentOptions options;
  RgbdSample a = PrepareSample(sample, {40, 30}, options, 11), b = PrepareSample(sample, {40, 30}, options, 11);
  EXPECT_EQ(a.image.size(), cv::Size(40, 30));
  EXPECT_EQ(cv::norm(a.image, b.image, cv::NORM_INF), 0);
  for (int y = 0; y < a.depth.rows; ++y) {
    for (int x = 0; x < a.depth.cols; ++x) {
      float v = a.depth(y, x), w = b.depth(y, x);
      EXPECT_TRUE((std::isnan(v) && std::isnan(w)) || v == w);
      // Nearest neighbour: known depth is one of the two surfaces, never a blend at the edge.
      EXPECT_TRUE(std::isnan(v) || v == 2.f || v == 5.f) << v;
    }
  }
  options.enabled = false;
  RgbdSample plain = PrepareSample(sample, {40, 30}, options, 11);
  EXPECT_EQ(plain.depth(15, 5), 2.f);
  EXPECT_EQ(plain.depth(15, 35), 5.f);
}

}  // namespace
}  // namespace depthforge
