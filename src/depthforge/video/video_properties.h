// What a video file is (frame size, rate, length) without decoding it, for
// callers that only check a file: the web studio sizes up uploads with it.
// FFmpeg reads the file inside libdepthforge_ffmpeg.so (plugin_library.h),
// so a caller that never converts a video never loads FFmpeg.
#pragma once

#include <cstdint>
#include <string>

#include <opencv2/core.hpp>

namespace depthforge {

struct VideoProperties {
  cv::Size size;            // as displayed (rotation applied)
  double frame_rate = 0;    // average frames per second; 0 when unknown
  double duration = 0;      // seconds; 0 when unknown
  int64_t estimated_frames = 0;
};

// As VideoReader (video_reader.h) sees the file; throws its FileErrors
// (not a video, empty, audio only, no decoder for its codec).
VideoProperties ReadVideoProperties(const std::string& path);

}  // namespace depthforge
