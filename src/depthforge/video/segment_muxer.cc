#include "depthforge/video/segment_muxer.h"

extern "C" {
#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libavutil/audio_fifo.h>
#include <libavutil/opt.h>
#include <libswresample/swresample.h>
}

#include <cmath>
#include <cstring>
#include <algorithm>
#include <memory>
#include <vector>

#include "depthforge/core/error.h"
#include "depthforge/video/av_error.h"
#include "depthforge/video/packet_file.h"
#include "depthforge/video/video_encoder.h"

namespace depthforge {

namespace {

constexpr AVRational kVideoTimeBase{1, kVideoTimeBaseDen};

// A decoder for one of the source's streams, opened; 'kind' names it in
// errors ("audio", "subtitle").
AVCodecContext* OpenStreamDecoder(const std::string& output, const AVStream* source, const std::string& kind) {
  const AVCodec* codec = avcodec_find_decoder(source->codecpar->codec_id);
  if (codec == nullptr) throw FileError(output, "no decoder for the " + kind + " stream");
  AVCodecContext* decoder = avcodec_alloc_context3(codec);
  avcodec_parameters_to_context(decoder, source->codecpar);
  decoder->pkt_timebase = source->time_base;
  if (avcodec_open2(decoder, codec, nullptr) < 0) {
    avcodec_free_context(&decoder);
    throw FileError(output, "cannot open the " + kind + " decoder");
  }
  return decoder;
}

// Decodes one audio stream and encodes it again as AAC (the one audio
// codec every MP4 player takes), through a resampler to the encoder's
// sample format and a FIFO that cuts the samples into AAC's frames.
class AacTranscoder {
 public:
  AacTranscoder(const std::string& output, const AVStream* source, AVStream* target, bool global_header)
      : output_(output), target_(target) {
    const AVCodec* encoder = avcodec_find_encoder(AV_CODEC_ID_AAC);
    if (encoder == nullptr) throw FileError(output, "no AAC encoder");
    decoder_ = OpenStreamDecoder(output, source, "audio");
    encoder_ = avcodec_alloc_context3(encoder);
    encoder_->sample_rate = decoder_->sample_rate > 0 ? decoder_->sample_rate : 48000;
    int channels = std::clamp(decoder_->ch_layout.nb_channels, 1, 8);
    av_channel_layout_default(&encoder_->ch_layout, channels);
    encoder_->sample_fmt = AV_SAMPLE_FMT_FLTP;
    encoder_->bit_rate = 64000 * std::min(channels, 6);
    encoder_->time_base = {1, encoder_->sample_rate};
    if (global_header) encoder_->flags |= AV_CODEC_FLAG_GLOBAL_HEADER;
    int status = avcodec_open2(encoder_, encoder, nullptr);
    if (status < 0) throw FileError(output, "cannot open the AAC encoder (" + AvErrorText(status) + ")");
    avcodec_parameters_from_context(target->codecpar, encoder_);
    target->time_base = encoder_->time_base;
    fifo_ = av_audio_fifo_alloc(encoder_->sample_fmt, channels, encoder_->frame_size * 4);
    frame_ = av_frame_alloc();
    out_frame_ = av_frame_alloc();
    packet_ = av_packet_alloc();
  }
  ~AacTranscoder() {
    swr_free(&resampler_);
    av_audio_fifo_free(fifo_);
    av_frame_free(&frame_);
    av_frame_free(&out_frame_);
    av_packet_free(&packet_);
    avcodec_free_context(&decoder_);
    avcodec_free_context(&encoder_);
  }

