#include "depthforge/render/splat_renderer.h"

#include <cmath>
#include <limits>

#include "depthforge/render/view_synthesis.h"

namespace depthforge {

Pose LookAt(const cv::Vec3f& position, const cv::Vec3f& target) {
  cv::Vec3f forward = cv::normalize(target - position);
  cv::Vec3f down_hint(0, 1, 0);  // OpenCV axes: y points down
  cv::Vec3f right = cv::normalize(down_hint.cross(forward));
  cv::Vec3f down = forward.cross(right);
  Pose pose;
  pose.rotation = cv::Matx33f(right[0], right[1], right[2], down[0], down[1], down[2], forward[0], forward[1], forward[2]);
  pose.translation = -(pose.rotation * position);
  return pose;
}

cv::Mat3b RenderPointCloud(const PointCloud& cloud, const Intrinsics& source, const Intrinsics& target,
                           const Pose& pose, const SplatOptions& options) {
  const int width = target.width, height = target.height;
  cv::Mat3b image(height, width, options.background);
  // Nearness (1/z) per pixel; -inf where no point landed.
  cv::Mat1f nearness(height, width, -std::numeric_limits<float>::infinity());
  for (size_t i = 0; i < cloud.points.size(); ++i) {
    cv::Vec3f p = pose.rotation * cloud.points[i] + pose.translation;
    if (p[2] <= 1e-3f) continue;
    float inverse = 1.f / p[2];
    float u = float(target.fx * p[0] * inverse + target.cx), v = float(target.fy * p[1] * inverse + target.cy);
    // The source pixel's footprint (z_source / f_source wide) seen from here.
    float size = float(target.fx / source.fx) * cloud.points[i][2] * inverse;
    int half = std::max(0, int(std::ceil(size * 0.5f - 0.5f)));
    int cu = int(std::lround(u)), cv_ = int(std::lround(v));
    if (cu + half < 0 || cu - half >= width || cv_ + half < 0 || cv_ - half >= height) continue;
    for (int y = std::max(0, cv_ - half); y <= std::min(height - 1, cv_ + half); ++y) {
      float* n = nearness[y];
      cv::Vec3b* c = image[y];
      for (int x = std::max(0, cu - half); x <= std::min(width - 1, cu + half); ++x) {
        if (inverse > n[x]) {
          n[x] = inverse;
          c[x] = cloud.colors[i];
        }
      }
    }
  }
  if (options.fill_holes) {
    cv::Mat1b holes = nearness == -std::numeric_limits<float>::infinity();
    FillHolesFromBackground(image, nearness, holes, /*smoothing=*/2, /*edge_threshold=*/0.0);
  }
  return image;
}

}  // namespace depthforge
