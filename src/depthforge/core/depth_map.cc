#include "depthforge/core/depth_map.h"

#include <cmath>
#include <limits>

#include "depthforge/core/error.h"

namespace depthforge {

std::string ToString(DepthKind kind) {
  switch (kind) {
    case DepthKind::kMetricDepth: return "metric_depth";
    case DepthKind::kRelativeInverseDepth: return "relative_inverse_depth";
    case DepthKind::kDisparity: return "disparity";
  }
  return "unknown";
}

DepthKind DepthKindFromString(const std::string& name) {
  if (name == "metric_depth") return DepthKind::kMetricDepth;
  if (name == "relative_inverse_depth") return DepthKind::kRelativeInverseDepth;
  if (name == "disparity") return DepthKind::kDisparity;
  throw OptionError("unknown depth kind '" + name +
                    "' (expected metric_depth, relative_inverse_depth or disparity)");
}

std::string UnitOf(DepthKind kind) {
  switch (kind) {
    case DepthKind::kMetricDepth: return "m";
    case DepthKind::kRelativeInverseDepth: return "";
    case DepthKind::kDisparity: return "px";
  }
  return "";
}

cv::Mat1b DepthMap::ValidMask() const {
  cv::Mat1b mask(values.size());
  for (int y = 0; y < values.rows; ++y) {
    const float* v = values[y];
    uchar* m = mask[y];
    for (int x = 0; x < values.cols; ++x) m[x] = (std::isfinite(v[x]) && v[x] > 0.f) ? 255 : 0;
  }
  return mask;
}

std::pair<float, float> DepthMap::ValidRange() const {
  float lo = std::numeric_limits<float>::max();
  float hi = std::numeric_limits<float>::lowest();
  for (int y = 0; y < values.rows; ++y) {
    const float* v = values[y];
    for (int x = 0; x < values.cols; ++x) {
      if (std::isfinite(v[x]) && v[x] > 0.f) {
        lo = std::min(lo, v[x]);
        hi = std::max(hi, v[x]);
      }
    }
  }
  if (lo > hi) return {0.f, 0.f};
  return {lo, hi};
}

}  // namespace depthforge
