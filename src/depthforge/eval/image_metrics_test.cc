#include "depthforge/eval/image_metrics.h"

#include <gtest/gtest.h>

#include <cmath>

namespace depthforge {
namespace {

TEST(ImageMetrics, PsnrAndSsimOfKnownDifferences) {
  cv::Mat3b a(32, 32);
  cv::randu(a, 0, 200);
  cv::Mat3b b = a + cv::Scalar::all(10);  // every channel off by 10: MSE 100
  EXPECT_NEAR(Psnr(a, b), 10 * std::log10(255.0 * 255.0 / 100.0), 1e-6);
  EXPECT_NEAR(Ssim(a, a), 1.0, 1e-9);
  cv::Mat3b noise(32, 32);
  cv::randu(noise, 0, 255);
  EXPECT_LT(Ssim(a, noise), 0.2);
  cv::Mat1b mask(32, 32, uchar(0));
  mask(cv::Rect(0, 0, 16, 32)).setTo(255);
  cv::Mat3b half = a.clone();
  half(cv::Rect(16, 0, 16, 32)).setTo(cv::Scalar::all(0));  // differs only outside the mask
  EXPECT_GT(Psnr(a, half, mask), 99.0);
}

}  // namespace
}  // namespace depthforge
