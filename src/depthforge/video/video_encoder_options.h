// How converted videos are encoded: the settings users choose, checked
// without loading FFmpeg (the encoder itself, video_encoder.h, lives in
// libdepthforge_ffmpeg.so).
#pragma once

#include <string>

namespace depthforge {

struct VideoEncoderOptions {
  std::string codec = "libx264";  // libx264 | libx265 (ffv1 is chosen for 16-bit depth)
  int crf = 20;                   // constant quality: lower is better and larger (x264: 18 ~ visually lossless)
  // x264/x265 speed preset. "veryfast" keeps 720p stereo near real time on
  // two cores; slower presets give smaller files at the same quality.
  std::string preset = "veryfast";
  // H.264 frame-packing SEI (3 = side by side, 4 = top and bottom; -1 =
  // none), so that 3D TVs switch to 3D by themselves.
  int frame_packing = -1;
  void Check() const;
};

// Video timestamps of every encoder: 1/90000 s, fine enough for any
// variable frame rate.
constexpr int kVideoTimeBaseDen = 90000;

}  // namespace depthforge
