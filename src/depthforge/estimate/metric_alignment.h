// Relative → metric: a relative model's inverse depth (MiDaS, Depth
// Anything: nearer is larger, unknown scale and shift) brought to metres by
// fitting it to a metric model's inverse depth over the same photo. The fit
// is scale and shift in inverse depth, as MiDaS is trained and evaluated
// (Ranftl et al.): the structure comes from the relative model, the metres
// from the metric one.
#pragma once

#include <memory>

#include <opencv2/core.hpp>

#include "depthforge/estimate/depth_estimator.h"

namespace depthforge {

struct ScaleShiftFit {
  double scale = 1, shift = 0;
  size_t pixels = 0;         // pixels the fit saw (both maps known)
  double inlier_share = 0;   // of those, weight above one half in the last round
};

struct RobustFitOptions {
  // Tukey's biweight tuning constant in robust standard deviations (MAD ×
  // 1.4826): 4.685 keeps 95 % efficiency on Gaussian residuals while
  // giving outliers no weight at all.
  double tukey_c = 4.685;
  int max_iterations = 50;
  // The fit looks at most this many pixels, spread evenly over the map:
  // more changes the result by far less than its noise.
  int max_pixels = 40000;
};

// target ≈ scale * source + shift over pixels where both are finite (and
// 'mask' is set, when given), by iteratively reweighted least squares with
// Tukey's biweight, started from a fit of the maps' 10th and 90th
// percentiles (which outliers barely move). Throws Error when fewer than
// 16 pixels are usable or the source is constant.
ScaleShiftFit FitScaleShift(const cv::Mat1f& source, const cv::Mat1f& target, const cv::Mat1b& mask = {},
                            const RobustFitOptions& options = {});

// 1 / metres where the depth is known (finite, > 0), NaN elsewhere.
cv::Mat1f InverseOfMetres(const cv::Mat1f& metres);

// Inverse metres from relative inverse depth: scale * r + shift, at least
// 1 / far (beyond the fit's reach: skies). Unknown stays unknown (NaN).
constexpr float kFarthestAlignedDepth = 1000.f;
cv::Mat1f AlignedInverseDepth(const cv::Mat1f& relative, double scale, double shift, float far = kFarthestAlignedDepth);
// Metres from relative inverse depth: 1 / AlignedInverseDepth.
DepthMap MetricFromRelative(const DepthMap& relative, const ScaleShiftFit& fit, float far = kFarthestAlignedDepth);

// A relative model aligned per photo to a metric one (--align-to).
class AlignedDepthEstimator : public DepthEstimator {
 public:
  AlignedDepthEstimator(std::unique_ptr<DepthEstimator> relative, std::unique_ptr<DepthEstimator> reference);
  DepthMap Estimate(const cv::Mat3b& bgr) const override;
  std::string name() const override { return relative_->name() + "@" + reference_->name(); }
  DepthKind kind() const override { return DepthKind::kMetricDepth; }

  const DepthEstimator& relative() const { return *relative_; }
  // Runs the metric model on 'bgr' and fits 'relative' (of the same photo) to it.
  ScaleShiftFit Fit(const cv::Mat3b& bgr, const DepthMap& relative) const;

 private:
  std::unique_ptr<DepthEstimator> relative_, reference_;
};

}  // namespace depthforge
