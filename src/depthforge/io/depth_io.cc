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

namespace {

// The colour rendering's 256 colours (BGR): black for unknown pixels, then
// 'inferno' from far (1) to near (255).
const std::vector<cv::Vec3b>& DepthPalette() {
  static const std::vector<cv::Vec3b> palette = [] {
    cv::Mat1b ramp(1, 256);
    for (int i = 0; i < 256; ++i) ramp(0, i) = uchar(i);
    cv::Mat3b inferno;
    cv::applyColorMap(ramp, inferno, cv::COLORMAP_INFERNO);
    std::vector<cv::Vec3b> colours(256, cv::Vec3b(0, 0, 0));
    for (int k = 1; k < 256; ++k) colours[size_t(k)] = inferno(0, ((k - 1) * 255 + 127) / 254);
    return colours;
  }();
  return palette;
}

// Indices into DepthPalette(): "nearness" (inverse depth for metric maps,
// the value itself for inverse depth and disparity, so that near is always
// large) between its 2nd and 98th percentiles spread over 1..255; unknown 0.
cv::Mat1b DepthColorIndices(const DepthMap& depth) {
  const bool metric = depth.kind == DepthKind::kMetricDepth;
  auto is_known = [](float v) { return std::isfinite(v) && v > 0.f; };
  // The percentiles from a grid of about 20,000 pixels: as steady as from
  // all of them for a colour scale, at a fraction of the sorting.
  const int step = std::max(1, int(std::sqrt(double(depth.values.total()) / 20000.0)));
  std::vector<float> samples;
  for (int y = 0; y < depth.height(); y += step) {
    const float* row = depth.values[y];
    for (int x = 0; x < depth.width(); x += step) {
      if (is_known(row[x])) samples.push_back(metric ? 1.f / row[x] : row[x]);
    }
  }
  float lo = 0, hi = 1;
  if (!samples.empty()) {
    const auto low_at = samples.begin() + long(0.02 * double(samples.size() - 1));
    const auto high_at = samples.begin() + long(0.98 * double(samples.size() - 1));
    std::nth_element(samples.begin(), low_at, samples.end());
    lo = *low_at;
    std::nth_element(low_at, high_at, samples.end());  // everything before low_at is below it
    hi = *high_at;
    if (hi <= lo) hi = lo + 1e-6f;
  }
  const float scale = 254.f / (hi - lo);
  cv::Mat1b indices(depth.values.size());
  for (int y = 0; y < depth.height(); ++y) {
    const float* row = depth.values[y];
    uchar* out = indices[y];
    for (int x = 0; x < depth.width(); ++x) {
      const float v = row[x];
      if (!is_known(v)) {
        out[x] = 0;
        continue;
      }
      const float level = ((metric ? 1.f / v : v) - lo) * scale;
      out[x] = uchar(1.5f + std::clamp(level, 0.f, 254.f));  // 1 + rounded level
    }
  }
  return indices;
}

}  // namespace

cv::Mat3b ColorizeDepth(const DepthMap& depth) {
  const cv::Mat1b indices = DepthColorIndices(depth);
  const std::vector<cv::Vec3b>& palette = DepthPalette();
  cv::Mat3b color(indices.size());
  for (int y = 0; y < indices.rows; ++y) {
    const uchar* index = indices[y];
    cv::Vec3b* out = color[y];
    for (int x = 0; x < indices.cols; ++x) out[x] = palette[index[x]];
  }
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
    case DepthFormat::kColor: WritePalettePng(path, DepthColorIndices(depth), DepthPalette()); return;
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
