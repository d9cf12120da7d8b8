// One video stream's encoder (libavcodec): BGR frames to H.264/H.265, or
// 16-bit grey frames to lossless FFV1. It hands out compressed packets with
// their timestamps; where they go (a file, a segment) is the caller's choice.
// Built into libdepthforge_ffmpeg.so (plugin_library.h).
#pragma once

#include <functional>
#include <memory>
#include <string>

#include <opencv2/core.hpp>

#include "depthforge/video/video_encoder_options.h"

struct AVCodecParameters;
struct AVPacket;

namespace depthforge {

class VideoEncoder {
 public:
  enum class Input { kBgr8, kGray16 };  // cv::Mat3b -> yuv420p; cv::Mat1w -> FFV1 gray16le
  // Packets, in decoding order, with pts/dts in 1/90000 s.
  using PacketSink = std::function<void(AVPacket* packet)>;

  // 'size' must have even sides for kBgr8 (4:2:0 chroma). 'what' names the
  // output in error messages. With 'global_header' the codec's setup goes
  // to extradata (MP4, Matroska) instead of into the stream.
  VideoEncoder(const std::string& what, cv::Size size, double frame_rate, Input input,
               const VideoEncoderOptions& options, bool global_header, PacketSink sink);
  ~VideoEncoder();
  VideoEncoder(const VideoEncoder&) = delete;
  VideoEncoder& operator=(const VideoEncoder&) = delete;

  // 'time' in seconds, increasing (a repeated time is nudged by one tick).
  void Encode(const cv::Mat& image, double time);
  void Flush();  // the delayed packets; no frame may follow
  // The stream's description for a muxer (codec, size, extradata).
  const AVCodecParameters* parameters() const;
  cv::Size size() const;
  int64_t frames() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace depthforge
