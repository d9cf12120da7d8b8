// A textured triangle mesh from a depth map: one vertex per grid pixel,
// two triangles per grid cell, and no triangle across a depth discontinuity
// (so foreground and background are not joined by a rubber sheet).
#pragma once

#include <string>
#include <vector>

#include <opencv2/core.hpp>

#include "depthforge/core/depth_map.h"
#include "depthforge/render/camera.h"

namespace depthforge {

struct MeshOptions {
  int step = 2;  // grid spacing in pixels (the texture keeps full resolution)
  // A triangle is cut when its farthest vertex is more than this fraction
  // farther than its nearest, per grid step.
  double max_relative_jump = 0.04;
  // Larger photos get a coarser grid and a smaller texture, so a mesh stays
  // loadable in viewers and memory stays bounded: an 8000×6000 photo at
  // step 2 made 12 M vertices and a 528 MB GLB.
  int64_t max_vertices = 2'000'000;
  int max_texture_side = 4096;  // what common GPUs and glTF viewers accept
  void Check() const;
};

struct Mesh {
  std::vector<cv::Vec3f> positions;  // camera frame, OpenCV axes, metres
  std::vector<cv::Vec2f> uvs;        // texture coordinates, origin top-left
  std::vector<uint32_t> indices;     // triangles, counter-clockwise seen from the camera
  cv::Mat3b texture;                 // BGR
};

Mesh BuildMesh(const DepthMap& depth, const cv::Mat3b& image, const Intrinsics& camera, const MeshOptions& options = {});

// glTF 2.0 binary with the texture embedded as PNG; y-up axes (OpenCV y and
// z negated), as glTF requires. Atomic; throws FileError.
void WriteGlb(const std::string& path, const Mesh& mesh);
// Wavefront OBJ with its .mtl and .png beside it (same stem). Atomic per file.
void WriteObj(const std::string& path, const Mesh& mesh);

}  // namespace depthforge
