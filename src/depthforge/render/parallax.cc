#include "depthforge/render/parallax.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

#include "depthforge/core/error.h"

namespace depthforge {

void ParallaxOptions::Check() const {
  if (!(strength >= 0 && strength <= 20)) {
    throw OptionError("stereo strength must be between 0 and 20 percent of the image width, got " + std::to_string(strength));
  }
  if (!(convergence >= 0 && convergence <= 1)) {
    throw OptionError("convergence must be between 0 (far) and 1 (near), got " + std::to_string(convergence));
  }
}

namespace {

// Nearness: inverse depth for metric maps, the value itself otherwise; NaN
// where the depth is not usable.
float Nearness(const DepthMap& depth, float v) {
  if (!std::isfinite(v) || v <= 0) return std::numeric_limits<float>::quiet_NaN();
  return depth.kind == DepthKind::kMetricDepth ? 1.f / v : v;
}

}  // namespace

cv::Mat1f NearnessMap(const DepthMap& depth) {
  cv::Mat1f nearness(depth.values.size());
  for (int y = 0; y < depth.height(); ++y) {
    const float* in = depth.values[y];
    float* out = nearness[y];
    for (int x = 0; x < depth.width(); ++x) out[x] = Nearness(depth, in[x]);
  }
  return nearness;
}

NearnessRange MeasureNearnessRange(const cv::Mat1f& nearness) {
  std::vector<float> samples;
  samples.reserve(nearness.total() / 4 + 1);
  // Every 4th usable pixel, counted over the usable ones (not by position,
  // so sparse maps on odd rows still count).
  int64_t usable = 0;
  for (float n : nearness) {
    if (std::isfinite(n) && usable++ % 4 == 0) samples.push_back(n);
  }
  if (samples.empty()) throw Error("the depth map has no usable pixel (every value is NaN, infinite, zero or negative)");
  auto percentile = [&](double q) {
    size_t k = std::min(samples.size() - 1, size_t(q * double(samples.size() - 1)));
    std::nth_element(samples.begin(), samples.begin() + long(k), samples.end());
    return samples[k];
  };
  return {percentile(0.01), percentile(0.99)};
}

NearnessRange MeasureNearnessRange(const DepthMap& depth) { return MeasureNearnessRange(NearnessMap(depth)); }

cv::Mat1f DisparityFromDepth(const DepthMap& depth, const ParallaxOptions& options) {
  cv::Mat1f nearness = NearnessMap(depth);
  return DisparityFromNearness(nearness, options, MeasureNearnessRange(nearness));
}

cv::Mat1f DisparityFromDepth(const DepthMap& depth, const ParallaxOptions& options, const NearnessRange& range) {
  return DisparityFromNearness(NearnessMap(depth), options, range);
}

cv::Mat1f DisparityFromNearness(const cv::Mat1f& nearness, const ParallaxOptions& options, const NearnessRange& range) {
  options.Check();
  const float span = range.near - range.far;
  const double max_disparity = options.strength / 100.0 * nearness.cols;
  cv::Mat1f disparity(nearness.size());
  for (int y = 0; y < nearness.rows; ++y) {
    const float* in = nearness[y];
    float* out = disparity[y];
    for (int x = 0; x < nearness.cols; ++x) {
      const float n = in[x];
      // A constant depth map has no range: everything sits at the screen.
      float unit = span > 1e-12f ? std::clamp((n - range.far) / span, 0.f, 1.f) : float(options.convergence);
      out[x] = std::isfinite(n) ? float(max_disparity * (unit - options.convergence)) : n;
    }
  }
  return disparity;
}

}  // namespace depthforge
