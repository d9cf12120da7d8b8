#include "depthforge/estimate/joint_bilateral_upsample.h"

#include <gtest/gtest.h>

#include <opencv2/imgproc.hpp>

#include "depthforge/core/error.h"

namespace depthforge {
namespace {

// A photo with a sharp vertical edge at x = 101 and a depth map that has the
// same edge, reduced 4x (so the low-res edge is blurred across a column).
struct Scene {
  cv::Mat3b photo = cv::Mat3b(120, 200, cv::Vec3b(40, 40, 40));
  cv::Mat1f depth = cv::Mat1f(120, 200, 1.f);
  Scene() {
    photo.colRange(101, 200).setTo(cv::Scalar(220, 200, 180));
    depth.colRange(101, 200).setTo(4.f);
  }
};

double EdgeError(const cv::Mat1f& result, const cv::Mat1f& truth) {
  double error = 0;
  for (int y = 0; y < truth.rows; ++y)
    for (int x = 90; x < 112; ++x) error += std::abs(result(y, x) - truth(y, x));
  return error / (truth.rows * 22);
}

TEST(JointBilateralUpsample, SnapsDepthEdgesToImageEdges) {
  Scene scene;
  cv::Mat1f low;
  cv::resize(scene.depth, low, {50, 30}, 0, 0, cv::INTER_AREA);
  UpsampleOptions bilinear_options;
  bilinear_options.enabled = false;
  cv::Mat1f bilinear = UpsampleDepth(low, scene.photo, bilinear_options);
  cv::Mat1f edge_aware = UpsampleDepth(low, scene.photo, {});
  ASSERT_EQ(edge_aware.size(), scene.photo.size());
  double bilinear_error = EdgeError(bilinear, scene.depth);
  double edge_aware_error = EdgeError(edge_aware, scene.depth);
  EXPECT_LT(edge_aware_error, 0.5 * bilinear_error) << bilinear_error << " vs " << edge_aware_error;
  // Far from the edge both keep the flat values.
  EXPECT_NEAR(edge_aware(60, 20), 1.f, 1e-3);
  EXPECT_NEAR(edge_aware(60, 180), 4.f, 1e-3);
}

TEST(JointBilateralUpsample, UnknownSamplesGetNoWeight) {
  cv::Mat1f low(10, 10, 2.f);
  low(5, 5) = 0.f;
  low(2, 2) = std::nanf("");
  cv::Mat3b photo(40, 40, cv::Vec3b(128, 128, 128));
  cv::Mat1f up = UpsampleDepth(low, photo, {});
  double lo, hi;
  cv::minMaxLoc(up, &lo, &hi);
  EXPECT_NEAR(lo, 2.0, 1e-4);
  EXPECT_NEAR(hi, 2.0, 1e-4);
}

TEST(JointBilateralUpsample, OptionsCheckExplainsBadValues) {
  UpsampleOptions options;
  options.radius = 0;
  EXPECT_THROW(options.Check(), OptionError);
  options = {};
  options.sigma_color = -1;
  EXPECT_THROW(options.Check(), OptionError);
}

}  // namespace
}  // namespace depthforge