  // 'first_sample': the output sample number of the packet's first sample
  // (its time since the start, in samples), so that gaps and a late start
  // keep their place. Encoded packets go to 'write'.
  template <typename Write>
  void Add(AVPacket* packet, Write&& write) {
    if (avcodec_send_packet(decoder_, packet) < 0) return;  // a broken packet is skipped
    while (avcodec_receive_frame(decoder_, frame_) == 0) {
      if (!resampler_) {
        swr_alloc_set_opts2(&resampler_, &encoder_->ch_layout, encoder_->sample_fmt, encoder_->sample_rate,
                            &frame_->ch_layout, AVSampleFormat(frame_->format), frame_->sample_rate, 0, nullptr);
        if (resampler_ == nullptr || swr_init(resampler_) < 0) throw FileError(output_, "cannot resample an audio stream");
      }
      if (next_pts_ == AV_NOPTS_VALUE && frame_->pts != AV_NOPTS_VALUE) {
        next_pts_ = av_rescale_q(frame_->pts - start_offset_, decoder_->pkt_timebase, encoder_->time_base);
      }
      const int capacity = int(swr_get_out_samples(resampler_, frame_->nb_samples));
      uint8_t** converted = nullptr;
      av_samples_alloc_array_and_samples(&converted, nullptr, encoder_->ch_layout.nb_channels, capacity,
                                         encoder_->sample_fmt, 0);
      int got = swr_convert(resampler_, converted, capacity, const_cast<const uint8_t**>(frame_->extended_data),
                            frame_->nb_samples);
      if (got > 0) av_audio_fifo_write(fifo_, reinterpret_cast<void**>(converted), got);
      av_freep(&converted[0]);
      av_freep(&converted);
      av_frame_unref(frame_);
      Encode(false, write);
    }
  }
  template <typename Write>
  void Finish(Write&& write) {
    Encode(true, write);
    avcodec_send_frame(encoder_, nullptr);
    Drain(write);
  }
  void set_start_offset(int64_t offset) { start_offset_ = offset; }

 private:
  template <typename Write>
  void Encode(bool last, Write&& write) {
    const int frame_size = encoder_->frame_size;
    while (av_audio_fifo_size(fifo_) >= frame_size || (last && av_audio_fifo_size(fifo_) > 0)) {
      const int n = std::min(frame_size, av_audio_fifo_size(fifo_));
      out_frame_->nb_samples = n;
      av_channel_layout_copy(&out_frame_->ch_layout, &encoder_->ch_layout);
      out_frame_->format = encoder_->sample_fmt;
      out_frame_->sample_rate = encoder_->sample_rate;
      if (av_frame_get_buffer(out_frame_, 0) < 0) throw Error("out of memory for audio");
      av_audio_fifo_read(fifo_, reinterpret_cast<void**>(out_frame_->data), n);
      out_frame_->pts = next_pts_ == AV_NOPTS_VALUE ? 0 : next_pts_;
      next_pts_ = out_frame_->pts + n;
      int status = avcodec_send_frame(encoder_, out_frame_);
      av_frame_unref(out_frame_);
      if (status < 0) throw FileError(output_, "AAC encoding failed (" + AvErrorText(status) + ")");
      Drain(write);
    }
  }
  template <typename Write>
  void Drain(Write&& write) {
    while (avcodec_receive_packet(encoder_, packet_) == 0) {
      av_packet_rescale_ts(packet_, encoder_->time_base, target_->time_base);
      packet_->stream_index = target_->index;
      write(packet_);
    }
  }

  std::string output_;
  AVStream* target_;
  AVCodecContext* decoder_ = nullptr;
  AVCodecContext* encoder_ = nullptr;
  SwrContext* resampler_ = nullptr;
  AVAudioFifo* fifo_ = nullptr;
  AVFrame* frame_ = nullptr;
  AVFrame* out_frame_ = nullptr;
  AVPacket* packet_ = nullptr;
  int64_t next_pts_ = AV_NOPTS_VALUE;
  int64_t start_offset_ = 0;  // source pts that is 0 in the output, in the source's time base
};

// Converts a text subtitle stream (SubRip, ASS, WebVTT...) to the text
// subtitle codec of the output container (mov_text, MP4's own, where the
// source's does not fit): each cue is decoded to FFmpeg's ASS lines and
// encoded again, keeping its start time and duration. Styling beyond what
// the target codec has is lost; the words and the timing are kept.
class TextSubtitleTranscoder {
 public:
  TextSubtitleTranscoder(const std::string& output, const AVStream* source, AVStream* target, AVCodecID target_codec)
      : output_(output), source_time_base_(source->time_base), target_(target) {
    const AVCodec* encoder = avcodec_find_encoder(target_codec);
    if (encoder == nullptr) throw FileError(output, std::string("no ") + avcodec_get_name(target_codec) + " encoder");
    decoder_ = OpenStreamDecoder(output, source, "subtitle");
    encoder_ = avcodec_alloc_context3(encoder);
    encoder_->time_base = {1, 1000};
    // The text encoders read the styles from the decoder's ASS header.
    if (decoder_->subtitle_header != nullptr) {
      encoder_->subtitle_header = static_cast<uint8_t*>(av_mallocz(size_t(decoder_->subtitle_header_size) + 1));
      std::memcpy(encoder_->subtitle_header, decoder_->subtitle_header, size_t(decoder_->subtitle_header_size));
      encoder_->subtitle_header_size = decoder_->subtitle_header_size;
    }
    int status = avcodec_open2(encoder_, encoder, nullptr);
    if (status < 0) throw FileError(output, "cannot open the subtitle encoder (" + AvErrorText(status) + ")");
    avcodec_parameters_from_context(target->codecpar, encoder_);
    target->time_base = encoder_->time_base;
    packet_ = av_packet_alloc();
  }
  ~TextSubtitleTranscoder() {
    av_packet_free(&packet_);
    avcodec_free_context(&decoder_);
    avcodec_free_context(&encoder_);
  }
  TextSubtitleTranscoder(const TextSubtitleTranscoder&) = delete;
  TextSubtitleTranscoder& operator=(const TextSubtitleTranscoder&) = delete;

