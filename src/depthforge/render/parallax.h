// From a depth map to the disparity a stereo pair is rendered with: the two
// controls users set (strength and convergence). Not to be confused with
// stereo matching (stereo/stereo_matcher.h), which measures disparity.
#pragma once

#include <opencv2/core.hpp>

#include "depthforge/core/depth_map.h"

namespace depthforge {

// The two user controls of stereo conversion. Disparity in pixels for a
// depth map: strength = the largest parallax in percent of the image width,
// spread over the inverse-depth range of the map (robust 1st..99th
// percentile); convergence in [0, 1] = the depth that stays at the screen
// plane as a fraction of that range (0 = the far end: everything comes out
// of the screen; 1 = the near end: everything goes behind it).
struct ParallaxOptions {
  double strength = 3.0;     // percent of image width
  double convergence = 0.5;
  void Check() const;
};
cv::Mat1f DisparityFromDepth(const DepthMap& depth, const ParallaxOptions& options);

// The nearness range the controls are spread over: the robust 1st and 99th
// percentiles of nearness (inverse depth for metric maps). Videos smooth it
// over frames so the stereo effect does not pump. Throws Error when no
// pixel is usable.
struct NearnessRange {
  float far = 0, near = 0;
};
NearnessRange MeasureNearnessRange(const DepthMap& depth);
// The same with a given range (values outside it are clamped).
cv::Mat1f DisparityFromDepth(const DepthMap& depth, const ParallaxOptions& options, const NearnessRange& range);

// Nearness per pixel: inverse depth for metric maps, the value itself for
// relative (inverse-depth) maps; NaN where the depth is unusable. Videos
// smooth it over time before it becomes disparity.
cv::Mat1f NearnessMap(const DepthMap& depth);
NearnessRange MeasureNearnessRange(const cv::Mat1f& nearness);
cv::Mat1f DisparityFromNearness(const cv::Mat1f& nearness, const ParallaxOptions& options, const NearnessRange& range);

}  // namespace depthforge
