// Stereo accuracy as the Middlebury benchmark reports it.
#pragma once

#include <cstdint>

#include <opencv2/core.hpp>

namespace depthforge {

struct DisparityErrors {
  double bad1 = 0, bad2 = 0;  // % of ground-truth pixels with error > 1 / > 2 px (unknown output counts as bad)
  double epe = 0;             // mean absolute error (px) over pixels with an estimate
  double density = 0;         // % of ground-truth pixels with an estimate
  int64_t pixels = 0;
};
// Ground truth: NaN, inf or <= 0 = unknown; 'border' pixels are skipped.
DisparityErrors CompareDisparity(const cv::Mat1f& estimate, const cv::Mat1f& ground_truth, int border = 0);

}  // namespace depthforge
