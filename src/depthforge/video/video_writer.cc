#include "depthforge/video/video_writer.h"

extern "C" {
#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
}

#include "depthforge/core/error.h"
#include "depthforge/util/atomic_file.h"
#include "depthforge/video/av_error.h"

namespace depthforge {

struct VideoFileWriter::Impl {
  std::unique_ptr<AtomicFile> file;
  AVFormatContext* format = nullptr;
  AVStream* video = nullptr;
  std::unique_ptr<VideoEncoder> encoder;
  bool open = false, finished = false;

  ~Impl() {
    encoder.reset();
    if (open && !finished) avio_closep(&format->pb);
    avformat_free_context(format);
  }

  void Write(AVPacket* packet) {
    av_packet_rescale_ts(packet, {1, kVideoTimeBaseDen}, video->time_base);
    packet->stream_index = video->index;
    int status = av_interleaved_write_frame(format, packet);
    if (status < 0) throw FileError(file->final_path(), "cannot write the video (" + AvErrorText(status) + "; disk full?)");
  }
};

VideoFileWriter::VideoFileWriter(const std::string& path, cv::Size size, double frame_rate,
                                 const VideoEncoderOptions& options)
    : impl_(std::make_unique<Impl>()) {
  Impl& m = *impl_;
  QuietFfmpegLog();
  m.file = std::make_unique<AtomicFile>(path);
  const std::string& temp = m.file->temp_path();
  int status = avformat_alloc_output_context2(&m.format, nullptr, nullptr, temp.c_str());
  if (status < 0 || m.format == nullptr) throw FileError(path, "no container format for this file name (" + AvErrorText(status) + ")");
  m.encoder = std::make_unique<VideoEncoder>(path, size, frame_rate, VideoEncoder::Input::kBgr8, options,
                                             (m.format->oformat->flags & AVFMT_GLOBALHEADER) != 0,
                                             [&m](AVPacket* packet) { m.Write(packet); });
  m.video = avformat_new_stream(m.format, nullptr);
  avcodec_parameters_copy(m.video->codecpar, m.encoder->parameters());
  m.video->time_base = {1, kVideoTimeBaseDen};
  m.video->avg_frame_rate = av_d2q(frame_rate, 100000);
  status = avio_open(&m.format->pb, temp.c_str(), AVIO_FLAG_WRITE);
  if (status < 0) throw FileError(path, "cannot create (" + AvErrorText(status) + ")");
  m.open = true;
  status = avformat_write_header(m.format, nullptr);
  if (status < 0) throw FileError(path, "cannot start the video file (" + AvErrorText(status) + ")");
}

VideoFileWriter::~VideoFileWriter() = default;

void VideoFileWriter::WriteFrame(const cv::Mat3b& bgr, double time) { impl_->encoder->Encode(bgr, time); }

void VideoFileWriter::Finish() {
  Impl& m = *impl_;
  m.encoder->Flush();
  int status = av_write_trailer(m.format);
  if (status < 0) throw FileError(m.file->final_path(), "cannot finish the video file (" + AvErrorText(status) + ")");
  avio_closep(&m.format->pb);
  m.finished = true;
  m.file->Commit();
}

int64_t VideoFileWriter::frames_written() const { return impl_->encoder->frames(); }

}  // namespace depthforge
