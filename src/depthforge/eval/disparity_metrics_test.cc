#include "depthforge/eval/disparity_metrics.h"

#include <gtest/gtest.h>

#include <cmath>

namespace depthforge {
namespace {

TEST(DisparityMetrics, CountsBadPixelsUnknownsAndTheBorder) {
  cv::Mat1f truth(4, 4, 10.f);
  truth(0, 0) = 0.f;            // unknown ground truth: not counted
  truth(0, 1) = INFINITY;       // unknown too
  cv::Mat1f estimate(4, 4, 10.5f);
  estimate(1, 1) = 11.5f;       // off by 1.5: bad-1, not bad-2
  estimate(2, 2) = 13.f;        // off by 3: bad-1 and bad-2
  estimate(3, 3) = std::nanf(""); // no estimate: bad for both, not in EPE
  DisparityErrors e = CompareDisparity(estimate, truth);
  EXPECT_EQ(e.pixels, 14);
  EXPECT_NEAR(e.bad1, 100.0 * 3 / 14, 1e-9);
  EXPECT_NEAR(e.bad2, 100.0 * 2 / 14, 1e-9);
  EXPECT_NEAR(e.density, 100.0 * 13 / 14, 1e-9);
  EXPECT_NEAR(e.epe, (11 * 0.5 + 1.5 + 3.0) / 13, 1e-6);
  DisparityErrors inner = CompareDisparity(estimate, truth, 1);  // only the 2x2 centre
  EXPECT_EQ(inner.pixels, 4);
  EXPECT_NEAR(inner.bad2, 25.0, 1e-9);
}

}  // namespace
}  // namespace depthforge
