// Synthetic shallow depth of field ("portrait mode") from a photo and its
// depth: disc-shaped blur that grows with distance from the focal plane,
// rendered in depth layers composited far to near, so a sharp subject does
// not bleed a halo into the blurred background and a blurred foreground
// spreads over what is behind it, as a real lens does.
#pragma once

#include <optional>

#include <opencv2/core.hpp>

#include "depthforge/core/depth_map.h"

namespace depthforge {

struct BokehOptions {
  std::optional<cv::Point> focus_point;     // focus on the depth at this pixel...
  std::optional<double> focus_distance;     // ...or at this distance (metres)
  // Blur radius in pixels of a point at infinity; a point at depth z gets
  // aperture · |1 − z_focus / z| (the thin-lens circle of confusion),
  // capped at 3 × aperture in front of the focal plane. Default: 1.2 % of width.
  std::optional<double> aperture;
  int layers = 16;  // depth layers for the compositing
  void Check() const;
};

// Focus defaults to the median depth of the photo's central third.
cv::Mat3b RenderBokeh(const cv::Mat3b& image, const DepthMap& depth, const BokehOptions& options);

}  // namespace depthforge
