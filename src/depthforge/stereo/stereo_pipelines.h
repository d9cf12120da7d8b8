// Files in, files out: the stereo and structured-light pipelines behind
// `depthforge stereo match`, `sl patterns` and `sl decode`. Each writes its
// outputs together (a staging folder: all or nothing) and returns the paths
// it wrote, as ConvertPhoto does; the CLI only wraps them.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <opencv2/core.hpp>

#include "depthforge/stereo/stereo_calibration.h"
#include "depthforge/stereo/stereo_matcher.h"
#include "depthforge/stereo/structured_light.h"

namespace depthforge {

struct StereoMatchFilesOptions {
  StereoMatchOptions match;
  // With a calibration the pair is rectified first and depth is metric.
  std::optional<StereoCalibration> calibration;
  // Without one: focal length (px), baseline (m) and principal point offset
  // (px) for depth; no depth when focal or baseline is 0.
  double focal = 0, baseline = 0, doffs = 0;
  // Without a calibration, refuse a pair whose matched features differ by
  // more than max_row_offset px vertically (it is not rectified).
  bool check_rectified = true;
  double max_row_offset = 2.0;
  void Check() const;
};

struct StereoMatchFilesResult {
  std::vector<std::string> written;
  bool metric = false;  // depth and a point cloud were written
};

// <stem of left>.disparity.npy (px, NaN unknown), .confidence.npy,
// .disparity.color.png, and when metric .depth.{npy,png,color.png} and .ply
// in output_dir (created). Throws Error naming the files for a size
// mismatch or an unrectified pair.
StereoMatchFilesResult MatchStereoFiles(const std::string& left_path, const std::string& right_path,
                                        const std::string& output_dir, const StereoMatchFilesOptions& options);

// The Gray-code patterns for a projector as <name>.png and list.txt.
std::vector<std::string> WriteGrayCodePatternFiles(cv::Size projector, const std::string& output_dir);

struct StructuredLightFilesResult {
  std::vector<std::string> written;
  int valid_pixels = 0, pixels = 0;
};

// Decodes the captures in 'captures_dir' (named like the patterns) with the
// camera-projector calibration file and writes scene.depth.{npy,png,
// color.png}, scene.valid.png and scene.ply in output_dir.
StructuredLightFilesResult DecodeStructuredLightFiles(const std::string& captures_dir, const std::string& calibration_path,
                                                      const std::string& output_dir, const DecodeOptions& options);

}  // namespace depthforge
