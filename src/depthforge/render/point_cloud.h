// Depth back-projected to coloured 3D points, and written as binary PLY.
#pragma once

#include <string>
#include <vector>

#include <opencv2/core.hpp>

#include "depthforge/core/depth_map.h"
#include "depthforge/render/camera.h"

namespace depthforge {

struct PointCloud {
  std::vector<cv::Vec3f> points;  // camera frame, OpenCV axes, metres
  std::vector<cv::Vec3b> colors;  // BGR
  std::vector<cv::Point> pixels;  // where each point came from
};

// Every valid pixel (finite depth > 0) of a metric depth map; 'step'
// keeps every step-th pixel in each direction. Throws for non-metric maps
// or a size mismatch.
PointCloud BackProject(const DepthMap& depth, const cv::Mat3b& image, const Intrinsics& camera, int step = 1);

// Binary little-endian PLY with float x, y, z and uchar red, green, blue,
// in the y-up, z-towards-the-viewer axes that MeshLab, Blender and three.js
// show upright (OpenCV y and z are negated). Atomic; throws FileError.
void WritePly(const std::string& path, const PointCloud& cloud);

// What a measured depth map is delivered as: <base>.depth.npy (metres),
// <base>.depth.png (16-bit mm), <base>.depth.color.png and the point cloud
// <base>.ply. Returns the paths.
std::vector<std::string> WriteDepthWithPointCloud(const std::string& base, const DepthMap& depth, const cv::Mat3b& image,
                                                  const Intrinsics& camera);

}  // namespace depthforge
