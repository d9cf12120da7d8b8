// A per-pixel depth value map that knows what its numbers mean.
#pragma once

#include <string>

#include <opencv2/core.hpp>

#include "depthforge/core/enum_names.h"

namespace depthforge {

enum class DepthKind {
  kMetricDepth,           // distance along the optical axis, in metres
  kRelativeInverseDepth,  // proportional to 1/depth up to an unknown scale and shift
  kDisparity,             // horizontal disparity in pixels (left image)
};

std::string ToString(DepthKind kind);
const EnumNames<DepthKind>& DepthKindNames();
DepthKind DepthKindFromString(const std::string& name);  // throws OptionError
std::string UnitOf(DepthKind kind);                      // "m", "", "px"

// Which of two values of this kind is nearer the camera: +1 'a', -1 'b',
// 0 equal or either unknown (not finite or <= 0). Metric depth: smaller is
// nearer; inverse depth and disparity: larger is nearer.
int CompareNearness(DepthKind kind, float a, float b);

struct DepthMap {
  cv::Mat1f values;  // H×W; NaN or a value <= 0 marks an unknown pixel
  DepthKind kind = DepthKind::kMetricDepth;

  int width() const { return values.cols; }
  int height() const { return values.rows; }
  bool empty() const { return values.empty(); }

  // Pixels holding a usable value: finite and > 0.
  cv::Mat1b ValidMask() const;
  // Min and max over valid pixels; {0,0} when none is valid.
  std::pair<float, float> ValidRange() const;
};

}  // namespace depthforge
