// A video file straight from frames: one encoded stream (VideoEncoder) in
// the container the file name asks for. The file appears under its name
// only when finished (AtomicFile). Whole videos with their audio go through
// segments and SegmentMuxer instead (convert/video_convert).
#pragma once

#include <memory>
#include <string>

#include <opencv2/core.hpp>

#include "depthforge/video/video_encoder.h"

namespace depthforge {

class VideoFileWriter {
 public:
  // 'size' must have even sides (4:2:0 chroma).
  VideoFileWriter(const std::string& path, cv::Size size, double frame_rate, const VideoEncoderOptions& options);
  ~VideoFileWriter();  // an unfinished file is removed
  VideoFileWriter(const VideoFileWriter&) = delete;
  VideoFileWriter& operator=(const VideoFileWriter&) = delete;

  // 'time' in seconds from the start, increasing (variable frame rates keep
  // their timing).
  void WriteFrame(const cv::Mat3b& bgr, double time);
  void Finish();  // flushes, writes the index, renames into place
  int64_t frames_written() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace depthforge
