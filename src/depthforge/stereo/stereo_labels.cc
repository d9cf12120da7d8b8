#include "depthforge/stereo/stereo_labels.h"

#include <cmath>
#include <filesystem>

#include "depthforge/core/error.h"
#include "depthforge/io/depth_io.h"
#include "depthforge/io/image_io.h"
#include "depthforge/io/png_writer.h"
#include "depthforge/io/rgbd_dataset.h"
#include "depthforge/util/paths.h"
#include "depthforge/util/progress.h"

namespace depthforge {
namespace fs = std::filesystem;

void StereoLabelOptions::Check() const {
  match.Check();
  if (!calibration && !(focal > 0 && baseline > 0)) {
    throw OptionError("stereo labels need metric depth: give a calibration, or the focal length and baseline");
  }
  if (min_confidence < 0 || min_confidence > 1) throw OptionError("minimum confidence must be between 0 and 1");
}

StereoLabelReport WriteStereoLabels(const std::vector<ImagePairPaths>& pairs, const std::string& output_dir,
                                    const StereoLabelOptions& options) {
  options.Check();
  EnsureWritableDirectory((fs::path(output_dir) / "image").string());
  EnsureWritableDirectory((fs::path(output_dir) / "depth").string());
  StereoLabelReport report;
  std::vector<std::pair<std::string, std::string>> rows;
  Progress progress("label", double(pairs.size()), "pair", options.show_progress ? stderr : nullptr);
  double fraction_sum = 0;
  for (const auto& pair : pairs) {
    try {
      cv::Mat3b left = ReadImage(pair.first), right = ReadImage(pair.second);
      StereoRig rig = RectifyForDepth(options.calibration, {options.focal, options.baseline, options.doffs}, left, right);
      StereoMatchResult match = MatchStereo(left, right, options.match);
      DepthMap depth;
      depth.values = DepthFromDisparity(match.disparity, rig.focal, rig.baseline, rig.doffs);
      depth.values.setTo(0.f, match.confidence < options.min_confidence);
      depth.values.setTo(0.f, depth.values != depth.values);  // NaN -> unknown
      std::string stem = FileStem(pair.first);
      std::string image = "image/" + stem + ".png", depth_file = "depth/" + stem + ".png";
      WritePng((fs::path(output_dir) / image).string(), left);
      WriteDepth((fs::path(output_dir) / depth_file).string(), depth, DepthFormat::kPng16);
      rows.emplace_back(image, depth_file);
      fraction_sum += double(cv::countNonZero(depth.values > 0)) / double(depth.values.total());
      ++report.written;
    } catch (const Error& e) {
      report.failures.push_back({pair.first + " + " + pair.second, e.what()});
    }
    progress.Add(1);
  }
  if (rows.empty()) throw Error("no stereo pair could be labelled" + (report.failures.empty() ? "" : ": " + report.failures[0].second));
  report.csv = (fs::path(output_dir) / "pairs.csv").string();
  WritePairCsv(report.csv, rows);
  report.labelled_fraction = fraction_sum / report.written;
  return report;
}

}  // namespace depthforge
