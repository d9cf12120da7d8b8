#include "depthforge/estimate/metric_alignment.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include <opencv2/imgproc.hpp>

#include "depthforge/core/error.h"

namespace depthforge {
namespace {

double Quantile(std::vector<double> values, double q) {
  const size_t k = std::min(values.size() - 1, size_t(q * double(values.size() - 1) + 0.5));
  std::nth_element(values.begin(), values.begin() + long(k), values.end());
  return values[k];
}

}  // namespace

ScaleShiftFit FitScaleShift(const cv::Mat1f& source, const cv::Mat1f& target, const cv::Mat1b& mask,
                            const RobustFitOptions& options) {
  if (source.size() != target.size() || (!mask.empty() && mask.size() != source.size())) {
    throw Error("scale and shift fit: the maps differ in size");
  }
  size_t usable = 0;
  for (int y = 0; y < source.rows; ++y) {
    for (int x = 0; x < source.cols; ++x) {
      usable += std::isfinite(source(y, x)) && std::isfinite(target(y, x)) && (mask.empty() || mask(y, x));
    }
  }
  // An even spread: every stride-th usable pixel.
  const size_t stride = std::max<size_t>(1, usable / size_t(std::max(1, options.max_pixels)));
  std::vector<double> xs, ys;
  size_t seen = 0;
  for (int y = 0; y < source.rows; ++y) {
    for (int x = 0; x < source.cols; ++x) {
      const float s = source(y, x), t = target(y, x);
      if (!std::isfinite(s) || !std::isfinite(t) || (!mask.empty() && !mask(y, x))) continue;
      if (seen++ % stride == 0) xs.push_back(s), ys.push_back(t);
    }
  }
  if (xs.size() < 16) throw Error("scale and shift fit: fewer than 16 pixels known in both maps");
  const double x10 = Quantile(xs, 0.1), x90 = Quantile(xs, 0.9);
  if (!(x90 > x10)) throw Error("scale and shift fit: the relative map is constant");
  ScaleShiftFit fit;
  fit.pixels = xs.size();
  fit.scale = (Quantile(ys, 0.9) - Quantile(ys, 0.1)) / (x90 - x10);
  {
    std::vector<double> offsets(xs.size());
    for (size_t i = 0; i < xs.size(); ++i) offsets[i] = ys[i] - fit.scale * xs[i];
    fit.shift = Quantile(offsets, 0.5);
  }
  std::vector<double> residual(xs.size()), magnitude(xs.size());
  // Two stages: the spread of the residuals first from all pixels (the
  // median absolute residual, which outliers inflate but cannot break),
  // then, once that fit has settled, from the pixels inside the cut-off
  // only, so that the window narrows to the noise and admits fewer
  // outliers (whose residuals near the line are not symmetric: they bias
  // the shift).
  bool inliers_only = false;
  double cutoff = 0;
  for (int iteration = 0; iteration < options.max_iterations; ++iteration) {
    for (size_t i = 0; i < xs.size(); ++i) residual[i] = ys[i] - (fit.scale * xs[i] + fit.shift);
    magnitude.clear();
    for (double r : residual) {
      if (!inliers_only || std::abs(r) < cutoff) magnitude.push_back(std::abs(r));
    }
    if (magnitude.empty()) break;
    double sigma = 1.4826 * Quantile(magnitude, 0.5);
    if (!(sigma > 0)) sigma = std::numeric_limits<double>::epsilon() * (1.0 + std::abs(fit.shift));
    cutoff = options.tukey_c * sigma;
    double sw = 0, sx = 0, sy = 0, sxx = 0, sxy = 0, strong = 0;
    for (size_t i = 0; i < xs.size(); ++i) {
      const double u = residual[i] / cutoff;
      if (std::abs(u) >= 1) continue;
      const double w = (1 - u * u) * (1 - u * u);
      strong += w > 0.5;
      sw += w, sx += w * xs[i], sy += w * ys[i], sxx += w * xs[i] * xs[i], sxy += w * xs[i] * ys[i];
    }
    const double det = sw * sxx - sx * sx;
    if (!(sw > 0) || !(std::abs(det) > 1e-15 * sw * sxx)) break;
    const double scale = (sw * sxy - sx * sy) / det;
    const double shift = (sy - scale * sx) / sw;
    const bool settled = std::abs(scale - fit.scale) <= 1e-10 * std::abs(scale) && std::abs(shift - fit.shift) <= 1e-10 * (std::abs(shift) + std::abs(scale));
    fit.scale = scale;
    fit.shift = shift;
    fit.inlier_share = strong / double(xs.size());
    if (settled && inliers_only) break;
    if (settled || iteration == options.max_iterations / 2) inliers_only = true;
  }
  return fit;
}

cv::Mat1f InverseOfMetres(const cv::Mat1f& metres) {
  cv::Mat1f inverse(metres.size(), std::numeric_limits<float>::quiet_NaN());
  for (int y = 0; y < inverse.rows; ++y) {
    for (int x = 0; x < inverse.cols; ++x) {
      const float d = metres(y, x);
      if (std::isfinite(d) && d > 0) inverse(y, x) = 1.f / d;
    }
  }
  return inverse;
}

cv::Mat1f AlignedInverseDepth(const cv::Mat1f& relative, double scale, double shift, float far) {
  const float nearest_inverse = 1.f / far;
  cv::Mat1f inverse = relative * scale + shift;  // NaN stays NaN
  inverse.setTo(nearest_inverse, inverse < nearest_inverse);  // NaN compares false: kept
  return inverse;
}

DepthMap MetricFromRelative(const DepthMap& relative, const ScaleShiftFit& fit, float far) {
  DepthMap metric;
  metric.kind = DepthKind::kMetricDepth;
  cv::divide(1.0, AlignedInverseDepth(relative.values, fit.scale, fit.shift, far), metric.values);
  return metric;
}

AlignedDepthEstimator::AlignedDepthEstimator(std::unique_ptr<DepthEstimator> relative, std::unique_ptr<DepthEstimator> reference)
    : relative_(std::move(relative)), reference_(std::move(reference)) {
  if (relative_->kind() != DepthKind::kRelativeInverseDepth) {
    throw OptionError("--align-to aligns a relative model, and " + relative_->name() + " already gives " + ToString(relative_->kind()));
  }
  if (reference_->kind() != DepthKind::kMetricDepth) {
    throw OptionError("--align-to needs a metric model to align to, and " + reference_->name() + " gives " + ToString(reference_->kind()));
  }
}

ScaleShiftFit AlignedDepthEstimator::Fit(const cv::Mat3b& bgr, const DepthMap& relative) const {
  cv::Mat1f inverse = InverseOfMetres(reference_->Estimate(bgr).values);
  cv::Mat1f source = relative.values;
  if (source.size() != inverse.size()) cv::resize(source, source, inverse.size(), 0, 0, cv::INTER_LINEAR);
  return FitScaleShift(source, inverse);
}

DepthMap AlignedDepthEstimator::Estimate(const cv::Mat3b& bgr) const {
  DepthMap relative = relative_->Estimate(bgr);
  return MetricFromRelative(relative, Fit(bgr, relative));
}

}  // namespace depthforge
