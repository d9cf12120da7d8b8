// Standard monocular depth metrics (Eigen et al. 2014 and later papers).
#pragma once

#include <optional>
#include <string>

#include <opencv2/core.hpp>

namespace depthforge {

struct DepthMetrics {
  int64_t pixels = 0;  // valid pixels compared
  double abs_rel = 0;  // mean |p - g| / g
  double sq_rel = 0;   // mean (p - g)^2 / g
  double rmse = 0;     // sqrt mean (p - g)^2
  double rmse_log = 0; // sqrt mean (ln p - ln g)^2
  double log10 = 0;    // mean |log10 p - log10 g|
  double mae = 0;      // mean |p - g|
  double delta1 = 0, delta2 = 0, delta3 = 0;  // fraction with max(p/g, g/p) < 1.25^k
  double silog = 0;    // 100 * sqrt(mean d^2 - (mean d)^2), d = ln p - ln g
};

struct EvalRegion {
  float min_depth = 1e-3f;
  float max_depth = 10.f;
  std::optional<cv::Rect> crop;  // pixels outside are ignored
};

// The Eigen crop for NYU at 640×480: rows 45:471, cols 41:601, scaled to the
// given size.
cv::Rect EigenCrop(cv::Size size);

// Compares prediction and ground truth (same size, metres) over pixels where
// the ground truth is within [min_depth, max_depth] and inside the crop.
// Predictions are clamped to that range, as is customary.
DepthMetrics ComputeDepthMetrics(const cv::Mat1f& prediction, const cv::Mat1f& ground_truth,
                                 const EvalRegion& region = {});

// Pearson correlation of two same-size maps.
double PearsonCorrelation(const cv::Mat1f& a, const cv::Mat1f& b);

}  // namespace depthforge
