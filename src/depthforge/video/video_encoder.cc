#include "depthforge/video/video_encoder.h"

extern "C" {
#include <libavcodec/avcodec.h>
#include <libavutil/opt.h>
#include <libswscale/swscale.h>
}

#include <cmath>
#include <cstring>

#include "depthforge/core/error.h"
#include "depthforge/video/av_error.h"

namespace depthforge {

struct VideoEncoder::Impl {
  std::string what;
  Input input = Input::kBgr8;
  PacketSink sink;
  AVCodecContext* encoder = nullptr;
  AVCodecParameters* parameters = nullptr;
  SwsContext* scaler = nullptr;
  AVFrame* frame = nullptr;
  AVPacket* packet = nullptr;
  cv::Size size;
  int64_t last_pts = AV_NOPTS_VALUE;
  int64_t frames = 0;

  ~Impl() {
    sws_freeContext(scaler);
    av_frame_free(&frame);
    av_packet_free(&packet);
    avcodec_free_context(&encoder);
    avcodec_parameters_free(&parameters);
  }

  void Drain() {
    while (true) {
      int status = avcodec_receive_packet(encoder, packet);
      if (status == AVERROR(EAGAIN) || status == AVERROR_EOF) return;
      if (status < 0) throw Error(what + ": video encoding failed (" + AvErrorText(status) + ")");
      sink(packet);
      av_packet_unref(packet);
    }
  }
};

VideoEncoder::VideoEncoder(const std::string& what, cv::Size size, double frame_rate, Input input,
                           const VideoEncoderOptions& options, bool global_header, PacketSink sink)
    : impl_(std::make_unique<Impl>()) {
  Impl& m = *impl_;
  m.what = what;
  m.input = input;
  m.sink = std::move(sink);
  m.size = size;
  QuietFfmpegLog();
  const bool bgr = input == Input::kBgr8;
  if (bgr) options.Check();
  if (size.width < 2 || size.height < 2 || (bgr && (size.width % 2 || size.height % 2))) {
    throw Error("video frames must have even sides of at least 2 pixels, got " + std::to_string(size.width) + "x" +
                std::to_string(size.height));
  }
  if (!(frame_rate > 0 && frame_rate < 1000)) throw Error("video frame rate must be positive");
  const std::string codec_name = bgr ? options.codec : "ffv1";
  const AVCodec* codec = avcodec_find_encoder_by_name(codec_name.c_str());
  if (codec == nullptr) throw OptionError("this FFmpeg has no " + codec_name + " encoder");
  m.encoder = avcodec_alloc_context3(codec);
  m.encoder->width = size.width;
  m.encoder->height = size.height;
  m.encoder->pix_fmt = bgr ? AV_PIX_FMT_YUV420P : AV_PIX_FMT_GRAY16LE;
  m.encoder->time_base = {1, kVideoTimeBaseDen};
  m.encoder->framerate = av_d2q(frame_rate, 100000);
  m.encoder->sample_aspect_ratio = {1, 1};
  if (global_header) m.encoder->flags |= AV_CODEC_FLAG_GLOBAL_HEADER;
  if (bgr) {
    av_opt_set(m.encoder->priv_data, "preset", options.preset.c_str(), 0);
    av_opt_set(m.encoder->priv_data, "crf", std::to_string(options.crf).c_str(), 0);
    if (options.frame_packing >= 0 && options.codec == "libx264") {
      av_opt_set(m.encoder->priv_data, "x264-params", ("frame-packing=" + std::to_string(options.frame_packing)).c_str(), 0);
    }
    if (options.codec == "libx265") av_opt_set(m.encoder->priv_data, "x265-params", "log-level=error", 0);
  } else {
    m.encoder->thread_count = 2;  // FFV1 slices; every frame is a key frame
    av_opt_set(m.encoder->priv_data, "slices", "4", 0);
    m.encoder->level = 3;  // FFV1 version 3: slice CRCs, multithreaded
  }
  int status = avcodec_open2(m.encoder, codec, nullptr);
  if (status < 0) throw Error(what + ": cannot open the " + codec_name + " encoder (" + AvErrorText(status) + ")");
  m.parameters = avcodec_parameters_alloc();
  avcodec_parameters_from_context(m.parameters, m.encoder);
  m.frame = av_frame_alloc();
  m.frame->format = m.encoder->pix_fmt;
  m.frame->width = size.width;
  m.frame->height = size.height;
  if (av_frame_get_buffer(m.frame, 0) < 0) throw Error("out of memory for a video frame");
  m.packet = av_packet_alloc();
  if (bgr) {
    m.scaler = sws_getContext(size.width, size.height, AV_PIX_FMT_BGR24, size.width, size.height, AV_PIX_FMT_YUV420P,
                              SWS_BICUBIC, nullptr, nullptr, nullptr);
  }
}

VideoEncoder::~VideoEncoder() = default;

void VideoEncoder::Encode(const cv::Mat& image, double time) {
  Impl& m = *impl_;
  if (image.size() != m.size) throw Error(m.what + ": a video frame has another size than the video");
  const int expected = m.input == Input::kBgr8 ? CV_8UC3 : CV_16UC1;
  if (image.type() != expected) throw Error(m.what + ": a video frame has the wrong pixel type");
  av_frame_make_writable(m.frame);
  if (m.input == Input::kBgr8) {
    const uint8_t* planes[4] = {image.data, nullptr, nullptr, nullptr};
    int strides[4] = {int(image.step), 0, 0, 0};
    sws_scale(m.scaler, planes, strides, 0, image.rows, m.frame->data, m.frame->linesize);
  } else {
    for (int y = 0; y < image.rows; ++y) {
      std::memcpy(m.frame->data[0] + y * m.frame->linesize[0], image.ptr(y), size_t(image.cols) * 2);
    }
  }
  int64_t pts = std::llround(time * kVideoTimeBaseDen);
  if (m.last_pts != AV_NOPTS_VALUE && pts <= m.last_pts) pts = m.last_pts + 1;  // strictly increasing
  m.last_pts = pts;
  m.frame->pts = pts;
  int status = avcodec_send_frame(m.encoder, m.frame);
  if (status < 0) throw Error(m.what + ": video encoding failed (" + AvErrorText(status) + ")");
  m.Drain();
  ++m.frames;
}

void VideoEncoder::Flush() {
  avcodec_send_frame(impl_->encoder, nullptr);
  impl_->Drain();
}

const AVCodecParameters* VideoEncoder::parameters() const { return impl_->parameters; }
cv::Size VideoEncoder::size() const { return impl_->size; }
int64_t VideoEncoder::frames() const { return impl_->frames; }

}  // namespace depthforge
