#include "depthforge/video/video_reader.h"

extern "C" {
#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libavutil/display.h>
#include <libavutil/imgutils.h>
#include <libswscale/swscale.h>
}

#include <cmath>
#include <deque>
#include <filesystem>

#include <opencv2/core.hpp>

#include "depthforge/core/error.h"
#include "depthforge/video/av_error.h"
#include "depthforge/video/video_properties.h"

namespace depthforge {

struct VideoReader::Impl {
  std::string path;
  AVFormatContext* format = nullptr;
  AVCodecContext* decoder = nullptr;
  SwsContext* scaler = nullptr;
  AVPacket* packet = nullptr;
  AVFrame* frame = nullptr;
  int video_stream = -1;
  std::deque<VideoFrame> pending;
  std::string codec;
  int rotation = 0;
  int64_t next_index = 0;
  bool flushed = false, finished = false, truncated = false;

  ~Impl() {
    sws_freeContext(scaler);
    av_frame_free(&frame);
    av_packet_free(&packet);
    avcodec_free_context(&decoder);
    avformat_close_input(&format);
  }

  const AVStream* stream() const { return format->streams[video_stream]; }
  double StartSeconds() const { return format->start_time == AV_NOPTS_VALUE ? 0.0 : double(format->start_time) / AV_TIME_BASE; }

  // Moves every frame the decoder has ready into 'pending'.
  void Drain() {
    while (true) {
      int status = avcodec_receive_frame(decoder, frame);
      if (status == AVERROR(EAGAIN) || status == AVERROR_EOF) return;
      if (status < 0) {
        truncated = true;
        return;
      }
      pending.push_back(Convert());
      av_frame_unref(frame);
    }
  }

