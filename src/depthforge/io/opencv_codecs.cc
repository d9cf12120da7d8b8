// In libdepthforge_opencv.so: OpenCV's imgcodecs for the formats
// io/image_codec.cc does not read or write itself (TIFF, WebP, BMP, PNM,
// EXR, CMYK JPEG, ...), called through OpenCvLibrarySymbol.
#include <opencv2/imgcodecs.hpp>

#include <string>
#include <vector>

#include "depthforge/io/image_codec.h"

// Decodes as DecodeMode 'mode' says; false (and an empty image) when
// OpenCV cannot.
extern "C" bool depthforge_opencv_decode(const char* data, size_t size, int mode, cv::Mat* image) {
  int flags = cv::IMREAD_COLOR | cv::IMREAD_ANYDEPTH;
  if (mode == int(depthforge::DecodeMode::kUnchanged)) flags = cv::IMREAD_UNCHANGED;
  if (mode == int(depthforge::DecodeMode::kGrey)) flags = cv::IMREAD_GRAYSCALE;
  try {
    *image = cv::imdecode(cv::Mat(1, int(size), CV_8U, const_cast<char*>(data)), flags);
  } catch (const cv::Exception&) {
    *image = cv::Mat();
  }
  return !image->empty();
}

extern "C" bool depthforge_opencv_encode(const char* path, const cv::Mat* image, const int* params, size_t count) {
  try {
    return cv::imwrite(path, *image, std::vector<int>(params, params + count));
  } catch (const cv::Exception&) {
    return false;
  }
}

extern "C" bool depthforge_opencv_have_writer(const char* path) { return cv::haveImageWriter(path); }
