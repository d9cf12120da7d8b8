#include "depthforge/video/mp4_writer.h"


#include <opencv2/videoio.hpp>

#include "depthforge/core/error.h"
#include "depthforge/util/atomic_file.h"

namespace depthforge {

struct Mp4Writer::Impl {
  cv::VideoWriter writer;
};

Mp4Writer::Mp4Writer(const std::string& path, cv::Size size, double fps)
    : file_(std::make_unique<AtomicFile>(path)), impl_(std::make_unique<Impl>()),
      size_(size.width & ~1, size.height & ~1) {
  if (size_.width < 2 || size_.height < 2) throw FileError(path, "video frames must be at least 2x2 pixels");
  if (!(fps > 0 && fps <= 240)) throw OptionError("frame rate must be between 0 and 240 per second");
  impl_->writer.open(file_->temp_path(), cv::CAP_FFMPEG, cv::VideoWriter::fourcc('a', 'v', 'c', '1'), fps, size_);
  if (!impl_->writer.isOpened()) throw FileError(path, "cannot open an H.264 encoder (OpenCV built without FFmpeg/libx264?)");
}

Mp4Writer::~Mp4Writer() = default;  // an unfinished file is removed by AtomicFile

void Mp4Writer::Write(const cv::Mat3b& frame) {
  if (frame.cols < size_.width || frame.rows < size_.height) throw Error("video frame is smaller than the video");
  impl_->writer.write(frame.size() == size_ ? frame : frame(cv::Rect(0, 0, size_.width, size_.height)));
  ++frames_;
}

void Mp4Writer::Finish() {
  impl_->writer.release();
  file_->Commit();
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

}  // namespace depthforge
