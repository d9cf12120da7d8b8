#include "depthforge/io/image_io.h"

#include <cstring>

#include <filesystem>

#include <opencv2/imgproc.hpp>

#include "depthforge/core/error.h"
#include "depthforge/io/image_codec.h"
#include "depthforge/util/atomic_file.h"
#include "depthforge/util/paths.h"

namespace depthforge {
namespace fs = std::filesystem;
namespace {

uint32_t BigEndian32(const std::string& b, size_t at) {
  return (uint32_t(uint8_t(b[at])) << 24) | (uint32_t(uint8_t(b[at + 1])) << 16) |
         (uint32_t(uint8_t(b[at + 2])) << 8) | uint32_t(uint8_t(b[at + 3]));
}
uint16_t BigEndian16(const std::string& b, size_t at) {
  return uint16_t((uint8_t(b[at]) << 8) | uint8_t(b[at + 1]));
}
int32_t LittleEndian32(const std::string& b, size_t at) {
  return int32_t(uint32_t(uint8_t(b[at])) | (uint32_t(uint8_t(b[at + 1])) << 8) |
                 (uint32_t(uint8_t(b[at + 2])) << 16) | (uint32_t(uint8_t(b[at + 3])) << 24));
}

constexpr char kPngSignature[] = "\x89PNG\r\n\x1a\n";

std::optional<ImageHeader> ProbeJpeg(const std::string& b) {
  size_t at = 2;
  while (at + 4 <= b.size()) {
    if (uint8_t(b[at]) != 0xFF) return std::nullopt;
    uint8_t marker = uint8_t(b[at + 1]);
    if (marker == 0xFF) { ++at; continue; }  // fill byte
    if (marker == 0xD8 || (marker >= 0xD0 && marker <= 0xD7) || marker == 0x01) { at += 2; continue; }
    uint16_t length = BigEndian16(b, at + 2);
    bool start_of_frame = marker >= 0xC0 && marker <= 0xCF && marker != 0xC4 && marker != 0xC8 && marker != 0xCC;
    if (start_of_frame) {
      if (at + 9 > b.size()) return std::nullopt;
      return ImageHeader{"jpeg", BigEndian16(b, at + 7), BigEndian16(b, at + 5)};
    }
    if (marker == 0xDA || length < 2) return std::nullopt;  // scan before frame: malformed
    at += 2 + length;
  }
  return std::nullopt;
}

// Skips whitespace and '#' comments of a PNM header, then reads a number.
bool ReadPnmNumber(const std::string& b, size_t& at, long& value) {
  while (at < b.size()) {
    if (b[at] == '#') { while (at < b.size() && b[at] != '\n') ++at; }
    else if (std::isspace(uint8_t(b[at]))) ++at;
    else break;
  }
  if (at >= b.size() || !std::isdigit(uint8_t(b[at]))) return false;
  value = 0;
  while (at < b.size() && std::isdigit(uint8_t(b[at])) && value < (1L << 40)) value = value * 10 + (b[at++] - '0');
  return true;
}

bool JpegReachesEnd(const std::string& b) {
  // Walk marker segments; inside entropy-coded data a 0xFF is followed by 0x00
  // (stuffing) or a restart marker, so the first other marker ends the scan.
  size_t at = 2;
  while (at + 2 <= b.size()) {
    if (uint8_t(b[at]) != 0xFF) return false;
    uint8_t marker = uint8_t(b[at + 1]);
    if (marker == 0xFF) { ++at; continue; }
    if (marker == 0xD9) return true;
    if ((marker >= 0xD0 && marker <= 0xD7) || marker == 0x01) { at += 2; continue; }
    if (at + 4 > b.size()) return false;
    size_t segment_end = at + 2 + BigEndian16(b, at + 2);
    if (segment_end > b.size()) return false;
    at = segment_end;
    if (marker == 0xDA) {
      while (at + 1 < b.size()) {
        if (uint8_t(b[at]) == 0xFF) {
          uint8_t next = uint8_t(b[at + 1]);
          if (next == 0x00 || (next >= 0xD0 && next <= 0xD7) || next == 0xFF) { at += (next == 0xFF) ? 1 : 2; continue; }
          break;
        }
        ++at;
      }
      if (at + 1 >= b.size()) return false;
    }
  }
  return false;
}

bool PngReachesEnd(const std::string& b) {
  size_t at = 8;
  while (at + 12 <= b.size()) {
    uint32_t length = BigEndian32(b, at);
    if (std::memcmp(b.data() + at + 4, "IEND", 4) == 0) return true;
    at += 12 + size_t(length);
  }
  return false;
}

}  // namespace

void ImageReadOptions::Check() const {
  if (max_pixels <= 0) throw OptionError("max_pixels must be positive, got " + std::to_string(max_pixels));
}

std::optional<ImageHeader> ProbeImageHeader(const std::string& b) {
  if (b.size() >= 24 && b.compare(0, 8, kPngSignature, 8) == 0 && b.compare(12, 4, "IHDR") == 0) {
    uint32_t width = BigEndian32(b, 16), height = BigEndian32(b, 20);
    if (width > INT32_MAX || height > INT32_MAX) return ImageHeader{"png", INT32_MAX, INT32_MAX};
    return ImageHeader{"png", int(width), int(height)};
  }
  if (b.size() >= 4 && uint8_t(b[0]) == 0xFF && uint8_t(b[1]) == 0xD8) return ProbeJpeg(b);
  if (b.size() >= 26 && b[0] == 'B' && b[1] == 'M') {
    int32_t width = LittleEndian32(b, 18), height = LittleEndian32(b, 22);
    if (height == INT32_MIN) height = INT32_MAX;
    return ImageHeader{"bmp", std::abs(width), std::abs(height)};
  }
  if (b.size() >= 3 && b[0] == 'P' && b[1] >= '1' && b[1] <= '6') {
    size_t at = 2;
    long width, height;
    if (ReadPnmNumber(b, at, width) && ReadPnmNumber(b, at, height)) {
      return ImageHeader{"pnm", int(std::min<long>(width, INT32_MAX)), int(std::min<long>(height, INT32_MAX))};
    }
  }
  return std::nullopt;
}

bool IsImageComplete(const std::string& bytes, const ImageHeader& header) {
  if (header.format == "jpeg") return JpegReachesEnd(bytes);
  if (header.format == "png") return PngReachesEnd(bytes);
  return true;
}

cv::Mat3b DecodeImage(const std::string& bytes, const std::string& name, const ImageReadOptions& options) {
  options.Check();
  if (bytes.empty()) throw FileError(name, "empty file (0 bytes), not an image");
  std::optional<ImageHeader> header = ProbeImageHeader(bytes);
  if (header) {
    int64_t pixels = int64_t(header->width) * int64_t(header->height);
    if (header->width <= 0 || header->height <= 0) {
      throw FileError(name, "invalid " + header->format + " header: size " + std::to_string(header->width) +
                                "x" + std::to_string(header->height));
    }
    if (pixels > options.max_pixels) {
      throw FileError(name, std::to_string(header->width) + "x" + std::to_string(header->height) +
                                " pixels is larger than the limit of " +
                                std::to_string(options.max_pixels / 1'000'000) + " megapixels; refusing to decode");
    }
    if (!IsImageComplete(bytes, *header)) {
      throw FileError(name, "truncated " + header->format + " file (" + std::to_string(bytes.size()) +
                                " bytes; the image data ends early)");
    }
  }
  cv::Mat raw = DecodeImageBytes(bytes, DecodeMode::kColor);
  if (raw.empty()) {
    throw FileError(name, header ? "corrupt " + header->format + " data, cannot decode"
                                 : "not an image, or a format OpenCV cannot read");
  }
  if (int64_t(raw.total()) > options.max_pixels) {
    throw FileError(name, std::to_string(raw.cols) + "x" + std::to_string(raw.rows) +
                              " pixels is larger than the limit of " +
                              std::to_string(options.max_pixels / 1'000'000) + " megapixels");
  }
  cv::Mat3b bgr;
  switch (raw.depth()) {
    case CV_8U: bgr = raw; break;
    case CV_16U: raw.convertTo(bgr, CV_8U, 1.0 / 257.0); break;
    case CV_32F:
    case CV_64F: raw.convertTo(bgr, CV_8U, 255.0); break;  // float images are in [0,1]
    default: raw.convertTo(bgr, CV_8U); break;
  }
  return bgr;
}

cv::Mat3b ReadImage(const std::string& path, const ImageReadOptions& options) {
  return DecodeImage(ReadFileBytes(path), path, options);
}

void PrepareImageOutput(const std::string& path) {
  std::string extension = fs::path(path).extension().string();
  if (extension.empty() || !HaveImageWriter(path)) {
    throw FileError(path, "unsupported image extension '" + extension + "' (use .png or .jpg)");
  }
  PrepareOutputFile(path);
}

void WriteImage(const std::string& path, const cv::Mat& image, const std::vector<int>& params) {
  WriteAtomically(path, [&](const std::string& temp) {
    // The temporary name keeps the extension (atomic_file.h), which picks the format.
    const bool ok = EncodeImageFile(temp, image, params);
    if (!ok) throw FileError(path, "cannot write image (unsupported extension or unwritable directory)");
  });
}

}  // namespace depthforge
