#include "depthforge/estimate/metric_alignment.h"

#include <cmath>
#include <random>

#include <gtest/gtest.h>

#include "depthforge/core/error.h"
#include "depthforge/io/rgbd_dataset.h"
#include "depthforge/testing/test_util.h"

namespace depthforge {
namespace {

// A relative model's map made from ground-truth inverse depth by a known
// scale and shift, with a share of gross mistakes (random values over the
// map's whole range); and the metric model's inverse depth as the ground
// truth with Gaussian noise (a share of its range).
struct AlignmentCase {
  cv::Mat1f relative, metric_inverse;
};

AlignmentCase MakeCase(const cv::Mat1f& inverse, double scale, double shift, double noise, double outlier_share,
                       uint32_t seed) {
  std::mt19937 rng(seed);
  double low = 0, high = 0;
  cv::minMaxLoc(inverse, &low, &high, nullptr, nullptr, inverse == inverse);
  const double r_low = (low - shift) / scale, r_high = (high - shift) / scale;
  std::normal_distribution<double> gaussian(0.0, noise * (high - low));
  std::uniform_real_distribution<double> uniform(0, 1);
  AlignmentCase c{cv::Mat1f(inverse.size(), std::numeric_limits<float>::quiet_NaN()),
                  cv::Mat1f(inverse.size(), std::numeric_limits<float>::quiet_NaN())};
  for (int y = 0; y < inverse.rows; ++y) {
    for (int x = 0; x < inverse.cols; ++x) {
      const float v = inverse(y, x);
      if (!std::isfinite(v)) continue;
      c.relative(y, x) = uniform(rng) < outlier_share ? float(r_low + uniform(rng) * (r_high - r_low)) : float((v - shift) / scale);
      c.metric_inverse(y, x) = float(v + gaussian(rng));
    }
  }
  return c;
}

TEST(MetricAlignment, RecoversScaleAndShiftWithNoiseAndOutliersOnRealFrames) {
  DEPTHFORGE_REQUIRE_MIRROR_FILE(match, "data/rgbd/rgbd.match");
  (void)match;
  auto dataset = OpenFolderDataset(testing::MirrorDir() + "/data/rgbd");
  ASSERT_GE(dataset->size(), 5u);
  // Inverse depth = scale * relative + shift: a relative model's output
  // would be some such affine image of the true inverse depth.
  const double kScale[] = {0.35, 2.5, 7.0}, kShift[] = {0.4, -0.6, 1.2};
  for (size_t i = 0; i < dataset->size(); ++i) {
    RgbdSample sample = dataset->Get(i);
    cv::Mat1f inverse = InverseOfMetres(sample.depth);
    const double scale = kScale[i % 3], shift = kShift[i % 3];
    AlignmentCase c = MakeCase(inverse, scale, shift, /*noise=*/0.02, /*outlier_share=*/0.2, uint32_t(11 + i));
    const cv::Mat1f& relative = c.relative;
    ScaleShiftFit fit = FitScaleShift(relative, c.metric_inverse);
    SCOPED_TRACE(sample.name);
    EXPECT_NEAR(fit.scale, scale, 0.01 * scale);
    EXPECT_NEAR(fit.shift, shift, 0.01 * std::abs(shift));
    EXPECT_GT(fit.inlier_share, 0.7);
    // Plain least squares, the comparison: the outliers pull it far off.
    double sx = 0, sy = 0, sxx = 0, sxy = 0, n = 0;
    for (int y = 0; y < inverse.rows; ++y) {
      for (int x = 0; x < inverse.cols; ++x) {
        const double a = relative(y, x), b = c.metric_inverse(y, x);
        if (!std::isfinite(a) || !std::isfinite(b)) continue;
        sx += a, sy += b, sxx += a * a, sxy += a * b, n += 1;
      }
    }
    const double least_squares_scale = (n * sxy - sx * sy) / (n * sxx - sx * sx);
    EXPECT_GT(std::abs(least_squares_scale - scale), 0.1 * scale) << "the outliers should defeat a plain fit";
  }
}

TEST(MetricAlignment, MetricFromRelativeInvertsTheFitAndClampsBeyondFar) {
  DepthMap relative;
  relative.kind = DepthKind::kRelativeInverseDepth;
  relative.values = (cv::Mat1f(1, 4) << 1.f, 0.5f, -1.f, std::numeric_limits<float>::quiet_NaN());
  DepthMap metric = MetricFromRelative(relative, ScaleShiftFit{0.4, 0.1}, 100.f);
  EXPECT_EQ(metric.kind, DepthKind::kMetricDepth);
  EXPECT_FLOAT_EQ(metric.values(0, 0), 2.f);          // 1 / (0.4 + 0.1)
  EXPECT_FLOAT_EQ(metric.values(0, 1), 1.f / 0.3f);   // 1 / (0.2 + 0.1)
  EXPECT_FLOAT_EQ(metric.values(0, 2), 100.f);        // inverse -0.3: beyond the far limit
  EXPECT_TRUE(std::isnan(metric.values(0, 3)));
}

TEST(MetricAlignment, TooFewPixelsOrAConstantMapIsAClearError) {
  cv::Mat1f few(3, 3, 1.f), target(3, 3, 2.f);
  EXPECT_THROW(FitScaleShift(few, target), Error);
  cv::Mat1f flat(40, 40, 1.f), varied(40, 40);
  cv::randu(varied, 0.f, 1.f);
  EXPECT_THROW(FitScaleShift(flat, varied), Error);
}

}  // namespace
}  // namespace depthforge
