#include "depthforge/estimate/fixed_depth.h"

#include <cmath>

#include "depthforge/core/error.h"

namespace depthforge {

DepthMap FixedDepthEstimator::Estimate(const cv::Mat3b& bgr) const {
  if (depth_.values.size() != bgr.size()) {
    throw FileError(source_, "depth map is " + std::to_string(depth_.width()) + "x" + std::to_string(depth_.height()) +
                                 " but the photo is " + std::to_string(bgr.cols) + "x" + std::to_string(bgr.rows));
  }
  return depth_;
}

ConstantDepthEstimator::ConstantDepthEstimator(float metres) : metres_(metres) {
  if (!(metres > 0 && std::isfinite(metres))) throw OptionError("a constant depth must be a positive number of metres");
}

DepthMap ConstantDepthEstimator::Estimate(const cv::Mat3b& bgr) const {
  DepthMap depth;
  depth.values = cv::Mat1f(bgr.size(), metres_);
  return depth;
}

std::string ConstantDepthEstimator::name() const { return "constant:" + std::to_string(metres_); }

}  // namespace depthforge
