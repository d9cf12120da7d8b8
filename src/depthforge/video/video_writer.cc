#include "depthforge/video/video_writer.h"

extern "C" {
#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libavutil/opt.h>
#include <libswscale/swscale.h>
}

#include <cmath>

#include "depthforge/core/error.h"
#include "depthforge/video/av_error.h"
#include "depthforge/util/atomic_file.h"

namespace depthforge {

namespace {

// Video timestamps: 1/90000 s, fine enough for any variable frame rate.
constexpr AVRational kVideoTimeBase{1, 90000};

}  // namespace

void VideoEncoderOptions::Check() const {
  if (codec != "libx264" && codec != "libx265") throw OptionError("video codec must be libx264 or libx265, got '" + codec + "'");
  if (crf < 0 || crf > 51) throw OptionError("crf must be between 0 and 51");
  if (preset.empty()) throw OptionError("an encoder preset is required (e.g. veryfast, medium)");
  if (frame_packing != -1 && (frame_packing < 0 || frame_packing > 5)) throw OptionError("frame packing must be -1 or 0-5");
}

struct VideoFileWriter::Impl {
  std::unique_ptr<AtomicFile> file;
  AVFormatContext* format = nullptr;
  AVCodecContext* encoder = nullptr;
  AVStream* video = nullptr;
  SwsContext* scaler = nullptr;
  AVFrame* frame = nullptr;
  AVPacket* packet = nullptr;
  std::vector<int> audio_out;              // source audio stream -> output stream, or -1
  std::vector<AVRational> audio_time_base; // of the source streams
  std::vector<std::string> dropped;
  cv::Size size;
  int64_t last_pts = AV_NOPTS_VALUE;
  int64_t frames = 0;
  bool open = false, finished = false;

  ~Impl() {
    if (open && !finished) avio_closep(&format->pb);
    sws_freeContext(scaler);
    av_frame_free(&frame);
    av_packet_free(&packet);
    avcodec_free_context(&encoder);
    avformat_free_context(format);
  }

