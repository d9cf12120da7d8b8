#include "depthforge/io/png_writer.h"

#include <fstream>

#include <zlib.h>

#include <cstdlib>
#include <vector>

#include "depthforge/core/error.h"
#include "depthforge/util/atomic_file.h"

namespace depthforge {
namespace {

void AppendBigEndian32(std::string& out, uint32_t value) {
  out += char(value >> 24);
  out += char(value >> 16);
  out += char(value >> 8);
  out += char(value);
}

// The tEXt chunk's keyword, a NUL, and its text.
constexpr char kSoftwareText[] = "Software\0depthforge";

void AppendChunk(std::string& out, const char* type, const std::string& data) {
  AppendBigEndian32(out, uint32_t(data.size()));
  size_t type_start = out.size();
  out.append(type, 4);
  out += data;
  uLong crc = crc32(0L, reinterpret_cast<const Bytef*>(out.data() + type_start), uInt(4 + data.size()));
  AppendBigEndian32(out, uint32_t(crc));
}

inline uint8_t Paeth(int a, int b, int c) {
  int p = a + b - c;
  int pa = std::abs(p - a), pb = std::abs(p - b), pc = std::abs(p - c);
  if (pa <= pb && pa <= pc) return uint8_t(a);
  return uint8_t(pb <= pc ? b : c);
}

}  // namespace

std::string EncodePng(const cv::Mat& image, int zlib_level) {
  int channels = image.channels();
  bool sixteen = image.depth() == CV_16U;
  if (image.empty() || !(image.depth() == CV_8U || (sixteen && channels == 1)) ||
      !(channels == 1 || channels == 3 || channels == 4)) {
    throw Error("PNG encoder: unsupported image type (8-bit 1/3/4 channels or 16-bit grey)");
  }
  const int bytes_per_pixel = channels * (sixteen ? 2 : 1);
  const size_t row_bytes = size_t(image.cols) * size_t(bytes_per_pixel);
  // Raw scanlines in PNG sample order (RGB, big-endian 16-bit).
  std::vector<uint8_t> previous(row_bytes, 0), current(row_bytes);
  std::vector<uint8_t> filtered(size_t(image.rows) * (row_bytes + 1));
  for (int y = 0; y < image.rows; ++y) {
    const uint8_t* src = image.ptr<uint8_t>(y);
    if (sixteen) {
      for (size_t i = 0; i < row_bytes; i += 2) { current[i] = src[i + 1]; current[i + 1] = src[i]; }
    } else if (channels >= 3) {
      for (int x = 0; x < image.cols; ++x) {
        const uint8_t* p = src + size_t(x) * size_t(channels);
        uint8_t* q = &current[size_t(x) * size_t(channels)];
        q[0] = p[2]; q[1] = p[1]; q[2] = p[0];
        if (channels == 4) q[3] = p[3];
      }
    } else {
      std::copy(src, src + row_bytes, current.begin());
    }
    uint8_t* out = &filtered[size_t(y) * (row_bytes + 1)];
    out[0] = 4;  // Paeth
    for (size_t i = 0; i < row_bytes; ++i) {
      int left = i >= size_t(bytes_per_pixel) ? current[i - size_t(bytes_per_pixel)] : 0;
      int up = previous[i];
      int up_left = i >= size_t(bytes_per_pixel) ? previous[i - size_t(bytes_per_pixel)] : 0;
      out[i + 1] = uint8_t(current[i] - Paeth(left, up, up_left));
    }
    std::swap(previous, current);
  }
  // Run-length matching only (Z_RLE): after the Paeth filter a smooth map is
  // runs of small residuals, so distance-1 matches find nearly everything;
  // measured on depth outputs, 16-bit maps compress 3× faster and 17 %
  // smaller than with the default match search, colour renderings as fast
  // and 20 % smaller (docs/PERFORMANCE.md).
  z_stream stream{};
  if (deflateInit2(&stream, zlib_level, Z_DEFLATED, 15, 8, Z_RLE) != Z_OK) throw Error("PNG encoder: zlib initialisation failed");
  std::string compressed(deflateBound(&stream, uLong(filtered.size())), '\0');
  stream.next_in = filtered.data();
  stream.avail_in = uInt(filtered.size());
  stream.next_out = reinterpret_cast<Bytef*>(compressed.data());
  stream.avail_out = uInt(compressed.size());
  const int status = deflate(&stream, Z_FINISH);
  compressed.resize(stream.total_out);
  deflateEnd(&stream);
  if (status != Z_STREAM_END) throw Error("PNG encoder: zlib compression failed");

  std::string png("\x89PNG\r\n\x1a\n", 8);
  std::string header;
  AppendBigEndian32(header, uint32_t(image.cols));
  AppendBigEndian32(header, uint32_t(image.rows));
  header += char(sixteen ? 16 : 8);
  header += char(channels == 1 ? 0 : channels == 3 ? 2 : 6);  // grey, RGB, RGBA
  header += std::string("\0\0\0", 3);                          // deflate, adaptive filters, no interlace
  AppendChunk(png, "IHDR", header);
  AppendChunk(png, "tEXt", std::string(kSoftwareText, sizeof kSoftwareText - 1));
  AppendChunk(png, "IDAT", compressed);
  AppendChunk(png, "IEND", "");
  return png;
}

void WritePng(const std::string& path, const cv::Mat& image, int zlib_level) {
  WriteFileBytes(path, EncodePng(image, zlib_level));
}

bool IsDepthforgePng(const std::string& path) {
  // Signature (8), IHDR chunk (8 + 13 + 4), then our tEXt chunk: length,
  // type and text.
  std::ifstream in(path, std::ios::binary);
  char head[64] = {};
  in.read(head, sizeof head);
  const std::string text(kSoftwareText, sizeof kSoftwareText - 1);
  const size_t at = 8 + 25 + 4;
  return in.gcount() >= std::streamsize(at + 4 + text.size()) && std::string(head + at, 4) == "tEXt" &&
         std::string(head + at + 4, text.size()) == text;
}

}  // namespace depthforge
