// Preparing RGB-D samples for training: the same geometric change applied to
// image and depth, colour jitter on the image only, and the focus channel of
// the attention U-Net.
#pragma once

#include <cstdint>

#include <opencv2/core.hpp>

#include "depthforge/train/rgbd_dataset.h"

namespace depthforge {

struct AugmentOptions {
  bool enabled = true;
  bool flip = true;               // horizontal flip with probability 1/2
  double max_scale = 0.15;        // zoom in by up to 15 %
  double max_rotation_degrees = 5;
  double max_translation = 0.05;  // fraction of the size
  double color_jitter = 0.2;      // brightness, contrast, saturation ± 20 %
  void Check() const;
};

// Resizes to 'size' (depth by nearest neighbour, so no depth is invented at
// edges) and, when enabled, applies a random augmentation drawn from 'seed'
// (same seed, same result). Depth stays in metres, 0 = unknown.
RgbdSample PrepareSample(const RgbdSample& sample, cv::Size size, const AugmentOptions& options, uint64_t seed);

// The focus channel of the attention U-Net report: split the image into a
// 6×6 grid, score the inner 4×4 cells by local variance (sharpness), take the
// two sharpest, use the difference of their scores as sigma (at least
// 'min_sigma'), and return the difference of Gaussians (sigma, 2·sigma) of
// the image, scaled to [0, 1]: a 3-channel float image.
cv::Mat3f FocusChannel(const cv::Mat3b& image, double min_sigma = 1.0);

}  // namespace depthforge
