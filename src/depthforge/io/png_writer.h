// A fast PNG encoder for depth outputs. libpng (through OpenCV) tries every
// row filter and spends most of its time there; depth maps and their colour
// renderings are smooth, so one fixed filter (Paeth) with zlib at level 1
// and run-length matching gives files as small in a fraction of the time
// (see docs/PERFORMANCE.md).
#pragma once

#include <string>
#include <vector>

#include <opencv2/core.hpp>

namespace depthforge {

// 8-bit grey / BGR / BGRA or 16-bit grey images; BGR is stored as RGB.
// Every file carries a text chunk "Software: depthforge" right after its
// header, so that a folder scan can tell our outputs from the user's photos.
std::string EncodePng(const cv::Mat& image, int zlib_level = 1);
void WritePng(const std::string& path, const cv::Mat& image, int zlib_level = 1);  // atomic

// An 8-bit palette image: each pixel an index into 'palette_bgr' (1 to 256
// colours). For pictures of at most 256 colours, such as depth renderings,
// a third of the data of the colour image: measured on depth outputs 2.3x
// faster to compress and 2.5x smaller. Throws Error for an index past the
// palette.
std::string EncodePalettePng(const cv::Mat1b& indices, const std::vector<cv::Vec3b>& palette_bgr,
                             int zlib_level = 1);
void WritePalettePng(const std::string& path, const cv::Mat1b& indices, const std::vector<cv::Vec3b>& palette_bgr,
                     int zlib_level = 1);  // atomic

// Whether the file at 'path' is a PNG written by EncodePng (reads 64 bytes).
bool IsDepthforgePng(const std::string& path);

}  // namespace depthforge
