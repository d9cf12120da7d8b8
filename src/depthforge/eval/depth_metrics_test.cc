#include "depthforge/eval/depth_metrics.h"

#include <gtest/gtest.h>

#include <cmath>

namespace depthforge {
namespace {

// Two pixels, worked by hand: g = {1, 2}, p = {1.5, 2}.
TEST(DepthMetrics, HandComputedValues) {
  cv::Mat1f gt = (cv::Mat1f(1, 2) << 1.f, 2.f);
  cv::Mat1f pred = (cv::Mat1f(1, 2) << 1.5f, 2.f);
  DepthMetrics m = ComputeDepthMetrics(pred, gt);
  EXPECT_EQ(m.pixels, 2);
  EXPECT_NEAR(m.abs_rel, (0.5 / 1 + 0) / 2, 1e-9);
  EXPECT_NEAR(m.sq_rel, (0.25 / 1) / 2, 1e-9);
  EXPECT_NEAR(m.rmse, std::sqrt(0.25 / 2), 1e-7);
  EXPECT_NEAR(m.mae, 0.25, 1e-9);
  EXPECT_NEAR(m.rmse_log, std::sqrt(std::pow(std::log(1.5), 2) / 2), 1e-7);
  EXPECT_NEAR(m.log10, std::log10(1.5) / 2, 1e-7);
  EXPECT_NEAR(m.delta1, 0.5, 1e-9);  // 1.5 > 1.25
  EXPECT_NEAR(m.delta2, 1.0, 1e-9);  // 1.5 < 1.5625
  double d0 = std::log(1.5), mean = d0 / 2;
  EXPECT_NEAR(m.silog, 100 * std::sqrt(d0 * d0 / 2 - mean * mean), 1e-5);
}

TEST(DepthMetrics, MasksInvalidGroundTruthAndCrops) {
  cv::Mat1f gt(480, 640, 2.f);
  cv::Mat1f pred(480, 640, 2.f);
  gt(0, 0) = 0.f;                // invalid
  gt(100, 100) = std::nanf("");  // invalid
  gt(200, 200) = 20.f;           // beyond max depth
  pred(10, 10) = 100.f;          // outside the Eigen crop: ignored
  EvalRegion region;
  region.crop = EigenCrop(gt.size());
  EXPECT_EQ(*region.crop, cv::Rect(41, 45, 560, 426));
  DepthMetrics m = ComputeDepthMetrics(pred, gt, region);
  EXPECT_EQ(m.pixels, 560 * 426 - 2);
  EXPECT_DOUBLE_EQ(m.abs_rel, 0.0);
  EXPECT_DOUBLE_EQ(m.delta1, 1.0);
}

TEST(DepthMetrics, PearsonOfLinearMapsIsOne) {
  cv::Mat1f a(4, 4), b(4, 4);
  for (int i = 0; i < 16; ++i) { a(i / 4, i % 4) = float(i); b(i / 4, i % 4) = 3.f * float(i) + 1.f; }
  EXPECT_NEAR(PearsonCorrelation(a, b), 1.0, 1e-9);
  EXPECT_NEAR(PearsonCorrelation(a, -b), -1.0, 1e-9);
}

}  // namespace
}  // namespace depthforge
