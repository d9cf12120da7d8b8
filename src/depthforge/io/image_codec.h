// Image decoding and encoding for the formats photos and outputs come in:
// JPEG through libjpeg-turbo's TurboJPEG API and PNG through libpng (and
// depthforge's own PNG encoder), called directly. OpenCV's imgcodecs
// module reads and writes the same and more, but its library tree (GDAL,
// DICOM, PDF, XML, ... ~140 libraries) cost ~0.2 s of every command's
// start-up (docs/PERFORMANCE.md); it is kept for the other formats (TIFF,
// WebP, BMP, PNM, EXR, ...) in libdepthforge_opencv.so, opened on first
// use (util/plugin_library.h).
#pragma once

#include <string>
#include <vector>

#include <opencv2/core.hpp>

namespace depthforge {

enum class DecodeMode {
  kColor,      // 3 channels BGR, 8 or 16 bits as stored; JPEG EXIF orientation applied (as cv::IMREAD_COLOR | IMREAD_ANYDEPTH)
  kUnchanged,  // channels and depth as stored, no orientation (as cv::IMREAD_UNCHANGED)
  kGrey,       // 8-bit grey, EXIF orientation applied (as cv::IMREAD_GRAYSCALE)
};

// An empty Mat when the bytes are not an image any codec reads (or are
// corrupt); throws Error only when the OpenCV part cannot be loaded.
cv::Mat DecodeImageBytes(const std::string& bytes, DecodeMode mode);

// Encodes by the path's extension (.jpg/.jpeg, .png natively; others
// through OpenCV); params as cv::imwrite's (cv::IMWRITE_JPEG_QUALITY).
// Writes 'path' directly (callers make it atomic). False when it cannot.
bool EncodeImageFile(const std::string& path, const cv::Mat& image, const std::vector<int>& params = {});
bool HaveImageWriter(const std::string& path);

// Turns a decoded picture upright by its EXIF orientation (1..8).
cv::Mat ApplyExifOrientation(const cv::Mat& image, int orientation);

}  // namespace depthforge
