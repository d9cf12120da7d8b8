#include "depthforge/stereo/stereo_pipelines.h"

#include <cmath>
#include <filesystem>

#include <opencv2/imgproc.hpp>

#include "depthforge/core/error.h"
#include "depthforge/io/depth_io.h"
#include "depthforge/io/image_io.h"
#include "depthforge/io/npy.h"
#include "depthforge/io/png_writer.h"
#include "depthforge/render/camera.h"
#include "depthforge/render/point_cloud.h"
#include "depthforge/util/atomic_file.h"
#include "depthforge/util/paths.h"

namespace depthforge {
namespace fs = std::filesystem;

void StereoMatchFilesOptions::Check() const {
  match.Check();
  if (focal < 0 || baseline < 0) throw OptionError("focal length and baseline must not be negative");
  if (!(max_row_offset > 0)) throw OptionError("the rectification tolerance must be positive");
}

StereoMatchFilesResult MatchStereoFiles(const std::string& left_path, const std::string& right_path,
                                        const std::string& output_dir, const StereoMatchFilesOptions& options) {
  options.Check();
  ProtectInput(left_path);
  ProtectInput(right_path);
  EnsureWritableDirectory(output_dir);
  cv::Mat3b left = ReadImage(left_path), right = ReadImage(right_path);
  if (left.size() != right.size()) {
    throw Error(left_path + " is " + std::to_string(left.cols) + "x" + std::to_string(left.rows) + " but " + right_path +
                " is " + std::to_string(right.cols) + "x" + std::to_string(right.rows) + "; a stereo pair must have one size");
  }
  StereoRig rig = RectifyForDepth(options.calibration, {options.focal, options.baseline, options.doffs}, left, right);
  if (!options.calibration && options.check_rectified) {
    double offset = MedianRowOffset(left, right);
    if (std::isfinite(offset) && offset > options.max_row_offset) {
      throw Error(left_path + " and " + right_path + " are not rectified (matching points differ by " +
                  std::to_string(offset).substr(0, 4) + " px vertically); calibrate the rig and give --calib");
    }
  }
  StereoMatchResult match = MatchStereo(left, right, options.match);

  StereoMatchFilesResult result;
  StagingDirectory stage(output_dir);
  const std::string stem = FileStem(left_path);
  WriteNpy(stage.PathFor(stem + ".disparity.npy"), match.disparity);
  WriteNpy(stage.PathFor(stem + ".confidence.npy"), match.confidence);
  DepthMap shown;
  shown.kind = DepthKind::kDisparity;
  shown.values = match.disparity;
  WriteDepth(stage.PathFor(stem + ".disparity.color.png"), shown, DepthFormat::kColor);
  if (rig.focal > 0 && rig.baseline > 0) {
    DepthMap depth;
    depth.values = DepthFromDisparity(match.disparity, rig.focal, rig.baseline, rig.doffs);
    Intrinsics camera = IntrinsicsFromFov(left.size(), 60);
    camera.fx = camera.fy = rig.focal;
    WriteDepthWithPointCloud(stage.PathFor(stem), depth, left, camera);
    result.metric = true;
  }
  result.written = stage.Commit();
  return result;
}

std::vector<std::string> WriteGrayCodePatternFiles(cv::Size projector, const std::string& output_dir) {
  GrayCodePatterns patterns = MakeGrayCodePatterns(projector);
  EnsureWritableDirectory(output_dir);
  StagingDirectory stage(output_dir);
  std::string list;
  for (size_t i = 0; i < patterns.names.size(); ++i) {
    WritePng(stage.PathFor(patterns.names[i] + ".png"), patterns.images[i]);
    list += patterns.names[i] + "\n";
  }
  WriteFileBytes(stage.PathFor("list.txt"), list);
  return stage.Commit();
}

StructuredLightFilesResult DecodeStructuredLightFiles(const std::string& captures_dir, const std::string& calibration_path,
                                                      const std::string& output_dir, const DecodeOptions& options) {
  ProjectorCameraCalibration calibration = ReadProjectorCameraCalibration(calibration_path);
  GrayCodePatterns patterns = MakeGrayCodePatterns(calibration.projector_size);
  std::vector<cv::Mat> captures = ReadCaptures(captures_dir, patterns.names);
  if (captures[0].size() != calibration.camera_size) {
    throw FileError(captures_dir, "captures are " + std::to_string(captures[0].cols) + "x" + std::to_string(captures[0].rows) +
                                      " but the calibration is for a " + std::to_string(calibration.camera_size.width) +
                                      "x" + std::to_string(calibration.camera_size.height) + " camera");
  }
  StructuredLightResult decoded = DecodeStructuredLight(captures, calibration, options);
  EnsureWritableDirectory(output_dir);
  StagingDirectory stage(output_dir);
  DepthMap depth;
  depth.values = decoded.depth;
  cv::Mat3b white;
  cv::cvtColor(captures[0], white, cv::COLOR_GRAY2BGR);
  Intrinsics camera;
  camera.fx = calibration.camera_matrix(0, 0);
  camera.fy = calibration.camera_matrix(1, 1);
  camera.cx = calibration.camera_matrix(0, 2);
  camera.cy = calibration.camera_matrix(1, 2);
  camera.width = white.cols;
  camera.height = white.rows;
  WriteDepthWithPointCloud(stage.PathFor("scene"), depth, white, camera);
  WritePng(stage.PathFor("scene.valid.png"), decoded.valid);
  StructuredLightFilesResult result;
  result.written = stage.Commit();
  result.valid_pixels = cv::countNonZero(decoded.valid);
  result.pixels = int(decoded.valid.total());
  return result;
}

}  // namespace depthforge
