#include "depthforge/io/depth_io.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <sstream>

#include <opencv2/imgproc.hpp>

#include "depthforge/core/error.h"
#include "depthforge/io/image_codec.h"
#include "depthforge/io/image_io.h"
#include "depthforge/io/npy.h"
#include "depthforge/io/png_writer.h"
#include "depthforge/util/atomic_file.h"

namespace depthforge {

const EnumNames<DepthFormat>& DepthFormatNames() {
  static const EnumNames<DepthFormat> kNames{"depth format", {{"npy", DepthFormat::kNpy},
      {"png16", DepthFormat::kPng16}, {"pfm", DepthFormat::kPfm}, {"color", DepthFormat::kColor}}};
  return kNames;
}
DepthFormat DepthFormatFromString(const std::string& name) { return DepthFormatNames().Parse(name); }

std::string ToString(DepthFormat format) { return DepthFormatNames().Name(format); }

std::string FileSuffix(DepthFormat format) {
  switch (format) {
    case DepthFormat::kNpy: return ".npy";
    case DepthFormat::kPng16: return ".png";
    case DepthFormat::kPfm: return ".pfm";
    case DepthFormat::kColor: return ".color.png";
  }
  return "";
}

std::vector<DepthFormat> ParseDepthFormats(const std::string& list) {
  std::vector<DepthFormat> formats;
  std::stringstream stream(list);
  std::string item;
  while (std::getline(stream, item, ',')) {
    if (item.empty()) continue;
    DepthFormat format = DepthFormatFromString(item);
    if (std::find(formats.begin(), formats.end(), format) == formats.end()) formats.push_back(format);
  }
  if (formats.empty()) throw OptionError("no depth format given (expected a list of npy, png16, pfm, color)");
  return formats;
}

cv::Mat3b ColorizeDepth(const DepthMap& depth) {
  // Work in "nearness": inverse depth for metric maps, the value itself for
  // inverse depth and disparity, so that near is always large.
  cv::Mat1f nearness(depth.values.size(), 0.f);
  cv::Mat1b valid = depth.ValidMask();
  std::vector<float> samples;
  samples.reserve(depth.values.total() / 4 + 1);
  for (int y = 0; y < depth.height(); ++y) {
    for (int x = 0; x < depth.width(); ++x) {
      if (!valid(y, x)) continue;
      float v = depth.values(y, x);
      float n = depth.kind == DepthKind::kMetricDepth ? 1.f / v : v;
      nearness(y, x) = n;
      if (((x ^ y) & 1) == 0) samples.push_back(n);
    }
  }
  float lo = 0, hi = 1;
  if (!samples.empty()) {
    auto at = [&](double q) {
      size_t k = std::min(samples.size() - 1, size_t(q * double(samples.size() - 1)));
      std::nth_element(samples.begin(), samples.begin() + long(k), samples.end());
      return samples[k];
    };
    lo = at(0.02);
    hi = at(0.98);
    if (hi <= lo) hi = lo + 1e-6f;
  }
  cv::Mat1b gray;
  nearness.convertTo(gray, CV_8U, 255.0 / (hi - lo), -255.0 * lo / (hi - lo));
  cv::Mat3b color;
  cv::applyColorMap(gray, color, cv::COLORMAP_INFERNO);
  color.setTo(cv::Scalar::all(0), ~valid);
  return color;
}

namespace {

void WritePfm(const std::string& path, const cv::Mat1f& values) {
  std::string bytes = "Pf\n" + std::to_string(values.cols) + " " + std::to_string(values.rows) + "\n-1.0\n";
  // PFM stores rows bottom to top; "-1" says little-endian.
  for (int y = values.rows - 1; y >= 0; --y) {
    bytes.append(reinterpret_cast<const char*>(values[y]), size_t(values.cols) * sizeof(float));
  }
  WriteFileBytes(path, bytes);
}

cv::Mat1w ToMillimetres(const DepthMap& depth) {
  cv::Mat1w mm(depth.values.size());
  double scale = 1000.0;
  if (depth.kind != DepthKind::kMetricDepth) {
    // Not metric: spread the valid range over 16 bits (documented in the README).
    auto [lo, hi] = depth.ValidRange();
    scale = hi > 0 ? 65535.0 / hi : 1.0;
  }
  for (int y = 0; y < mm.rows; ++y) {
    for (int x = 0; x < mm.cols; ++x) {
      float v = depth.values(y, x);
      mm(y, x) = (std::isfinite(v) && v > 0) ? cv::saturate_cast<uint16_t>(v * scale) : 0;
    }
  }
  return mm;
}

}  // namespace

void WriteDepth(const std::string& path, const DepthMap& depth, DepthFormat format) {
  switch (format) {
    case DepthFormat::kNpy: WriteNpy(path, depth.values); return;
    case DepthFormat::kPfm: WritePfm(path, depth.values); return;
    case DepthFormat::kPng16: WritePng(path, ToMillimetres(depth)); return;
    case DepthFormat::kColor: WritePng(path, ColorizeDepth(depth)); return;
  }
}

cv::Mat1f ReadPfm(const std::string& path) {
  std::string bytes = ReadFileBytes(path);
  std::istringstream header(bytes);
  std::string magic;
  int width = 0, height = 0;
  double scale = 0;
  header >> magic >> width >> height >> scale;
  if (!header || magic != "Pf" || width <= 0 || height <= 0) throw FileError(path, "not a grey PFM file");
  size_t data_start = size_t(header.tellg()) + 1;
  size_t need = size_t(width) * size_t(height) * 4;
  if (bytes.size() < data_start + need) throw FileError(path, "truncated PFM data");
  if (scale > 0) throw FileError(path, "big-endian PFM is not supported");
  cv::Mat1f values(height, width);
  for (int y = 0; y < height; ++y) {
    std::memcpy(values[height - 1 - y], bytes.data() + data_start + size_t(y) * size_t(width) * 4, size_t(width) * 4);
  }
  return values;
}

cv::Mat1w ReadUint16Image(const std::string& path) {
  std::string bytes = ReadFileBytes(path);
  cv::Mat raw = DecodeImageBytes(bytes, DecodeMode::kUnchanged);
  if (raw.empty()) throw FileError(path, "not a readable depth image");
  if (raw.type() != CV_16UC1) throw FileError(path, "expected a 16-bit single-channel depth image");
  return raw;
}

DepthMap ReadMetricDepth(const std::string& path, double png_units_per_metre) {
  std::string lower = path;
  std::transform(lower.begin(), lower.end(), lower.begin(), ::tolower);
  auto ends_with = [&](const std::string& suffix) {
    return lower.size() >= suffix.size() && lower.compare(lower.size() - suffix.size(), suffix.size(), suffix) == 0;
  };
  DepthMap depth;
  depth.kind = DepthKind::kMetricDepth;
  if (ends_with(".npy")) {
    cv::Mat values = ReadNpy(path).ToFloatMat(path);
    if (values.channels() != 1) throw FileError(path, "depth .npy must have one channel");
    depth.values = values;
  } else if (ends_with(".pfm")) {
    depth.values = ReadPfm(path);
  } else {
    ReadUint16Image(path).convertTo(depth.values, CV_32F, 1.0 / png_units_per_metre);
  }
  return depth;
}

}  // namespace depthforge