  // 'start': the source pts that is 0 in the output (source time base).
  template <typename Write>
  void Add(AVPacket* packet, int64_t start, Write&& write) {
    AVSubtitle subtitle{};
    int got = 0;
    if (avcodec_decode_subtitle2(decoder_, &subtitle, &got, packet) < 0 || !got) return;
    std::unique_ptr<AVSubtitle, void (*)(AVSubtitle*)> guard(&subtitle, avsubtitle_free);
    // The cue shows from its packet's time for its duration (the packet's,
    // or the decoder's display times).
    const int64_t begin_ms = av_rescale_q(packet->pts - start, source_time_base_, {1, 1000}) + subtitle.start_display_time;
    int64_t length_ms = packet->duration > 0 ? av_rescale_q(packet->duration, source_time_base_, {1, 1000})
                                             : int64_t(subtitle.end_display_time) - subtitle.start_display_time;
    subtitle.pts = av_rescale_q(begin_ms, {1, 1000}, AV_TIME_BASE_Q);
    subtitle.start_display_time = 0;
    subtitle.end_display_time = uint32_t(std::max<int64_t>(length_ms, 1));
    std::vector<uint8_t> buffer(1 << 16);
    int size = avcodec_encode_subtitle(encoder_, buffer.data(), int(buffer.size()), &subtitle);
    if (size < 0) throw FileError(output_, "cannot convert a subtitle cue (" + AvErrorText(size) + ")");
    if (size == 0) return;
    av_packet_unref(packet_);
    if (av_new_packet(packet_, size) < 0) throw Error("out of memory for a subtitle packet");
    std::memcpy(packet_->data, buffer.data(), size_t(size));
    packet_->pts = packet_->dts = av_rescale_q(begin_ms, {1, 1000}, target_->time_base);
    packet_->duration = av_rescale_q(subtitle.end_display_time, {1, 1000}, target_->time_base);
    packet_->stream_index = target_->index;
    write(packet_);
  }

