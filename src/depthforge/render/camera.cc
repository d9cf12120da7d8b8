#include "depthforge/render/camera.h"

#include <cmath>

#include "depthforge/core/error.h"
#include "depthforge/io/exif.h"

namespace depthforge {

Intrinsics IntrinsicsFromFov(cv::Size size, double fov) {
  if (!(fov > 1 && fov < 179)) throw OptionError("field of view must be between 1 and 179 degrees, got " + std::to_string(fov));
  Intrinsics k;
  k.width = size.width;
  k.height = size.height;
  k.fx = k.fy = size.width / (2.0 * std::tan(fov * CV_PI / 360.0));
  k.cx = size.width / 2.0;
  k.cy = size.height / 2.0;
  char text[64];
  std::snprintf(text, sizeof text, "field of view %.0f degrees", fov);
  k.source = text;
  return k;
}

Intrinsics IntrinsicsForPhoto(const std::string& photo_bytes, cv::Size size, double default_fov) {
  Intrinsics k = IntrinsicsFromFov(size, default_fov);
  ExifFocal exif = ReadExifFocal(photo_bytes);
  if (exif.focal_length_35mm) {
    const double kFullFrameDiagonal = std::hypot(36.0, 24.0);
    k.fx = k.fy = *exif.focal_length_35mm / kFullFrameDiagonal * std::hypot(size.width, size.height);
    char text[64];
    std::snprintf(text, sizeof text, "EXIF 35 mm equivalent focal length %.0f mm", *exif.focal_length_35mm);
    k.source = text;
  }
  return k;
}

}  // namespace depthforge
