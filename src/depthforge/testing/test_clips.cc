#include "depthforge/testing/test_clips.h"

#include <opencv2/videoio.hpp>

#include "depthforge/core/error.h"

extern "C" {
#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libavutil/display.h>
#include <libavutil/opt.h>
#include <libswresample/swresample.h>
#include <libswscale/swscale.h>
}

#include <algorithm>
#include <cmath>
#include <cstring>
#include <functional>
#include <stdexcept>

namespace depthforge::testing {

namespace {

void Check(int status, const std::string& what) {
  if (status < 0) throw std::runtime_error("test clip: " + what + " failed (" + std::to_string(status) + ")");
}

}  // namespace

FlashClip ConstantRateClip(int frames, double fps) {
  FlashClip clip;
  for (int i = 0; i < frames; ++i) clip.frame_times.push_back(i / fps);
  clip.audio_codec = "";
  return clip;
}

void WriteFlashClip(const std::string& path, const FlashClip& clip) {
  AVFormatContext* out = nullptr;
  Check(avformat_alloc_output_context2(&out, nullptr, nullptr, path.c_str()), "container");
  const bool global = (out->oformat->flags & AVFMT_GLOBALHEADER) != 0;

  // Video: H.264, 1/90000 time base, frames at the given times.
  const AVCodec* h264 = avcodec_find_encoder_by_name("libx264");
  AVCodecContext* venc = avcodec_alloc_context3(h264);
  venc->width = clip.size.width;
  venc->height = clip.size.height;
  venc->pix_fmt = AV_PIX_FMT_YUV420P;
  venc->time_base = {1, 90000};
  venc->framerate = {30, 1};
  if (global) venc->flags |= AV_CODEC_FLAG_GLOBAL_HEADER;
  av_opt_set(venc->priv_data, "preset", "ultrafast", 0);
  Check(avcodec_open2(venc, h264, nullptr), "video encoder");
  AVStream* vs = avformat_new_stream(out, nullptr);
  avcodec_parameters_from_context(vs->codecpar, venc);
  vs->time_base = venc->time_base;
  if (clip.rotation != 0) {
    uint8_t* matrix = av_stream_new_side_data(vs, AV_PKT_DATA_DISPLAYMATRIX, sizeof(int32_t) * 9);
    av_display_rotation_set(reinterpret_cast<int32_t*>(matrix), -double(clip.rotation));  // counterclockwise angle
  }

  // Audio: a 1 kHz beep at each flash.
  AVCodecContext* aenc = nullptr;
  AVStream* as = nullptr;
  if (!clip.audio_codec.empty()) {
    const AVCodec* codec = avcodec_find_encoder_by_name(clip.audio_codec.c_str());
    if (codec == nullptr) throw std::runtime_error("test clip: no " + clip.audio_codec + " encoder");
    aenc = avcodec_alloc_context3(codec);
    aenc->sample_rate = clip.sample_rate;
    av_channel_layout_default(&aenc->ch_layout, 1);
    aenc->sample_fmt = codec->sample_fmts[0];
    aenc->time_base = {1, clip.sample_rate};
    aenc->bit_rate = 96000;
    if (global) aenc->flags |= AV_CODEC_FLAG_GLOBAL_HEADER;
    Check(avcodec_open2(aenc, codec, nullptr), "audio encoder");
    as = avformat_new_stream(out, nullptr);
    avcodec_parameters_from_context(as->codecpar, aenc);
    as->time_base = aenc->time_base;
  }
  AVStream* ss = nullptr;
  if (clip.subtitles) {
    ss = avformat_new_stream(out, nullptr);
    ss->codecpar->codec_type = AVMEDIA_TYPE_SUBTITLE;
    ss->codecpar->codec_id = AV_CODEC_ID_SUBRIP;
    ss->time_base = {1, 1000};
  }
  Check(avio_open(&out->pb, path.c_str(), AVIO_FLAG_WRITE), "open");
  Check(avformat_write_header(out, nullptr), "header");
  AVPacket* packet = av_packet_alloc();
  auto drain = [&](AVCodecContext* enc, AVStream* stream) {
    while (avcodec_receive_packet(enc, packet) == 0) {
      if (enc == venc && packet->duration == 0) packet->duration = 3000;  // 1/30 s: the last frame is shown too
      av_packet_rescale_ts(packet, enc->time_base, stream->time_base);
      packet->stream_index = stream->index;
      Check(av_interleaved_write_frame(out, packet), "write");
    }
  };

  // Audio first (all of it is small), then video; the muxer interleaves.
  if (aenc) {
    const double total = clip.frame_times.back() + 0.5;
    const int64_t count = int64_t(total * clip.sample_rate);
    std::vector<float> wave(size_t(count), 0.f);
    for (size_t f : clip.flash_frames) {
      const int64_t first = std::llround(clip.frame_times[f] * clip.sample_rate);
      const int64_t length = std::llround(clip.beep_seconds * clip.sample_rate);
      for (int64_t i = 0; i < length && first + i < count; ++i) {
        wave[size_t(first + i)] = 0.8f * float(std::sin(2 * M_PI * 1000.0 * double(i) / clip.sample_rate));
      }
    }
    const int frame_size = aenc->frame_size > 0 ? aenc->frame_size : 1024;
    AVFrame* frame = av_frame_alloc();
    for (int64_t at = 0; at < count; at += frame_size) {
      const int n = int(std::min<int64_t>(frame_size, count - at));
      frame->nb_samples = n;
      frame->format = aenc->sample_fmt;
      frame->sample_rate = aenc->sample_rate;
      av_channel_layout_copy(&frame->ch_layout, &aenc->ch_layout);
      Check(av_frame_get_buffer(frame, 0), "audio buffer");
      for (int i = 0; i < n; ++i) {
        const float v = wave[size_t(at + i)];
        if (aenc->sample_fmt == AV_SAMPLE_FMT_FLTP) reinterpret_cast<float*>(frame->data[0])[i] = v;
        else reinterpret_cast<int16_t*>(frame->data[0])[i] = int16_t(std::lround(v * 32767));
      }
      frame->pts = at;
      Check(avcodec_send_frame(aenc, frame), "audio encode");
      av_frame_unref(frame);
      drain(aenc, as);
    }
    avcodec_send_frame(aenc, nullptr);
    drain(aenc, as);
    av_frame_free(&frame);
  }
  if (ss) {
    const char text[] = "hello";
    av_new_packet(packet, int(std::strlen(text)));
    std::memcpy(packet->data, text, std::strlen(text));
    packet->pts = packet->dts = 500;
    packet->duration = 1000;
    packet->stream_index = ss->index;
    Check(av_interleaved_write_frame(out, packet), "subtitle");
  }
  AVFrame* picture = av_frame_alloc();
  picture->format = AV_PIX_FMT_YUV420P;
  picture->width = clip.size.width;
  picture->height = clip.size.height;
  Check(av_frame_get_buffer(picture, 0), "picture");
  for (size_t i = 0; i < clip.frame_times.size(); ++i) {
    av_frame_make_writable(picture);
    const bool flash = std::find(clip.flash_frames.begin(), clip.flash_frames.end(), i) != clip.flash_frames.end();
    for (int y = 0; y < clip.size.height; ++y) {
      // Dark with a texture (so that depth and flow have something to see), white on a flash.
      for (int x = 0; x < clip.size.width; ++x) {
        picture->data[0][y * picture->linesize[0] + x] = flash ? 235 : uint8_t(30 + ((x / 8 + y / 8) % 2) * 20);
      }
    }
    for (int p = 1; p < 3; ++p) {
      for (int y = 0; y < clip.size.height / 2; ++y) std::memset(picture->data[p] + y * picture->linesize[p], 128, size_t(clip.size.width / 2));
    }
    picture->pts = std::llround(clip.frame_times[i] * 90000);
    Check(avcodec_send_frame(venc, picture), "video encode");
    drain(venc, vs);
  }
  avcodec_send_frame(venc, nullptr);
  drain(venc, vs);
  Check(av_write_trailer(out), "trailer");
  av_frame_free(&picture);
  av_packet_free(&packet);
  avcodec_free_context(&venc);
  avcodec_free_context(&aenc);
  avio_closep(&out->pb);
  avformat_free_context(out);
}

namespace {

// Decodes the best stream of a kind and hands each frame, with the stream
// and the file's start time (seconds), to 'use'.
void DecodeStream(const std::string& path, AVMediaType type,
                  const std::function<void(const AVFrame*, const AVStream*, const AVCodecContext*, double)>& use) {
  AVFormatContext* in = nullptr;
  Check(avformat_open_input(&in, path.c_str(), nullptr, nullptr), "open " + path);
  Check(avformat_find_stream_info(in, nullptr), "stream info");
  const int index = av_find_best_stream(in, type, -1, -1, nullptr, 0);
  Check(index, "no stream of the kind wanted in " + path);
  AVStream* stream = in->streams[index];
  const AVCodec* codec = avcodec_find_decoder(stream->codecpar->codec_id);
  AVCodecContext* dec = avcodec_alloc_context3(codec);
  avcodec_parameters_to_context(dec, stream->codecpar);
  dec->pkt_timebase = stream->time_base;
  Check(avcodec_open2(dec, codec, nullptr), "decoder");
  const double file_start = in->start_time == AV_NOPTS_VALUE ? 0.0 : double(in->start_time) / AV_TIME_BASE;
  AVPacket* packet = av_packet_alloc();
  AVFrame* frame = av_frame_alloc();
  auto receive = [&] {
    while (avcodec_receive_frame(dec, frame) == 0) {
      use(frame, stream, dec, file_start);
      av_frame_unref(frame);
    }
  };
  while (av_read_frame(in, packet) >= 0) {
    if (packet->stream_index == index) {
      avcodec_send_packet(dec, packet);
      receive();
    }
    av_packet_unref(packet);
  }
  avcodec_send_packet(dec, nullptr);
  receive();
  av_frame_free(&frame);
  av_packet_free(&packet);
  avcodec_free_context(&dec);
  avformat_close_input(&in);
}

}  // namespace

DecodedAudio DecodeAudio(const std::string& path) {
  DecodedAudio result;
  SwrContext* swr = nullptr;
  AVChannelLayout mono = AV_CHANNEL_LAYOUT_MONO;
  bool first = true;
  DecodeStream(path, AVMEDIA_TYPE_AUDIO, [&](const AVFrame* frame, const AVStream* stream, const AVCodecContext* dec,
                                             double file_start) {
    if (first) {
      result.codec = avcodec_get_name(stream->codecpar->codec_id);
      result.sample_rate = dec->sample_rate;
      result.start = double(frame->pts) * av_q2d(stream->time_base) - file_start;
      first = false;
      swr_alloc_set_opts2(&swr, &mono, AV_SAMPLE_FMT_FLT, dec->sample_rate, const_cast<AVChannelLayout*>(&frame->ch_layout),
                          AVSampleFormat(frame->format), frame->sample_rate, 0, nullptr);
      swr_init(swr);
    }
    std::vector<float> buffer(size_t(frame->nb_samples) + 64);
    uint8_t* planes[1] = {reinterpret_cast<uint8_t*>(buffer.data())};
    int got = swr_convert(swr, planes, int(buffer.size()), const_cast<const uint8_t**>(frame->extended_data),
                          frame->nb_samples);
    result.samples.insert(result.samples.end(), buffer.begin(), buffer.begin() + std::max(0, got));
  });
  swr_free(&swr);
  return result;
}

std::vector<double> BeepOnsets(const DecodedAudio& audio, double gap) {
  float loudest = 0;
  for (float s : audio.samples) loudest = std::max(loudest, std::abs(s));
  std::vector<double> onsets;
  const int64_t gap_samples = int64_t(gap * audio.sample_rate);
  int64_t last_loud = -gap_samples - 1;
  for (size_t i = 0; i < audio.samples.size(); ++i) {
    if (std::abs(audio.samples[i]) < 0.5f * loudest) continue;
    if (int64_t(i) - last_loud > gap_samples) onsets.push_back(audio.start + double(i) / audio.sample_rate);
    last_loud = int64_t(i);
  }
  return onsets;
}

std::vector<Gray16Frame> DecodeGray16(const std::string& path) {
  std::vector<Gray16Frame> frames;
  DecodeStream(path, AVMEDIA_TYPE_VIDEO, [&](const AVFrame* frame, const AVStream* stream, const AVCodecContext*, double) {
    if (frame->format != AV_PIX_FMT_GRAY16LE) throw std::runtime_error("not gray16le");
    Gray16Frame f;
    f.image = cv::Mat1w(frame->height, frame->width);
    for (int y = 0; y < frame->height; ++y) {
      std::memcpy(f.image.ptr(y), frame->data[0] + y * frame->linesize[0], size_t(frame->width) * 2);
    }
    f.time = double(frame->best_effort_timestamp) * av_q2d(stream->time_base);
    frames.push_back(f);
  });
  return frames;
}

std::vector<std::string> StreamCodecs(const std::string& path) {
  AVFormatContext* in = nullptr;
  Check(avformat_open_input(&in, path.c_str(), nullptr, nullptr), "open " + path);
  avformat_find_stream_info(in, nullptr);
  std::vector<std::string> codecs;
  for (unsigned i = 0; i < in->nb_streams; ++i) codecs.push_back(avcodec_get_name(in->streams[i]->codecpar->codec_id));
  avformat_close_input(&in);
  return codecs;
}

std::vector<SubtitleCue> SubtitleCues(const std::string& path) {
  AVFormatContext* in = nullptr;
  Check(avformat_open_input(&in, path.c_str(), nullptr, nullptr), "open " + path);
  std::unique_ptr<AVFormatContext, void (*)(AVFormatContext*)> guard(in, [](AVFormatContext* f) { avformat_close_input(&f); });
  avformat_find_stream_info(in, nullptr);
  int index = av_find_best_stream(in, AVMEDIA_TYPE_SUBTITLE, -1, -1, nullptr, 0);
  if (index < 0) return {};
  AVStream* stream = in->streams[index];
  // Times from the first video frame: what is on screen when the cue shows.
  double first_frame = 0;
  int video = av_find_best_stream(in, AVMEDIA_TYPE_VIDEO, -1, -1, nullptr, 0);
  if (video >= 0 && in->streams[video]->start_time != AV_NOPTS_VALUE) {
    first_frame = double(in->streams[video]->start_time) * av_q2d(in->streams[video]->time_base);
  }
  const AVCodec* codec = avcodec_find_decoder(stream->codecpar->codec_id);
  AVCodecContext* decoder = avcodec_alloc_context3(codec);
  avcodec_parameters_to_context(decoder, stream->codecpar);
  decoder->pkt_timebase = stream->time_base;
  Check(avcodec_open2(decoder, codec, nullptr), "subtitle decoder");
  std::vector<SubtitleCue> cues;
  AVPacket* packet = av_packet_alloc();
  while (av_read_frame(in, packet) >= 0) {
    if (packet->stream_index == index) {
      AVSubtitle subtitle{};
      int got = 0;
      if (avcodec_decode_subtitle2(decoder, &subtitle, &got, packet) >= 0 && got) {
        SubtitleCue cue;
        cue.start = double(packet->pts) * av_q2d(stream->time_base) - first_frame;
        cue.duration = double(packet->duration) * av_q2d(stream->time_base);
        for (unsigned r = 0; r < subtitle.num_rects; ++r) {
          if (subtitle.rects[r]->ass) cue.text += subtitle.rects[r]->ass;
        }
        cues.push_back(cue);
        avsubtitle_free(&subtitle);
      }
    }
    av_packet_unref(packet);
  }
  av_packet_free(&packet);
  avcodec_free_context(&decoder);
  return cues;
}

VideoInfo ProbeVideo(const std::string& path) {
  cv::VideoCapture capture(path, cv::CAP_FFMPEG);
  if (!capture.isOpened()) throw FileError(path, "cannot open video");
  VideoInfo info;
  info.fps = capture.get(cv::CAP_PROP_FPS);
  int fourcc = int(capture.get(cv::CAP_PROP_FOURCC));
  for (int i = 0; i < 4; ++i) info.codec += char((fourcc >> (8 * i)) & 0xff);
  cv::Mat frame;
  while (capture.read(frame)) {
    info.size = frame.size();
    ++info.frames;
  }
  return info;
}

}  // namespace depthforge::testing
