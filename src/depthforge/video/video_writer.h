// Encoding converted frames through FFmpeg's libraries (libavcodec,
// libavformat, libswscale), with the source's audio streams copied
// alongside, packet by packet, so nothing is held for the whole film. The
// file appears under its name only when finished (AtomicFile).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include <opencv2/core.hpp>

#include "depthforge/video/video_reader.h"

namespace depthforge {

struct VideoEncoderOptions {
  std::string codec = "libx264";  // libx264 | libx265
  int crf = 20;                   // constant quality: lower is better and larger (x264: 18 ~ visually lossless)
  // x264/x265 speed preset. "veryfast" keeps 720p stereo near real time on
  // two cores; slower presets give smaller files at the same quality.
  std::string preset = "veryfast";
  // H.264 frame-packing SEI (3 = side by side, 4 = top and bottom; -1 =
  // none), so that 3D TVs switch to 3D by themselves.
  int frame_packing = -1;
  void Check() const;
};

class VideoFileWriter {
 public:
  // 'size' must have even sides (4:2:0 chroma). 'audio': the source's audio
  // streams, copied when the container takes their codec; the others are
  // listed in dropped_audio().
  VideoFileWriter(const std::string& path, cv::Size size, double frame_rate, const std::vector<AudioStreamInfo>& audio,
                  const VideoEncoderOptions& options);
  ~VideoFileWriter();  // an unfinished file is removed
  VideoFileWriter(const VideoFileWriter&) = delete;
  VideoFileWriter& operator=(const VideoFileWriter&) = delete;

  // 'time' in seconds from the start, increasing (variable frame rates keep
  // their timing).
  void WriteFrame(const cv::Mat3b& bgr, double time);
  void WriteAudio(AudioPacket& packet);  // takes the packet's data
  void Finish();                         // flushes, writes the index, renames into place
  int64_t frames_written() const;
  const std::vector<std::string>& dropped_audio() const;  // codecs left out

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace depthforge
