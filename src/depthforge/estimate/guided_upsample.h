// Edge-aware upsampling of a low-resolution depth map to the resolution of
// its photo: bilinear upsampling, then a guided filter (He et al., 2010)
// with the photo as guide, so that depth edges snap to the object edges
// visible in the image instead of the network's blocky low-res edges.
#pragma once

#include <opencv2/core.hpp>

namespace depthforge {

struct GuidedUpsampleOptions {
  bool enabled = true;
  // Filter radius in output pixels per input (low-res) pixel; the radius
  // follows the upsampling factor so the filter spans the same scene area.
  double radius_per_factor = 1.0;
  int min_radius = 2;
  // Regularisation on the guide's [0,1] intensities: smaller follows image
  // edges more closely (and texture too).
  double epsilon = 1e-4;
  void Check() const;
};

// 'low' is a float depth-like map (filtered in inverse depth when
// 'inverse' is true, which keeps near edges crisp); 'guide' the BGR photo.
cv::Mat1f UpsampleDepth(const cv::Mat1f& low, const cv::Mat3b& guide, const GuidedUpsampleOptions& options,
                        bool inverse = true);

}  // namespace depthforge
