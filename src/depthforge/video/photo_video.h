// Short videos that move a virtual camera through a photo's 3D scene.
#pragma once

#include <functional>
#include <string>

#include <opencv2/core.hpp>

#include "depthforge/core/depth_map.h"
#include "depthforge/render/camera.h"

namespace depthforge {

enum class PhotoVideoKind {
  kOrbit,      // the camera circles in front of the scene, looking at its middle
  kTurntable,  // the point cloud makes a full 360° turn about its vertical axis
  kParallax,   // a "3D photo": the camera dollies in and out with a slight sway
};
PhotoVideoKind PhotoVideoKindFromString(const std::string& name);  // orbit|turntable|parallax
std::string ToString(PhotoVideoKind kind);

struct PhotoVideoOptions {
  double seconds = 3.0;
  double fps = 24.0;
  // Camera motion as a fraction of the scene's median depth (orbit radius,
  // dolly distance); larger shows more 3D and more disocclusions.
  double motion = 0.04;
  void Check() const;
};

// Renders every frame and hands it to 'sink' (frame index, image). The
// frames have the photo's size. Throws for non-metric depth or size mismatch.
void RenderPhotoVideo(const cv::Mat3b& image, const DepthMap& depth, const Intrinsics& camera, PhotoVideoKind kind,
                      const PhotoVideoOptions& options, const std::function<void(int, const cv::Mat3b&)>& sink);

// The same, encoded as H.264 MP4 at 'path' (atomic). Returns the frame count.
int WritePhotoVideo(const std::string& path, const cv::Mat3b& image, const DepthMap& depth, const Intrinsics& camera,
                    PhotoVideoKind kind, const PhotoVideoOptions& options);

}  // namespace depthforge
