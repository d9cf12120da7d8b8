// Edge-aware upsampling of a low-resolution depth map to the resolution of
// its photo by joint bilateral upsampling (Kopf et al., SIGGRAPH 2007):
// every output pixel averages nearby low-resolution depth samples, weighted
// by distance and by how similar the photo's colour there is to the colour
// at the output pixel. Depth edges therefore snap to the object edges of
// the photo instead of being smeared across them as bilinear upsampling does.
#pragma once

#include <opencv2/core.hpp>

namespace depthforge {

struct UpsampleOptions {
  bool enabled = true;         // false: plain bilinear
  int radius = 1;              // window radius in low-resolution pixels
  double sigma_spatial = 0.5;  // in low-resolution pixels
  double sigma_color = 12.0;   // in 8-bit colour levels (Euclidean over B,G,R)
  // Where every sample of a window lies within this fraction of the largest
  // (no depth edge), the bilinear value is used: it differs from the
  // bilateral one by less than that, and on 720p video frames skips the
  // weights for about half the pixels (docs/ACCURACY.md). 0 = everywhere.
  double flat_tolerance = 0.03;
  void Check() const;
};

// 'low' is a float depth-like map, 'guide' the BGR photo at the output
// size. With 'inverse' the averaging happens in inverse depth (1/z), which
// is linear in image space, and 0 or negative input marks unknown pixels
// that get no weight.
cv::Mat1f UpsampleDepth(const cv::Mat1f& low, const cv::Mat3b& guide, const UpsampleOptions& options,
                        bool inverse = true);

}  // namespace depthforge
