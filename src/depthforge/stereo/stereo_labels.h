// Building a training set where none exists: stereo pairs become
// image/depth pairs (the left image and its confident stereo depth, the rest
// marked unknown) in the CSV pair format that `train` and `eval` read.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "depthforge/stereo/stereo_calibration.h"
#include "depthforge/stereo/stereo_matcher.h"

namespace depthforge {

struct StereoLabelOptions {
  std::optional<StereoCalibration> calibration;  // rectify and take focal/baseline from it
  double focal = 0, baseline = 0, doffs = 0;      // for pairs that are already rectified
  StereoMatchOptions match;
  double min_confidence = 0.5;  // depth kept only where the matcher is at least this confident
  bool show_progress = true;
  void Check() const;
};

struct StereoLabelReport {
  std::string csv;
  int written = 0;
  std::vector<std::pair<std::string, std::string>> failures;  // pair, reason
  double labelled_fraction = 0;  // mean share of pixels with depth
};

// Writes image/<stem>.png, depth/<stem>.png (16-bit millimetres, 0 =
// unknown) and pairs.csv under output_dir. A pair that cannot be used is
// reported and skipped.
StereoLabelReport WriteStereoLabels(const std::vector<ImagePairPaths>& pairs, const std::string& output_dir,
                                    const StereoLabelOptions& options);

}  // namespace depthforge