  VideoFrame Convert() {
    scaler = sws_getCachedContext(scaler, frame->width, frame->height, AVPixelFormat(frame->format), frame->width,
                                  frame->height, AV_PIX_FMT_BGR24, SWS_BICUBIC, nullptr, nullptr, nullptr);
    if (scaler == nullptr) throw FileError(path, "cannot convert its pixel format to 8-bit BGR");
    VideoFrame out;
    cv::Mat3b image(frame->height, frame->width);
    uint8_t* planes[4] = {image.data, nullptr, nullptr, nullptr};
    int strides[4] = {int(image.step), 0, 0, 0};
    sws_scale(scaler, frame->data, frame->linesize, 0, frame->height, planes, strides);
    switch (rotation) {
      case 90: cv::rotate(image, out.image, cv::ROTATE_90_CLOCKWISE); break;
      case 180: cv::rotate(image, out.image, cv::ROTATE_180); break;
      case 270: cv::rotate(image, out.image, cv::ROTATE_90_COUNTERCLOCKWISE); break;
      default: out.image = image; break;
    }
    int64_t pts = frame->best_effort_timestamp;
    // Times count from the file's start, which audio and video share, so
    // that they stay in sync when one stream starts later than the other.
    out.time = pts == AV_NOPTS_VALUE ? double(next_index) / std::max(1e-9, av_q2d(stream()->avg_frame_rate))
                                     : double(pts) * av_q2d(stream()->time_base) - StartSeconds();
    out.index = next_index++;
    return out;
  }
};

VideoReader::VideoReader(const std::string& path) : impl_(std::make_unique<Impl>()) {
  Impl& m = *impl_;
  m.path = path;
  QuietFfmpegLog();
  std::error_code error;
  if (!std::filesystem::is_regular_file(path, error)) {
    throw FileError(path, std::filesystem::exists(path, error) ? "is not a regular file" : "no such file");
  }
  if (std::filesystem::file_size(path, error) == 0) throw FileError(path, "empty file (0 bytes), not a video");
  int status = avformat_open_input(&m.format, path.c_str(), nullptr, nullptr);
  if (status < 0) throw FileError(path, "not a video FFmpeg can read (" + AvErrorText(status) + ")");
  status = avformat_find_stream_info(m.format, nullptr);
  if (status < 0) throw FileError(path, "cannot read its streams (" + AvErrorText(status) + ")");
  const AVCodec* codec = nullptr;
  m.video_stream = -1;
  for (unsigned i = 0; i < m.format->nb_streams; ++i) {
    const AVStream* s = m.format->streams[i];
    // Cover art is a "video" stream of one picture: not the video.
    if (s->codecpar->codec_type == AVMEDIA_TYPE_VIDEO && !(s->disposition & AV_DISPOSITION_ATTACHED_PIC)) {
      m.video_stream = int(i);
      break;
    }
  }
  if (m.video_stream < 0) {
    bool has_audio = false;
    for (unsigned i = 0; i < m.format->nb_streams; ++i) has_audio |= m.format->streams[i]->codecpar->codec_type == AVMEDIA_TYPE_AUDIO;
    throw FileError(path, has_audio ? "has no video stream (an audio-only file)" : "has no video stream");
  }
  const AVStream* stream = m.format->streams[m.video_stream];
  m.codec = avcodec_get_name(stream->codecpar->codec_id);
  codec = avcodec_find_decoder(stream->codecpar->codec_id);
  if (codec == nullptr) throw FileError(path, "its video codec '" + m.codec + "' has no decoder in this FFmpeg");
  m.decoder = avcodec_alloc_context3(codec);
  avcodec_parameters_to_context(m.decoder, stream->codecpar);
  m.decoder->thread_count = 0;  // FFmpeg picks
  status = avcodec_open2(m.decoder, codec, nullptr);
  if (status < 0) throw FileError(path, "cannot open the '" + m.codec + "' decoder (" + AvErrorText(status) + ")");
  if (const uint8_t* matrix = av_stream_get_side_data(stream, AV_PKT_DATA_DISPLAYMATRIX, nullptr)) {
    double counterclockwise = av_display_rotation_get(reinterpret_cast<const int32_t*>(matrix));
    if (std::isfinite(counterclockwise)) m.rotation = ((int(std::lround(-counterclockwise / 90.0)) % 4 + 4) % 4) * 90;
  }
  for (unsigned i = 0; i < m.format->nb_streams; ++i) {
    if (int(i) == m.video_stream) {
      m.format->streams[i]->discard = AVDISCARD_DEFAULT;
    } else {
      m.format->streams[i]->discard = AVDISCARD_ALL;  // audio and subtitles are muxed from the source later
    }
  }
  m.packet = av_packet_alloc();
  m.frame = av_frame_alloc();
}

VideoReader::~VideoReader() = default;

cv::Size VideoReader::size() const {
  cv::Size coded(impl_->stream()->codecpar->width, impl_->stream()->codecpar->height);
  return impl_->rotation % 180 == 90 ? cv::Size(coded.height, coded.width) : coded;
}

double VideoReader::frame_rate() const {
  AVRational rate = impl_->stream()->avg_frame_rate;
  if (rate.num <= 0 || rate.den <= 0) rate = impl_->stream()->r_frame_rate;
  return rate.num > 0 && rate.den > 0 ? av_q2d(rate) : 0.0;
}

double VideoReader::duration() const {
  const AVStream* s = impl_->stream();
  if (s->duration != AV_NOPTS_VALUE && s->duration > 0) return double(s->duration) * av_q2d(s->time_base);
  if (impl_->format->duration != AV_NOPTS_VALUE && impl_->format->duration > 0) return double(impl_->format->duration) / AV_TIME_BASE;
  return 0;
}

int64_t VideoReader::estimated_frames() const {
  if (impl_->stream()->nb_frames > 0) return impl_->stream()->nb_frames;
  return int64_t(std::lround(duration() * frame_rate()));
}

int VideoReader::rotation() const { return impl_->rotation; }
const std::string& VideoReader::codec() const { return impl_->codec; }
bool VideoReader::truncated() const { return impl_->truncated; }

bool VideoReader::Read(VideoFrame& frame) {
  Impl& m = *impl_;
  while (m.pending.empty() && !m.finished) {
    if (m.flushed) {
      m.Drain();
      m.finished = true;
      break;
    }
    int status = av_read_frame(m.format, m.packet);
    if (status < 0) {
      if (status != AVERROR_EOF) m.truncated = true;  // damaged or cut short: keep what decoded
      avcodec_send_packet(m.decoder, nullptr);
      m.flushed = true;
      continue;
    }
    if (m.packet->stream_index == m.video_stream) {
      status = avcodec_send_packet(m.decoder, m.packet);
      if (status < 0 && status != AVERROR(EAGAIN)) m.truncated = true;  // a broken packet: skip it
      av_packet_unref(m.packet);
      m.Drain();
    } else {
      av_packet_unref(m.packet);
    }
  }
  if (m.pending.empty()) return false;
  frame = std::move(m.pending.front());
  m.pending.pop_front();
  return true;
}

void VideoReader::SeekBefore(double seconds) {
  Impl& m = *impl_;
  const AVStream* s = m.stream();
  int64_t target = std::llround((seconds + m.StartSeconds()) / av_q2d(s->time_base));
  if (s->start_time != AV_NOPTS_VALUE) target = std::max(target, s->start_time);
  // A format that cannot seek is read from where it is: the caller drops
  // the frames before the time it wants either way.
  if (av_seek_frame(m.format, m.video_stream, target, AVSEEK_FLAG_BACKWARD) < 0) return;
  avcodec_flush_buffers(m.decoder);
  m.pending.clear();
  m.flushed = m.finished = false;
}

}  // namespace depthforge

// ReadVideoProperties (video_properties.h) for callers outside this library.
extern "C" void depthforge_ffmpeg_read_video_properties(const std::string* path,
                                                       depthforge::VideoProperties* properties) {
  depthforge::VideoReader reader(*path);
  properties->size = reader.size();
  properties->frame_rate = reader.frame_rate();
  properties->duration = reader.duration();
  properties->estimated_frames = reader.estimated_frames();
}
