#include "depthforge/io/image_codec.h"

#include <algorithm>
#include <csetjmp>
#include <cstring>
#include <memory>

#include <png.h>
#include <turbojpeg.h>

#include "depthforge/core/error.h"
#include "depthforge/io/exif.h"
#include "depthforge/io/png_writer.h"
#include "depthforge/util/atomic_file.h"
#include "depthforge/util/paths.h"
#include "depthforge/util/plugin_library.h"

namespace depthforge {
namespace {

bool IsJpeg(const std::string& b) { return b.size() > 3 && uint8_t(b[0]) == 0xFF && uint8_t(b[1]) == 0xD8 && uint8_t(b[2]) == 0xFF; }
bool IsPng(const std::string& b) { return b.size() > 8 && std::memcmp(b.data(), "\x89PNG\r\n\x1a\n", 8) == 0; }

struct TurboJpeg {
  tjhandle handle;
  explicit TurboJpeg(tjhandle h) : handle(h) {}
  ~TurboJpeg() {
    if (handle != nullptr) tjDestroy(handle);
  }
};

// JPEG with libjpeg-turbo's default (accurate) DCT and smooth chroma
// upsampling, as OpenCV's reader; empty when libjpeg-turbo cannot (CMYK,
// damage) so that OpenCV gets a try.
cv::Mat DecodeJpeg(const std::string& bytes, DecodeMode mode) {
  TurboJpeg tj(tjInitDecompress());
  if (tj.handle == nullptr) return {};
  int width = 0, height = 0, subsampling = 0, colorspace = 0;
  const auto* data = reinterpret_cast<const unsigned char*>(bytes.data());
  if (tjDecompressHeader3(tj.handle, data, (unsigned long)bytes.size(), &width, &height, &subsampling, &colorspace) != 0) return {};
  if (colorspace == TJCS_CMYK || colorspace == TJCS_YCCK || width <= 0 || height <= 0) return {};
  const bool grey = mode == DecodeMode::kGrey || (mode == DecodeMode::kUnchanged && colorspace == TJCS_GRAY);
  cv::Mat image(height, width, grey ? CV_8UC1 : CV_8UC3);
  if (tjDecompress2(tj.handle, data, (unsigned long)bytes.size(), image.data, width, int(image.step), height,
                    grey ? TJPF_GRAY : TJPF_BGR, 0) != 0) {
    // A warning (e.g. extra bytes after the end) still gives the picture;
    // an error does not.
    if (tjGetErrorCode(tj.handle) != TJERR_WARNING) return {};
  }
  if (mode == DecodeMode::kUnchanged) return image;
  return ApplyExifOrientation(image, ReadExifFocal(bytes).orientation);
}

struct PngSource {
  const std::string& bytes;
  size_t at = 8;
};

void ReadPngBytes(png_structp png, png_bytep out, png_size_t length) {
  auto* source = static_cast<PngSource*>(png_get_io_ptr(png));
  if (source->at + length > source->bytes.size()) png_error(png, "truncated");
  std::memcpy(out, source->bytes.data() + source->at, length);
  source->at += length;
}

// PNG (any colour type, 1 to 16 bits) to BGR (kColor) or as stored
// (kUnchanged: grey, grey+alpha as BGRA, BGR, BGRA); 16 bits kept.
cv::Mat DecodePng(const std::string& bytes, DecodeMode mode) {
  png_structp png = png_create_read_struct(PNG_LIBPNG_VER_STRING, nullptr, nullptr, nullptr);
  if (png == nullptr) return {};
  png_infop info = png_create_info_struct(png);
  // Everything with a destructor lives before setjmp: libpng's errors
  // longjmp back here.
  cv::Mat image;
  std::vector<png_bytep> rows;
  PngSource source{bytes};
  if (info == nullptr || setjmp(png_jmpbuf(png))) {
    png_destroy_read_struct(&png, info ? &info : nullptr, nullptr);
    return {};
  }
  png_set_sig_bytes(png, 8);
  png_set_read_fn(png, &source, ReadPngBytes);
  png_read_info(png, info);
  png_uint_32 width = 0, height = 0;
  int bit_depth = 0, color_type = 0;
  png_get_IHDR(png, info, &width, &height, &bit_depth, &color_type, nullptr, nullptr, nullptr);
  if (color_type == PNG_COLOR_TYPE_PALETTE) png_set_palette_to_rgb(png);
  if (color_type == PNG_COLOR_TYPE_GRAY && bit_depth < 8) png_set_expand_gray_1_2_4_to_8(png);
  if (bit_depth == 16) png_set_swap(png);  // PNG is big-endian
  if (mode == DecodeMode::kColor) {
    if (color_type == PNG_COLOR_TYPE_GRAY || color_type == PNG_COLOR_TYPE_GRAY_ALPHA) png_set_gray_to_rgb(png);
    if (png_get_valid(png, info, PNG_INFO_tRNS)) png_set_tRNS_to_alpha(png);
    png_set_strip_alpha(png);
  } else {
    if (png_get_valid(png, info, PNG_INFO_tRNS)) png_set_tRNS_to_alpha(png);
    if (color_type == PNG_COLOR_TYPE_GRAY_ALPHA) png_set_gray_to_rgb(png);  // as OpenCV: grey+alpha comes out BGRA
  }
  png_set_bgr(png);
  png_set_interlace_handling(png);
  png_read_update_info(png, info);
  const int channels = png_get_channels(png, info);
  const int depth = png_get_bit_depth(png, info) == 16 ? CV_16U : CV_8U;
  if (channels < 1 || channels > 4 || width == 0 || height == 0) {
    png_destroy_read_struct(&png, &info, nullptr);
    return {};
  }
  image.create(int(height), int(width), CV_MAKETYPE(depth, channels));
  rows.resize(height);
  for (png_uint_32 y = 0; y < height; ++y) rows[y] = image.ptr(int(y));
  png_read_image(png, rows.data());
  png_read_end(png, nullptr);
  png_destroy_read_struct(&png, &info, nullptr);
  return image;
}

// OpenCV's imgcodecs in libdepthforge_opencv.so (opencv_codecs.cc).
cv::Mat DecodeWithOpenCv(const std::string& bytes, DecodeMode mode) {
  using Entry = bool (*)(const char*, size_t, int, cv::Mat*);
  auto decode = reinterpret_cast<Entry>(OpenCvLibrarySymbol("depthforge_opencv_decode"));
  cv::Mat image;
  decode(bytes.data(), bytes.size(), int(mode), &image);
  return image;
}

bool EncodeJpeg(const std::string& path, const cv::Mat& image, int quality) {
  if (image.depth() != CV_8U || (image.channels() != 1 && image.channels() != 3)) return false;
  TurboJpeg tj(tjInitCompress());
  if (tj.handle == nullptr) return false;
  cv::Mat continuous = image.isContinuous() ? image : image.clone();
  unsigned char* jpeg = nullptr;
  unsigned long size = 0;
  const bool grey = image.channels() == 1;
  // 4:2:0 chroma and the accurate DCT, as OpenCV writes by default.
  if (tjCompress2(tj.handle, continuous.data, image.cols, int(continuous.step), image.rows, grey ? TJPF_GRAY : TJPF_BGR,
                  &jpeg, &size, grey ? TJSAMP_GRAY : TJSAMP_420, quality, 0) != 0) {
    if (jpeg != nullptr) tjFree(jpeg);
    return false;
  }
  std::string bytes(reinterpret_cast<const char*>(jpeg), size);
  tjFree(jpeg);
  WriteFileBytes(path, bytes);
  return true;
}

}  // namespace

cv::Mat ApplyExifOrientation(const cv::Mat& image, int orientation) {
  cv::Mat out;
  switch (orientation) {
    case 2: cv::flip(image, out, 1); return out;
    case 3: cv::flip(image, out, -1); return out;
    case 4: cv::flip(image, out, 0); return out;
    case 5: cv::transpose(image, out); return out;
    case 6: cv::transpose(image, out); cv::flip(out, out, 1); return out;
    case 7: cv::transpose(image, out); cv::flip(out, out, -1); return out;
    case 8: cv::transpose(image, out); cv::flip(out, out, 0); return out;
    default: return image;
  }
}

cv::Mat DecodeImageBytes(const std::string& bytes, DecodeMode mode) {
  // Grey PNGs go to OpenCV: its grey conversion is the one structured
  // light was measured with.
  cv::Mat image;
  if (IsJpeg(bytes)) image = DecodeJpeg(bytes, mode);
  else if (IsPng(bytes) && mode != DecodeMode::kGrey) image = DecodePng(bytes, mode);
  return image.empty() ? DecodeWithOpenCv(bytes, mode) : image;
}

bool HaveImageWriter(const std::string& path) {
  const std::string extension = LowercaseExtension(path);
  if (extension == ".png" || extension == ".jpg" || extension == ".jpeg") return true;
  using Entry = bool (*)(const char*);
  return reinterpret_cast<Entry>(OpenCvLibrarySymbol("depthforge_opencv_have_writer"))(path.c_str());
}

bool EncodeImageFile(const std::string& path, const cv::Mat& image, const std::vector<int>& params) {
  const std::string extension = LowercaseExtension(path);
  if (extension == ".jpg" || extension == ".jpeg") {
    int quality = 95;  // cv::imwrite's default
    for (size_t i = 0; i + 1 < params.size(); i += 2) {
      if (params[i] == 1 /* cv::IMWRITE_JPEG_QUALITY */) quality = std::clamp(params[i + 1], 0, 100);
    }
    if (EncodeJpeg(path, image, quality)) return true;
  } else if (extension == ".png" && params.empty() &&
             ((image.depth() == CV_8U && (image.channels() == 1 || image.channels() == 3 || image.channels() == 4)) ||
              image.type() == CV_16UC1)) {
    WriteFileBytes(path, EncodePng(image));
    return true;
  }
  using Entry = bool (*)(const char*, const cv::Mat*, const int*, size_t);
  auto encode = reinterpret_cast<Entry>(OpenCvLibrarySymbol("depthforge_opencv_encode"));
  return encode(path.c_str(), &image, params.data(), params.size());
}

}  // namespace depthforge