  void WritePackets() {
    while (true) {
      int status = avcodec_receive_packet(encoder, packet);
      if (status == AVERROR(EAGAIN) || status == AVERROR_EOF) return;
      if (status < 0) throw FileError(file->final_path(), "video encoding failed (" + AvErrorText(status) + ")");
      av_packet_rescale_ts(packet, encoder->time_base, video->time_base);
      packet->stream_index = video->index;
      status = av_interleaved_write_frame(format, packet);
      if (status < 0) throw FileError(file->final_path(), "cannot write the video (" + AvErrorText(status) + "; disk full?)");
    }
  }
};

VideoFileWriter::VideoFileWriter(const std::string& path, cv::Size size, double frame_rate,
                                 const std::vector<AudioStreamInfo>& audio, const VideoEncoderOptions& options)
    : impl_(std::make_unique<Impl>()) {
  options.Check();
  Impl& m = *impl_;
  QuietFfmpegLog();
  if (size.width < 2 || size.height < 2 || size.width % 2 || size.height % 2) {
    throw Error("video frames must have even sides of at least 2 pixels, got " + std::to_string(size.width) + "x" +
                std::to_string(size.height));
  }
  if (!(frame_rate > 0 && frame_rate < 1000)) throw Error("video frame rate must be positive");
  m.size = size;
  m.file = std::make_unique<AtomicFile>(path);
  const std::string& temp = m.file->temp_path();
  int status = avformat_alloc_output_context2(&m.format, nullptr, nullptr, temp.c_str());
  if (status < 0 || m.format == nullptr) throw FileError(path, "no container format for this file name (" + AvErrorText(status) + ")");
  const AVCodec* codec = avcodec_find_encoder_by_name(options.codec.c_str());
  if (codec == nullptr) throw OptionError("this FFmpeg has no " + options.codec + " encoder");
  m.video = avformat_new_stream(m.format, nullptr);
  m.encoder = avcodec_alloc_context3(codec);
  m.encoder->width = size.width;
  m.encoder->height = size.height;
  m.encoder->pix_fmt = AV_PIX_FMT_YUV420P;
  m.encoder->time_base = kVideoTimeBase;
  m.encoder->framerate = av_d2q(frame_rate, 100000);
  m.encoder->sample_aspect_ratio = {1, 1};
  if (m.format->oformat->flags & AVFMT_GLOBALHEADER) m.encoder->flags |= AV_CODEC_FLAG_GLOBAL_HEADER;
  av_opt_set(m.encoder->priv_data, "preset", options.preset.c_str(), 0);
  av_opt_set(m.encoder->priv_data, "crf", std::to_string(options.crf).c_str(), 0);
  if (options.frame_packing >= 0 && options.codec == "libx264") {
    av_opt_set(m.encoder->priv_data, "x264-params", ("frame-packing=" + std::to_string(options.frame_packing)).c_str(), 0);
  }
  if (options.codec == "libx265") av_opt_set(m.encoder->priv_data, "x265-params", "log-level=error", 0);
  status = avcodec_open2(m.encoder, codec, nullptr);
  if (status < 0) throw FileError(path, "cannot open the " + options.codec + " encoder (" + AvErrorText(status) + ")");
  avcodec_parameters_from_context(m.video->codecpar, m.encoder);
  m.video->time_base = m.encoder->time_base;
  m.video->avg_frame_rate = m.encoder->framerate;

  for (const AudioStreamInfo& source : audio) {
    m.audio_time_base.push_back({source.time_base_num, source.time_base_den});
    if (avformat_query_codec(m.format->oformat, source.parameters->codec_id, FF_COMPLIANCE_NORMAL) != 1) {
      m.audio_out.push_back(-1);
      m.dropped.push_back(source.codec);
      continue;
    }
    AVStream* stream = avformat_new_stream(m.format, nullptr);
    avcodec_parameters_copy(stream->codecpar, source.parameters);
    stream->codecpar->codec_tag = 0;  // let the container choose its own tag
    stream->time_base = m.audio_time_base.back();
    m.audio_out.push_back(stream->index);
  }

  status = avio_open(&m.format->pb, temp.c_str(), AVIO_FLAG_WRITE);
  if (status < 0) throw FileError(path, "cannot create (" + AvErrorText(status) + ")");
  m.open = true;
  status = avformat_write_header(m.format, nullptr);
  if (status < 0) throw FileError(path, "cannot start the video file (" + AvErrorText(status) + ")");
  m.frame = av_frame_alloc();
  m.frame->format = AV_PIX_FMT_YUV420P;
  m.frame->width = size.width;
  m.frame->height = size.height;
  if (av_frame_get_buffer(m.frame, 0) < 0) throw Error("out of memory for a video frame");
  m.packet = av_packet_alloc();
  m.scaler = sws_getContext(size.width, size.height, AV_PIX_FMT_BGR24, size.width, size.height, AV_PIX_FMT_YUV420P,
                            SWS_BICUBIC, nullptr, nullptr, nullptr);
}

VideoFileWriter::~VideoFileWriter() = default;

void VideoFileWriter::WriteFrame(const cv::Mat3b& bgr, double time) {
  Impl& m = *impl_;
  if (bgr.size() != m.size) throw Error("a video frame has another size than the video");
  av_frame_make_writable(m.frame);
  const uint8_t* planes[4] = {bgr.data, nullptr, nullptr, nullptr};
  int strides[4] = {int(bgr.step), 0, 0, 0};
  sws_scale(m.scaler, planes, strides, 0, bgr.rows, m.frame->data, m.frame->linesize);
  int64_t pts = std::llround(time / av_q2d(kVideoTimeBase));
  if (m.last_pts != AV_NOPTS_VALUE && pts <= m.last_pts) pts = m.last_pts + 1;  // strictly increasing
  m.last_pts = pts;
  m.frame->pts = pts;
  int status = avcodec_send_frame(m.encoder, m.frame);
  if (status < 0) throw FileError(m.file->final_path(), "video encoding failed (" + AvErrorText(status) + ")");
  m.WritePackets();
  ++m.frames;
}

void VideoFileWriter::WriteAudio(AudioPacket& audio) {
  Impl& m = *impl_;
  if (audio.packet == nullptr || audio.stream < 0 || size_t(audio.stream) >= m.audio_out.size()) return;
  int out = m.audio_out[size_t(audio.stream)];
  if (out < 0) return;
  AVStream* stream = m.format->streams[out];
  av_packet_rescale_ts(audio.packet, m.audio_time_base[size_t(audio.stream)], stream->time_base);
  audio.packet->stream_index = out;
  audio.packet->pos = -1;
  int status = av_interleaved_write_frame(m.format, audio.packet);
  if (status < 0) throw FileError(m.file->final_path(), "cannot write the audio (" + AvErrorText(status) + ")");
}

void VideoFileWriter::Finish() {
  Impl& m = *impl_;
  avcodec_send_frame(m.encoder, nullptr);
  m.WritePackets();
  int status = av_write_trailer(m.format);
  if (status < 0) throw FileError(m.file->final_path(), "cannot finish the video file (" + AvErrorText(status) + ")");
  avio_closep(&m.format->pb);
  m.finished = true;
  m.file->Commit();
}

int64_t VideoFileWriter::frames_written() const { return impl_->frames; }
const std::vector<std::string>& VideoFileWriter::dropped_audio() const { return impl_->dropped; }

}  // namespace depthforge
