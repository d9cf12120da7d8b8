// Constant-rate H.264 MP4 files of rendered frames (the photo videos):
// VideoFileWriter with the default encoder settings. Frames go to a
// temporary file that is renamed into place by Finish(), so an interrupted
// render never leaves a broken video behind.
#pragma once

#include <memory>
#include <string>

#include <opencv2/core.hpp>

namespace depthforge {

class Mp4Writer {
 public:
  // H.264 needs even sizes: an odd width or height is cut by one pixel.
  // Throws FileError when the encoder cannot be opened.
  Mp4Writer(const std::string& path, cv::Size size, double fps);
  ~Mp4Writer();
  cv::Size frame_size() const { return size_; }
  void Write(const cv::Mat3b& frame);  // frames of the size given (or the even-cut size)
  void Finish();                        // close and rename into place
  int frames_written() const { return frames_; }

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  cv::Size size_;
  int frames_ = 0;
};

}  // namespace depthforge
