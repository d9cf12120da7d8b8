// Renders a coloured point cloud from a new camera pose by z-buffered
// splatting: each point covers the square its source pixel spans at its new
// distance, nearer points win, and for small camera motions the remaining
// disocclusions are filled from the background side as in view synthesis.
#pragma once

#include <opencv2/core.hpp>

#include "depthforge/render/camera.h"
#include "depthforge/render/point_cloud.h"

namespace depthforge {

// Rigid motion taking source-camera coordinates to the new camera's.
struct Pose {
  cv::Matx33f rotation = cv::Matx33f::eye();
  cv::Vec3f translation{0, 0, 0};
};

// The pose of a camera at 'position' (source-camera frame) looking at
// 'target', with the source camera's "up" kept as well as possible.
Pose LookAt(const cv::Vec3f& position, const cv::Vec3f& target);

struct SplatOptions {
  bool fill_holes = true;  // background-side filling (off for turntables)
  cv::Vec3b background{0, 0, 0};
};

cv::Mat3b RenderPointCloud(const PointCloud& cloud, const Intrinsics& source, const Intrinsics& target,
                           const Pose& pose, const SplatOptions& options = {});

}  // namespace depthforge
