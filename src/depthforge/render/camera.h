// Pinhole cameras for turning depth into 3D and rendering it again.
#pragma once

#include <string>

#include <opencv2/core.hpp>

namespace depthforge {

struct Intrinsics {
  double fx = 0, fy = 0, cx = 0, cy = 0;
  int width = 0, height = 0;
  std::string source;  // "exif (35 mm equivalent 26 mm)", "default field of view 60°"

  // Camera-frame point (OpenCV axes: x right, y down, z forward) of pixel
  // (u, v) at depth z.
  cv::Vec3f BackProject(double u, double v, double z) const {
    return cv::Vec3f(float((u - cx) * z / fx), float((v - cy) * z / fy), float(z));
  }
};

// Square pixels, principal point at the centre, the given horizontal field
// of view in degrees. Throws OptionError outside (1°, 179°).
Intrinsics IntrinsicsFromFov(cv::Size size, double horizontal_fov_degrees);

// From the photo's EXIF 35 mm-equivalent focal length when it has one
// (the equivalent focal length matches the angle of view of the diagonal
// of a 36×24 mm frame), otherwise from the default field of view.
Intrinsics IntrinsicsForPhoto(const std::string& photo_bytes, cv::Size size, double default_fov_degrees);

}  // namespace depthforge
