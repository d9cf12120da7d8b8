// Reading photos safely: every failure names the file and the reason, huge
// images are refused from their header before any pixel is decoded, and
// truncated files are detected instead of decoded into grey garbage.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include <opencv2/core.hpp>

namespace depthforge {

struct ImageReadOptions {
  // 120 MP covers current phone sensors (108 MP) with room to spare.
  int64_t max_pixels = 120'000'000;
  void Check() const;
};

struct ImageHeader {
  std::string format;  // "png", "jpeg", "bmp", "pnm"
  int width = 0;
  int height = 0;
};

// Width and height read from the header of a PNG, JPEG, BMP or PNM file, or
// nullopt for formats it does not parse (those are left to the decoder).
std::optional<ImageHeader> ProbeImageHeader(const std::string& bytes);

// True when a PNG / JPEG byte stream is complete (IEND / EOI reached).
// Other formats return true.
bool IsImageComplete(const std::string& bytes, const ImageHeader& header);

// Decodes any 8/16-bit or float, grey, RGB or RGBA image to 8-bit BGR.
// EXIF orientation is applied. Throws FileError.
cv::Mat3b ReadImage(const std::string& path, const ImageReadOptions& options = {});
cv::Mat3b DecodeImage(const std::string& bytes, const std::string& name,
                      const ImageReadOptions& options = {});

// Writes an image atomically; the format follows the extension. Throws FileError.
// Checks, before any work, that an image can be written at 'path': a known
// image extension, its folder created, not an input. Throws naming the path.
void PrepareImageOutput(const std::string& path);

void WriteImage(const std::string& path, const cv::Mat& image, const std::vector<int>& params = {});

}  // namespace depthforge