 private:
  std::string output_;
  AVRational source_time_base_;
  AVStream* target_;
  AVCodecContext* decoder_ = nullptr;
  AVCodecContext* encoder_ = nullptr;
  AVPacket* packet_ = nullptr;
};

// The text subtitle codec a container holds, or AV_CODEC_ID_NONE.
AVCodecID TextSubtitleCodecFor(const AVOutputFormat* format) {
  for (AVCodecID codec : {AV_CODEC_ID_MOV_TEXT, AV_CODEC_ID_SUBRIP, AV_CODEC_ID_ASS, AV_CODEC_ID_WEBVTT}) {
    if (avformat_query_codec(format, codec, FF_COMPLIANCE_NORMAL) == 1) return codec;
  }
  return AV_CODEC_ID_NONE;
}

struct SourceStream {
  int output_index = -1;                       // -1: not kept
  std::unique_ptr<AacTranscoder> transcoder;   // audio re-encoded
  std::unique_ptr<TextSubtitleTranscoder> text;  // text subtitles converted
  int64_t start = 0, end = INT64_MAX;          // kept window, in the stream's time base
};

}  // namespace

MuxReport MuxSegments(const std::string& output, const MuxInput& input) {
  QuietFfmpegLog();
  if (input.segments.empty()) throw Error("no video segment to join into " + output);
  if (!(input.frame_rate > 0)) throw Error("a video needs a positive frame rate");
  MuxReport report;
  AVFormatContext* out = nullptr;
  int status = avformat_alloc_output_context2(&out, nullptr, nullptr, output.c_str());
  if (status < 0 || out == nullptr) throw FileError(output, "no container format for this file name");
  std::unique_ptr<AVFormatContext, void (*)(AVFormatContext*)> out_guard(out, [](AVFormatContext* f) {
    if (f->pb != nullptr) avio_closep(&f->pb);
    avformat_free_context(f);
  });
  const bool global_header = (out->oformat->flags & AVFMT_GLOBALHEADER) != 0;

  // The video stream, described by the first segment.
  auto first = std::make_unique<PacketFileReader>(input.segments.front());
  AVStream* video = avformat_new_stream(out, nullptr);
  avcodec_parameters_copy(video->codecpar, first->parameters());
  video->codecpar->codec_tag = 0;
  video->time_base = kVideoTimeBase;
  video->avg_frame_rate = av_d2q(input.frame_rate, 100000);
  const int64_t frame_duration = std::max<int64_t>(1, std::llround(kVideoTimeBaseDen / input.frame_rate));

  // The source's audio and subtitles.
  AVFormatContext* source = nullptr;
  std::unique_ptr<AVFormatContext, void (*)(AVFormatContext*)> source_guard(nullptr, [](AVFormatContext* f) {
    avformat_close_input(&f);
  });
  std::vector<SourceStream> streams;
  double source_start = 0;
  if (!input.source.empty()) {
    if (avformat_open_input(&source, input.source.c_str(), nullptr, nullptr) < 0 ||
        avformat_find_stream_info(source, nullptr) < 0) {
      throw FileError(input.source, "cannot be read again for its audio");
    }
    source_guard.reset(source);
    source_start = source->start_time == AV_NOPTS_VALUE ? 0.0 : double(source->start_time) / AV_TIME_BASE;
    streams.resize(source->nb_streams);
    for (unsigned i = 0; i < source->nb_streams; ++i) {
      AVStream* s = source->streams[i];
      const AVMediaType type = s->codecpar->codec_type;
      if (type != AVMEDIA_TYPE_AUDIO && type != AVMEDIA_TYPE_SUBTITLE) {
        s->discard = AVDISCARD_ALL;
        continue;
      }
      const std::string kind = type == AVMEDIA_TYPE_AUDIO ? "audio " : "subtitle ";
      const std::string codec = avcodec_get_name(s->codecpar->codec_id);
      SourceStream& kept = streams[i];
      kept.start = std::llround((input.start + source_start) / av_q2d(s->time_base));
      if (input.end > 0) kept.end = std::llround((input.end + source_start) / av_q2d(s->time_base));
      const bool fits = avformat_query_codec(out->oformat, s->codecpar->codec_id, FF_COMPLIANCE_NORMAL) == 1;
      const AVCodecDescriptor* descriptor = avcodec_descriptor_get(s->codecpar->codec_id);
      const bool is_text = descriptor != nullptr && (descriptor->props & AV_CODEC_PROP_TEXT_SUB) != 0;
      const AVCodecID text_codec = TextSubtitleCodecFor(out->oformat);
      if (!fits && type == AVMEDIA_TYPE_SUBTITLE && (!is_text || text_codec == AV_CODEC_ID_NONE)) {
        // Bitmap subtitles (PGS, DVD) would need OCR to become text.
        report.dropped.push_back(kind + codec + " (" + out->oformat->name + " cannot hold it" +
                                 (is_text ? ")" : "; bitmap subtitles are not converted)"));
        s->discard = AVDISCARD_ALL;
        continue;
      }
      AVStream* target = avformat_new_stream(out, nullptr);
      kept.output_index = target->index;
      av_dict_copy(&target->metadata, s->metadata, 0);  // language, title
      target->disposition = s->disposition;
      if (fits) {
        avcodec_parameters_copy(target->codecpar, s->codecpar);
        target->codecpar->codec_tag = 0;
        target->time_base = s->time_base;
        report.copied.push_back(kind + codec);
      } else if (type == AVMEDIA_TYPE_SUBTITLE) {
        kept.text = std::make_unique<TextSubtitleTranscoder>(output, s, target, text_codec);
        report.reencoded.push_back(kind + codec + " -> " + avcodec_get_name(text_codec));
      } else {
        kept.transcoder = std::make_unique<AacTranscoder>(output, s, target, global_header);
        kept.transcoder->set_start_offset(kept.start);
        report.reencoded.push_back(kind + codec + " -> aac");
      }
    }
  }

  status = avio_open(&out->pb, output.c_str(), AVIO_FLAG_WRITE);
  if (status < 0) throw FileError(output, "cannot create (" + AvErrorText(status) + ")");
  status = avformat_write_header(out, nullptr);
  if (status < 0) throw FileError(output, "cannot start the file (" + AvErrorText(status) + ")");

  auto write = [&](AVPacket* packet) {
    int result = av_interleaved_write_frame(out, packet);
    if (result < 0) throw FileError(output, "cannot write (" + AvErrorText(result) + "; disk full?)");
  };

  // Both sequences are in time order; writing the earlier packet first keeps
  // the muxer's interleaving buffer small.
  const int64_t video_shift = std::llround(input.start * kVideoTimeBaseDen);
  AVPacket* video_packet = av_packet_alloc();
  AVPacket* source_packet = av_packet_alloc();
  std::unique_ptr<AVPacket, void (*)(AVPacket*)> guard1(video_packet, [](AVPacket* p) { av_packet_free(&p); });
  std::unique_ptr<AVPacket, void (*)(AVPacket*)> guard2(source_packet, [](AVPacket* p) { av_packet_free(&p); });
  size_t segment = 0;
  std::unique_ptr<PacketFileReader> reader = std::move(first);
  int64_t last_dts = INT64_MIN;
  double video_time = 0;
  bool video_left = true, source_left = source != nullptr, have_source_packet = false;
  auto next_video = [&]() -> bool {
    while (true) {
      if (reader->Read(video_packet)) return true;
      if (++segment >= input.segments.size()) return false;
      reader = std::make_unique<PacketFileReader>(input.segments[segment]);
      const AVCodecParameters* p = reader->parameters();
      if (p->extradata_size != video->codecpar->extradata_size ||
          (p->extradata_size > 0 && std::memcmp(p->extradata, video->codecpar->extradata, size_t(p->extradata_size)) != 0)) {
        throw FileError(input.segments[segment], "was encoded with other settings than the segments before it");
      }
    }
  };
  video_left = next_video();
  while (video_left || source_left) {
    if (source_left && !have_source_packet) {
      have_source_packet = av_read_frame(source, source_packet) >= 0;
      if (!have_source_packet) source_left = false;
    }
    video_time = video_left ? double(video_packet->dts == AV_NOPTS_VALUE ? video_packet->pts : video_packet->dts) / kVideoTimeBaseDen - input.start : 1e300;
    double source_time = 1e300;
    if (have_source_packet) {
      const AVStream* s = source->streams[source_packet->stream_index];
      int64_t t = source_packet->dts != AV_NOPTS_VALUE ? source_packet->dts : source_packet->pts;
      source_time = t == AV_NOPTS_VALUE ? video_time : double(t) * av_q2d(s->time_base) - source_start - input.start;
    }
    if (video_left && video_time <= source_time) {
      video_packet->pts -= video_shift;
      video_packet->dts -= video_shift;
      // Segments start with a new encoder: keep decoding times increasing across the joins.
      if (video_packet->dts <= last_dts) video_packet->dts = last_dts + 1;
      if (video_packet->pts < video_packet->dts) video_packet->pts = video_packet->dts;
      last_dts = video_packet->dts;
      video_packet->duration = frame_duration;
      av_packet_rescale_ts(video_packet, kVideoTimeBase, video->time_base);
      video_packet->stream_index = video->index;
      video_packet->pos = -1;
      write(video_packet);
      video_left = next_video();
      continue;
    }
    have_source_packet = false;
    SourceStream& kept = streams[size_t(source_packet->stream_index)];
    const int64_t t = source_packet->pts != AV_NOPTS_VALUE ? source_packet->pts : source_packet->dts;
    if (kept.output_index < 0 || t == AV_NOPTS_VALUE || t < kept.start || t >= kept.end) {
      av_packet_unref(source_packet);
      continue;
    }
    if (kept.transcoder) {
      kept.transcoder->Add(source_packet, write);
      av_packet_unref(source_packet);
      continue;
    }
    if (kept.text) {
      kept.text->Add(source_packet, kept.start, write);
      av_packet_unref(source_packet);
      continue;
    }
    const AVStream* s = source->streams[source_packet->stream_index];
    AVStream* target = out->streams[kept.output_index];
    if (source_packet->pts != AV_NOPTS_VALUE) source_packet->pts -= kept.start;
    if (source_packet->dts != AV_NOPTS_VALUE) source_packet->dts -= kept.start;
    av_packet_rescale_ts(source_packet, s->time_base, target->time_base);
    source_packet->stream_index = kept.output_index;
    source_packet->pos = -1;
    write(source_packet);
  }
  for (SourceStream& kept : streams) {
    if (kept.transcoder) kept.transcoder->Finish(write);
  }
  status = av_write_trailer(out);
  if (status < 0) throw FileError(output, "cannot finish the file (" + AvErrorText(status) + ")");
  return report;
}

}  // namespace depthforge
