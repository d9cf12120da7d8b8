// Reading videos frame by frame through FFmpeg's libraries (libavformat,
// libavcodec, libswscale): never the whole file in memory. Only the video
// stream is read; audio and subtitles are copied from the file by the
// muxer (video/segment_muxer.h).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include <opencv2/core.hpp>


namespace depthforge {

struct VideoFrame {
  cv::Mat3b image;        // BGR, 8 bits (10-bit sources are converted)
  double time = 0;        // presentation time in seconds from the start
  int64_t index = 0;      // 0, 1, 2, ... in presentation order
};

class VideoReader {
 public:
  // Throws FileError naming the file: not a video, empty, audio only,
  // no decoder for its codec.
  explicit VideoReader(const std::string& path);
  ~VideoReader();
  VideoReader(const VideoReader&) = delete;
  VideoReader& operator=(const VideoReader&) = delete;

  cv::Size size() const;            // as displayed (rotation applied)
  double frame_rate() const;        // average frames per second
  double duration() const;          // seconds; 0 when unknown
  int64_t estimated_frames() const; // from duration and rate; 0 when unknown
  int rotation() const;             // 0, 90, 180 or 270 degrees clockwise, from the display matrix
  const std::string& codec() const;

  // The next video frame in presentation order; false at the end. A damaged
  // or truncated file ends early with truncated() true instead of throwing.
  bool Read(VideoFrame& frame);
  // Moves to the key frame at or before 'seconds' (from the start): the
  // frames that follow start there, so the caller drops those before the
  // time it wants. Frame indices then no longer count from the start.
  void SeekBefore(double seconds);
  bool truncated() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace depthforge
