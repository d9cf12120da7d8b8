#include "depthforge/render/point_cloud.h"

#include <cmath>
#include <cstring>

#include "depthforge/core/error.h"
#include "depthforge/io/depth_io.h"
#include "depthforge/util/atomic_file.h"

namespace depthforge {

PointCloud BackProject(const DepthMap& depth, const cv::Mat3b& image, const Intrinsics& camera, int step) {
  if (depth.kind != DepthKind::kMetricDepth) throw Error("3D export needs metric depth, got " + ToString(depth.kind) + " (a relative model gives metres with --align-to)");
  if (depth.values.size() != image.size()) throw Error("depth map and image differ in size");
  if (step < 1) throw OptionError("point step must be at least 1");
  PointCloud cloud;
  for (int v = 0; v < depth.height(); v += step) {
    for (int u = 0; u < depth.width(); u += step) {
      float z = depth.values(v, u);
      if (!std::isfinite(z) || z <= 0) continue;
      cloud.points.push_back(camera.BackProject(u, v, z));
      cloud.colors.push_back(image(v, u));
      cloud.pixels.emplace_back(u, v);
    }
  }
  return cloud;
}

void WritePly(const std::string& path, const PointCloud& cloud) {
  std::string bytes = "ply\nformat binary_little_endian 1.0\ncomment made by depthforge\nelement vertex " +
                      std::to_string(cloud.points.size()) +
                      "\nproperty float x\nproperty float y\nproperty float z\n"
                      "property uchar red\nproperty uchar green\nproperty uchar blue\nend_header\n";
  size_t header = bytes.size();
  bytes.resize(header + cloud.points.size() * 15);
  char* out = bytes.data() + header;
  for (size_t i = 0; i < cloud.points.size(); ++i) {
    const cv::Vec3f& p = cloud.points[i];
    float xyz[3] = {p[0], -p[1], -p[2]};
    std::memcpy(out, xyz, 12);
    out[12] = char(cloud.colors[i][2]);
    out[13] = char(cloud.colors[i][1]);
    out[14] = char(cloud.colors[i][0]);
    out += 15;
  }
  WriteFileBytes(path, bytes);
}

std::vector<std::string> WriteDepthWithPointCloud(const std::string& base, const DepthMap& depth, const cv::Mat3b& image,
                                                  const Intrinsics& camera) {
  std::vector<std::string> written;
  for (DepthFormat format : {DepthFormat::kNpy, DepthFormat::kPng16, DepthFormat::kColor}) {
    written.push_back(base + ".depth" + FileSuffix(format));
    WriteDepth(written.back(), depth, format);
  }
  written.push_back(base + ".ply");
  WritePly(written.back(), BackProject(depth, image, camera));
  return written;
}

}  // namespace depthforge
