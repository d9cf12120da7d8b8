// Preparing RGB-D samples for training: the same geometric change applied to
// image and depth, colour jitter on the image only, and the focus channel of
// the attention U-Net.
#pragma once

#include <cstdint>

#include <opencv2/core.hpp>

#include "depthforge/io/rgbd_dataset.h"
#include "depthforge/models/focus_channel.h"

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
// (same seed, same result). Depth stays in metres, NaN = unknown.
RgbdSample PrepareSample(const RgbdSample& sample, cv::Size size, const AugmentOptions& options, uint64_t seed);


}  // namespace depthforge
