// Writing and reading depth maps in the formats people and tools use.
#pragma once

#include <string>
#include <vector>

#include "depthforge/core/depth_map.h"
#include "depthforge/core/enum_names.h"

namespace depthforge {

enum class DepthFormat {
  kNpy,    // float32 H×W in the map's unit (metres for metric depth)
  kPng16,  // uint16 millimetres (metric); 0 = unknown
  kPfm,    // float32 Portable Float Map
  kColor,  // colour-mapped 8-bit PNG for people: near = bright
};

const EnumNames<DepthFormat>& DepthFormatNames();  // npy|png16|pfm|color
DepthFormat DepthFormatFromString(const std::string& name);  // throws OptionError
std::string ToString(DepthFormat format);
std::string FileSuffix(DepthFormat format);  // ".npy", ".png", ".pfm", ".color.png"
// "npy,png16" -> formats; throws OptionError naming the bad entry.
std::vector<DepthFormat> ParseDepthFormats(const std::string& list);

// Colour image of a depth map: inverse depth between robust percentiles
// mapped through 'inferno' (255 levels), near = bright, unknown = black.
// DepthFormat::kColor writes exactly these pixels, as a palette PNG.
cv::Mat3b ColorizeDepth(const DepthMap& depth);

// Each writer is atomic and throws FileError naming the path.
void WriteDepth(const std::string& path, const DepthMap& depth, DepthFormat format);

// Reads a depth map in metres from .npy (float metres), .pfm or a 16-bit
// PNG (millimetres / depth_scale units per metre).
DepthMap ReadMetricDepth(const std::string& path, double png_units_per_metre = 1000.0);

cv::Mat1f ReadPfm(const std::string& path);
// A 16-bit single-channel image (depth PNGs of most datasets); throws FileError.
cv::Mat1w ReadUint16Image(const std::string& path);

}  // namespace depthforge
