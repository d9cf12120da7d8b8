// Depth encodings of public RGB-D datasets, decoded to metres (0 = unknown).
#pragma once

#include <string>

#include <opencv2/core.hpp>

namespace depthforge {

// NYU Depth v2 raw Kinect frame (.pgm, big-endian 16-bit disparity counts):
// depth = 351.3 / (1092.5 - r) metres, unknown where that is not positive.
cv::Mat1f ReadNyuRawDepth(const std::string& path);
// SUN RGB-D: uint16 with its 3 low bits rotated to the top, millimetres.
cv::Mat1f ReadSunDepth(const std::string& path);
// TUM RGB-D: uint16 / 5000 = metres.
cv::Mat1f ReadTumDepth(const std::string& path);

}  // namespace depthforge
