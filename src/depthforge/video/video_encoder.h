// One video stream's encoder (libavcodec): BGR frames to H.264/H.265, or
// 16-bit grey frames to lossless FFV1. It hands out compressed packets with
// their timestamps; where they go (a file, a segment) is the caller's choice.
#pragma once

#include <functional>
#include <memory>
#include <string>

#include <opencv2/core.hpp>

struct AVCodecParameters;
struct AVPacket;

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
