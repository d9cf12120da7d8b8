// Reading videos frame by frame through FFmpeg's libraries (libavformat,
// libavcodec, libswscale): never the whole file in memory. The reader also
// hands over the compressed packets of the audio streams in file order, so
// that a writer can copy them next to the converted frames.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include <opencv2/core.hpp>

struct AVCodecParameters;
struct AVPacket;

namespace depthforge {

struct VideoFrame {
  cv::Mat3b image;        // BGR, 8 bits (10-bit sources are converted)
  double time = 0;        // presentation time in seconds from the start
  int64_t index = 0;      // 0, 1, 2, ... in presentation order
};

// A compressed audio packet, in the time base of its stream.
struct AudioPacket {
  int stream = 0;  // index into VideoReader::audio_streams()
  AVPacket* packet = nullptr;  // owned by the AudioPacket
  AudioPacket() = default;
  AudioPacket(AudioPacket&& other) noexcept;
  AudioPacket& operator=(AudioPacket&& other) noexcept;
  ~AudioPacket();
  AudioPacket Clone() const;  // a new reference to the same data
};

struct AudioStreamInfo {
  const AVCodecParameters* parameters = nullptr;  // owned by the reader
  int time_base_num = 1, time_base_den = 1;
  std::string codec;  // "aac", "mp3", ...
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
  const std::vector<AudioStreamInfo>& audio_streams() const;

  // The next video frame in presentation order; false at the end. Audio
  // packets met on the way are appended to 'audio'. A damaged or truncated
  // file ends early with truncated() true instead of throwing.
  bool Read(VideoFrame& frame, std::vector<AudioPacket>& audio);
  bool truncated() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace depthforge
