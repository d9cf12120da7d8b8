#include "depthforge/video/mp4_writer.h"

#include "depthforge/core/error.h"
#include "depthforge/video/photo_video.h"
#include "depthforge/video/video_writer.h"

namespace depthforge {

struct Mp4Writer::Impl {
  std::unique_ptr<VideoFileWriter> writer;
  double fps = 24;
};

Mp4Writer::Mp4Writer(const std::string& path, cv::Size size, double fps)
    : impl_(std::make_unique<Impl>()), size_(size.width & ~1, size.height & ~1) {
  if (size_.width < 2 || size_.height < 2) throw FileError(path, "video frames must be at least 2x2 pixels");
  if (!(fps > 0 && fps <= 240)) throw OptionError("frame rate must be between 0 and 240 per second");
  impl_->fps = fps;
  impl_->writer = std::make_unique<VideoFileWriter>(path, size_, fps, VideoEncoderOptions{});
}

Mp4Writer::~Mp4Writer() = default;  // an unfinished file is removed (VideoFileWriter)

void Mp4Writer::Write(const cv::Mat3b& frame) {
  if (frame.cols < size_.width || frame.rows < size_.height) throw Error("video frame is smaller than the video");
  impl_->writer->WriteFrame(frame.size() == size_ ? frame : cv::Mat3b(frame(cv::Rect(0, 0, size_.width, size_.height))),
                            double(frames_) / impl_->fps);
  ++frames_;
}

void Mp4Writer::Finish() { impl_->writer->Finish(); }

}  // namespace depthforge

// WritePhotoVideo (photo_video.h), whose encoding needs FFmpeg.
extern "C" int depthforge_ffmpeg_write_photo_video(const std::string* path, const cv::Mat3b* image,
                                                   const depthforge::DepthMap* depth,
                                                   const depthforge::Intrinsics* camera, depthforge::PhotoVideoKind kind,
                                                   const depthforge::PhotoVideoOptions* options) {
  depthforge::Mp4Writer writer(*path, depthforge::PhotoVideoFrameSize(image->size(), *options), options->fps);
  depthforge::RenderPhotoVideo(*image, *depth, *camera, kind, *options,
                               [&](int, const cv::Mat3b& frame) { writer.Write(frame); });
  writer.Finish();
  return writer.frames_written();
}
