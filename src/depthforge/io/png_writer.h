// A fast PNG encoder for depth outputs. libpng (through OpenCV) tries every
// row filter and spends most of its time there; depth maps and their colour
// renderings are smooth, so one fixed filter (Paeth) with zlib at level 1
// gives files as small in a fraction of the time (see docs/PERFORMANCE.md).
#pragma once

#include <string>

#include <opencv2/core.hpp>

namespace depthforge {

// 8-bit grey / BGR / BGRA or 16-bit grey images; BGR is stored as RGB.
std::string EncodePng(const cv::Mat& image, int zlib_level = 1);
void WritePng(const std::string& path, const cv::Mat& image, int zlib_level = 1);  // atomic

}  // namespace depthforge
