// Dense disparity from a rectified stereo pair: semi-global matching in
// both directions, left-right consistency, sub-pixel disparities, and
// edge-aware filling of the pixels the consistency check rejects (weighted
// least squares guided by the left image), with a per-pixel confidence.
#pragma once

#include <opencv2/core.hpp>

namespace depthforge {

// Narrower pairs are refused: SGBM needs a 16-pixel search range inside the image.
constexpr int kMinStereoWidth = 32;

struct StereoMatchOptions {
  // Search range in pixels, rounded up to a multiple of 16 and kept at
  // least 16 pixels inside the image width.
  int max_disparity = 64;
  int block_size = 5;      // odd, matching window
  // Aggregate costs along all 8 directions (slower, slightly more accurate)
  // instead of the 3-way single-pass variant (docs/STEREO.md).
  bool eight_paths = false;
  bool left_right_check = true;
  bool fill = true;           // WLS filtering and filling of rejected pixels
  double wls_lambda = 8000;   // smoothness of the WLS filter
  double wls_sigma = 1.5;     // its colour sensitivity
  double min_confidence = 0.0;  // with fill: below this confidence the output is NaN
  void Check() const;
};

struct StereoMatchResult {
  cv::Mat1f disparity;   // left-image disparity in pixels, NaN where unknown
  cv::Mat1f confidence;  // 0..1 (1 = left-right consistent and textured)
};

// Throws Error when the images differ in size or are narrower than
// kMinStereoWidth; 8-bit grey or BGR images. With fill, every pixel has a
// disparity, the left border that the right camera does not see included.
StereoMatchResult MatchStereo(const cv::Mat& left, const cv::Mat& right, const StereoMatchOptions& options = {});

// OpenCV's StereoSGBM as it comes (block size 3, no penalties set, no
// post-processing), the peer the matcher is measured against.
cv::Mat1f MatchStereoPlainSgbm(const cv::Mat& left, const cv::Mat& right, int max_disparity);

// Metric depth from disparity: focal · baseline / (d + doffs), in the
// baseline's unit; unknown (NaN) where the disparity is unknown or d + doffs <= 0.
cv::Mat1f DepthFromDisparity(const cv::Mat1f& disparity, double focal, double baseline, double doffs = 0);

// Median vertical offset (px) between features matched across the pair:
// near 0 for a rectified pair. Returns NaN when too few features match.
double MedianRowOffset(const cv::Mat& left, const cv::Mat& right);


}  // namespace depthforge
