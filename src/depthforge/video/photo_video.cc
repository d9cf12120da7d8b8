#include "depthforge/video/photo_video.h"

#include <algorithm>
#include <cmath>
#include <vector>

#include <opencv2/core/utility.hpp>
#include <opencv2/imgproc.hpp>

#include "depthforge/core/error.h"
#include "depthforge/render/splat_renderer.h"
#include "depthforge/util/interrupt.h"
#include "depthforge/util/plugin_library.h"

namespace depthforge {

const EnumNames<PhotoVideoKind>& PhotoVideoKindNames() {
  static const EnumNames<PhotoVideoKind> kNames{"video kind", {{"orbit", PhotoVideoKind::kOrbit},
      {"turntable", PhotoVideoKind::kTurntable}, {"parallax", PhotoVideoKind::kParallax}}};
  return kNames;
}
PhotoVideoKind PhotoVideoKindFromString(const std::string& name) { return PhotoVideoKindNames().Parse(name); }

std::string ToString(PhotoVideoKind kind) { return PhotoVideoKindNames().Name(kind); }

void PhotoVideoOptions::Check() const {
  if (!(seconds > 0 && seconds <= 60)) throw OptionError("video length must be between 0 and 60 seconds");
  if (!(fps >= 1 && fps <= 120)) throw OptionError("frame rate must be between 1 and 120");
  if (!(motion > 0 && motion <= 0.5)) throw OptionError("camera motion must be in (0, 0.5] of the scene depth");
  if (max_side < 16 || max_side > 16384) throw OptionError("video size limit must be between 16 and 16384 pixels");
}

cv::Size PhotoVideoFrameSize(cv::Size photo, const PhotoVideoOptions& options) {
  double scale = double(options.max_side) / std::max(photo.width, photo.height);
  if (scale >= 1) return photo;  // the writer drops an odd last row or column
  auto even = [](double side) { return std::max(2, int(std::lround(side / 2)) * 2); };
  return {even(photo.width * scale), even(photo.height * scale)};
}

void RenderPhotoVideo(const cv::Mat3b& image, const DepthMap& depth, const Intrinsics& camera, PhotoVideoKind kind,
                      const PhotoVideoOptions& options, const std::function<void(int, const cv::Mat3b&)>& sink) {
  options.Check();
  if (depth.values.size() != image.size()) throw Error("depth map and photo differ in size");
  cv::Size frame_size = PhotoVideoFrameSize(image.size(), options);
  if (frame_size != image.size()) {
    // Render at the video's size: scale photo, depth (nearest, so no depth
    // is invented between surfaces) and camera together.
    cv::Mat3b small_image;
    DepthMap small_depth;
    small_depth.kind = depth.kind;
    cv::resize(image, small_image, frame_size, 0, 0, cv::INTER_AREA);
    cv::resize(depth.values, small_depth.values, frame_size, 0, 0, cv::INTER_NEAREST);
    Intrinsics small_camera = camera;
    double sx = double(frame_size.width) / image.cols, sy = double(frame_size.height) / image.rows;
    small_camera.fx *= sx;
    small_camera.cx = (camera.cx + 0.5) * sx - 0.5;
    small_camera.fy *= sy;
    small_camera.cy = (camera.cy + 0.5) * sy - 0.5;
    small_camera.width = frame_size.width;
    small_camera.height = frame_size.height;
    RenderPhotoVideo(small_image, small_depth, small_camera, kind, options, sink);
    return;
  }
  PointCloud cloud = BackProject(depth, image, camera);
  if (cloud.points.empty()) throw Error("depth map has no valid pixel to render");
  std::vector<float> depths;
  depths.reserve(cloud.points.size());
  for (const auto& p : cloud.points) depths.push_back(p[2]);
  std::nth_element(depths.begin(), depths.begin() + long(depths.size() / 2), depths.end());
  const float median = depths[depths.size() / 2];
  const cv::Vec3f focus(0, 0, median);  // the scene's middle, straight ahead
  const int frames = std::max(1, int(std::lround(options.seconds * options.fps)));
  const float amount = float(options.motion) * median;

  SplatOptions splat;
  // A turntable shows the cloud from all sides: there is nothing behind it
  // to fill holes from.
  splat.fill_holes = kind != PhotoVideoKind::kTurntable;
  std::vector<Pose> poses(static_cast<size_t>(frames));
  for (int f = 0; f < frames; ++f) {
    double phase = 2 * CV_PI * f / frames;
    Pose& pose = poses[size_t(f)];
    switch (kind) {
      case PhotoVideoKind::kOrbit: {
        cv::Vec3f position(amount * float(std::sin(phase)), 0.5f * amount * float(std::sin(2 * phase)),
                           0.25f * amount * float(1 - std::cos(phase)));
        pose = LookAt(position, focus);
        break;
      }
      case PhotoVideoKind::kParallax: {
        float dolly = amount * 2.5f * float(0.5 - 0.5 * std::cos(phase));
        cv::Vec3f position(0.4f * amount * float(std::sin(phase)), 0.f, dolly);
        pose = LookAt(position, cv::Vec3f(0, 0, median * 2));
        break;
      }
      case PhotoVideoKind::kTurntable: {
        // Rotate the scene about the vertical axis through its middle and
        // look at it from 1.6x the median depth.
        cv::Matx33f turn(float(std::cos(phase)), 0, float(std::sin(phase)), 0, 1, 0, float(-std::sin(phase)), 0,
                         float(std::cos(phase)));
        float back = 0.6f * median;
        pose.rotation = turn;
        pose.translation = focus - turn * focus + cv::Vec3f(0, 0, back);
        break;
      }
    }
  }
  // Frames are independent: render them a few at a time on every core, then
  // hand them over in order.
  const int chunk = 8;
  std::vector<cv::Mat3b> rendered(static_cast<size_t>(chunk));
  for (int first = 0; first < frames; first += chunk) {
    if (InterruptRequested()) throw Interrupted();
    int count = std::min(chunk, frames - first);
    cv::parallel_for_(cv::Range(0, count), [&](const cv::Range& range) {
      for (int i = range.start; i < range.end; ++i) {
        rendered[size_t(i)] = RenderPointCloud(cloud, camera, camera, poses[size_t(first + i)], splat);
      }
    });
    for (int i = 0; i < count; ++i) sink(first + i, rendered[size_t(i)]);
  }
}

// The encoding is FFmpeg's: libdepthforge_ffmpeg.so (mp4_writer.cc).
int WritePhotoVideo(const std::string& path, const cv::Mat3b& image, const DepthMap& depth, const Intrinsics& camera,
                    PhotoVideoKind kind, const PhotoVideoOptions& options) {
  options.Check();
  using Entry = int (*)(const std::string*, const cv::Mat3b*, const DepthMap*, const Intrinsics*, PhotoVideoKind,
                        const PhotoVideoOptions*);
  return reinterpret_cast<Entry>(FfmpegLibrarySymbol("depthforge_ffmpeg_write_photo_video"))(&path, &image, &depth,
                                                                                             &camera, kind, &options);
}

}  // namespace depthforge
