#include "depthforge/core/depth_map.h"

#include <cmath>
#include <limits>

#include "depthforge/core/error.h"

namespace depthforge {

std::string ToString(DepthKind kind) { return DepthKindNames().Name(kind); }

const EnumNames<DepthKind>& DepthKindNames() {
  static const EnumNames<DepthKind> kNames{"depth kind", {{"metric_depth", DepthKind::kMetricDepth},
      {"relative_inverse_depth", DepthKind::kRelativeInverseDepth}, {"disparity", DepthKind::kDisparity}}};
  return kNames;
}
DepthKind DepthKindFromString(const std::string& name) { return DepthKindNames().Parse(name); }

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

int CompareNearness(DepthKind kind, float a, float b) {
  if (!(std::isfinite(a) && a > 0 && std::isfinite(b) && b > 0) || a == b) return 0;
  const bool a_smaller = a < b;
  return (kind == DepthKind::kMetricDepth) == a_smaller ? 1 : -1;
}

}  // namespace depthforge
