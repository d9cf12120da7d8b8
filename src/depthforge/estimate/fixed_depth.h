// A "depth estimator" that returns a depth map the user already has (for
// `convert --depth FILE`), after checking it fits the photo.
#pragma once

#include "depthforge/estimate/depth_estimator.h"

namespace depthforge {

class FixedDepthEstimator : public DepthEstimator {
 public:
  FixedDepthEstimator(DepthMap depth, std::string source) : depth_(std::move(depth)), source_(std::move(source)) {}
  // Throws Error naming the depth file when the sizes differ.
  DepthMap Estimate(const cv::Mat3b& bgr) const override;
  std::string name() const override { return source_; }
  DepthKind kind() const override { return depth_.kind; }

 private:
  DepthMap depth_;
  std::string source_;
};

// The baseline every depth network must beat: the same depth everywhere
// (model name "constant:METRES").
class ConstantDepthEstimator : public DepthEstimator {
 public:
  explicit ConstantDepthEstimator(float metres);  // throws OptionError unless positive
  DepthMap Estimate(const cv::Mat3b& bgr) const override;
  std::string name() const override;
  DepthKind kind() const override { return DepthKind::kMetricDepth; }

 private:
  float metres_;
};

}  // namespace depthforge
