#include "depthforge/io/rgbd_io.h"

#include <opencv2/imgcodecs.hpp>

#include "depthforge/core/error.h"
#include "depthforge/io/depth_io.h"

namespace depthforge {

cv::Mat1f ReadNyuRawDepth(const std::string& path) {
  cv::Mat1w raw = ReadUint16Image(path);
  // Kinect disparity counts are 11-bit (2047 = no reading). PGM samples are
  // big-endian by the format's definition, but some NYU tools write them
  // little-endian; values above 11 bits betray swapped bytes.
  double max_value = 0;
  cv::minMaxLoc(raw, nullptr, &max_value);
  if (max_value > 2047) {
    for (int y = 0; y < raw.rows; ++y) {
      for (int x = 0; x < raw.cols; ++x) raw(y, x) = uint16_t((raw(y, x) >> 8) | (raw(y, x) << 8));
    }
  }
  cv::Mat1f metres(raw.size(), 0.f);
  for (int y = 0; y < raw.rows; ++y) {
    for (int x = 0; x < raw.cols; ++x) {
      if (raw(y, x) >= 2047) continue;
      double denominator = 1092.5 - raw(y, x);
      double depth = denominator > 0 ? 351.3 / denominator : 0.0;
      metres(y, x) = depth > 0 ? float(depth) : 0.f;
    }
  }
  return metres;
}

cv::Mat1f ReadSunDepth(const std::string& path) {
  cv::Mat1w raw = ReadUint16Image(path);
  cv::Mat1f metres(raw.size());
  for (int y = 0; y < raw.rows; ++y) {
    for (int x = 0; x < raw.cols; ++x) {
      uint16_t d = raw(y, x);
      uint16_t mm = uint16_t((d >> 3) | (d << 13));
      metres(y, x) = float(mm) / 1000.f;
    }
  }
  return metres;
}

cv::Mat1f ReadTumDepth(const std::string& path) {
  cv::Mat1f metres;
  ReadUint16Image(path).convertTo(metres, CV_32F, 1.0 / 5000.0);
  return metres;
}

}  // namespace depthforge
