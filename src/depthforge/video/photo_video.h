// Short videos that move a virtual camera through a photo's 3D scene.
#pragma once

#include <functional>
#include <string>

#include <opencv2/core.hpp>

#include "depthforge/core/depth_map.h"
#include "depthforge/render/camera.h"
#include "depthforge/core/enum_names.h"

namespace depthforge {

enum class PhotoVideoKind {
  kOrbit,      // the camera circles in front of the scene, looking at its middle
  kTurntable,  // the point cloud makes a full 360° turn about its vertical axis
  kParallax,   // a "3D photo": the camera dollies in and out with a slight sway
};
const EnumNames<PhotoVideoKind>& PhotoVideoKindNames();  // orbit|turntable|parallax
PhotoVideoKind PhotoVideoKindFromString(const std::string& name);
std::string ToString(PhotoVideoKind kind);

struct PhotoVideoOptions {
  double seconds = 3.0;
  double fps = 24.0;
  // Camera motion as a fraction of the scene's median depth (orbit radius,
  // dolly distance); larger shows more 3D and more disocclusions.
  double motion = 0.04;
  // Frames are at most this many pixels on their longer side (a larger
  // photo is scaled down for the video): an 8000×6000 photo would make
  // 48-megapixel frames that no player shows and that cost 15 GB to render.
  int max_side = 1920;
  void Check() const;
};

// Renders every frame and hands it to 'sink' (frame index, image), a few
// at a time (memory does not grow with the length). The frames have the
// photo's size, scaled down to max_side. Throws for non-metric depth or size
// mismatch, and Interrupted when InterruptRequested() turns true.
void RenderPhotoVideo(const cv::Mat3b& image, const DepthMap& depth, const Intrinsics& camera, PhotoVideoKind kind,
                      const PhotoVideoOptions& options, const std::function<void(int, const cv::Mat3b&)>& sink);

// The frame size for a photo of this size: the photo's, or scaled down to
// max_side with even sides (H.264 needs them).
cv::Size PhotoVideoFrameSize(cv::Size photo, const PhotoVideoOptions& options);

// The same, encoded as H.264 MP4 at 'path' (atomic). Returns the frame count.
int WritePhotoVideo(const std::string& path, const cv::Mat3b& image, const DepthMap& depth, const Intrinsics& camera,
                    PhotoVideoKind kind, const PhotoVideoOptions& options);

}  // namespace depthforge
