// Depth encodings of public RGB-D datasets, decoded to metres (0 = unknown).
#pragma once

#include <string>

#include <opencv2/core.hpp>

namespace depthforge {

// NYU Depth v2 raw Kinect frame (.pgm, 16-bit 11-bit disparity counts, either byte order):
// depth = 351.3 / (1092.5 - r) metres, unknown where that is not positive.
cv::Mat1f ReadNyuRawDepth(const std::string& path);
// SUN RGB-D: uint16 with its 3 low bits rotated to the top, millimetres.
cv::Mat1f ReadSunDepth(const std::string& path);
// TUM RGB-D: uint16 / 5000 = metres.
cv::Mat1f ReadTumDepth(const std::string& path);

}  // namespace depthforge
