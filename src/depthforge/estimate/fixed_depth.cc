#include "depthforge/estimate/fixed_depth.h"

#include "depthforge/core/error.h"

namespace depthforge {

DepthMap FixedDepthEstimator::Estimate(const cv::Mat3b& bgr) const {
  if (depth_.values.size() != bgr.size()) {
    throw FileError(source_, "depth map is " + std::to_string(depth_.width()) + "x" + std::to_string(depth_.height()) +
                                 " but the photo is " + std::to_string(bgr.cols) + "x" + std::to_string(bgr.rows));
  }
  return depth_;
}

}  // namespace depthforge
