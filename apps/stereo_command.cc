// depthforge stereo calibrate|match|label
#include <cstdio>
#include <filesystem>

#include "apps/cli_util.h"
#include "apps/commands.h"
#include "depthforge/core/error.h"
#include "depthforge/io/depth_io.h"
#include "depthforge/io/image_io.h"
#include "depthforge/io/npy.h"
#include "depthforge/render/camera.h"
#include "depthforge/render/point_cloud.h"
#include "depthforge/stereo/stereo_calibration.h"
#include "depthforge/stereo/stereo_labels.h"
#include "depthforge/stereo/stereo_matcher.h"
#include "depthforge/util/paths.h"

namespace depthforge::cli {
namespace fs = std::filesystem;


void AddStereoCommand(CLI::App& app) {
  CLI::App* stereo = app.add_subcommand("stereo", "Depth from two cameras: calibrate, match, label");
  stereo->require_subcommand(1);

  CLI::App* calibrate = stereo->add_subcommand("calibrate", "Calibrate a stereo rig from chessboard pairs");
  struct CalibrateFlags {
    std::string pairs, output, board = "9x6";
    double square = 0.025;
  };
  auto cf = std::make_shared<CalibrateFlags>();
  calibrate->add_option("pairs", cf->pairs, "Folder of left*/right* images, or an OpenCV image-list XML")->required();
  calibrate->add_option("-o,--output", cf->output, "Calibration file (YAML)")->required();
  calibrate->add_option("--board", cf->board, "Inner corners per row x column")->capture_default_str();
  calibrate->add_option("--square", cf->square, "Side of a square in metres (sets the unit of depth)")->capture_default_str();
  calibrate->callback([cf] {
    ChessboardOptions options;
    options.inner_corners = ParseSize(cf->board, "--board");
    options.square_size = cf->square;
    StereoCalibration calibration = CalibrateStereo(FindStereoPairs(cf->pairs), options);
    WriteCalibration(cf->output, calibration);
    for (const auto& [pair, reason] : calibration.rejected) {
      std::printf("rejected %s + %s: %s\n", pair.first.c_str(), pair.second.c_str(), reason.c_str());
    }
    std::printf("calibrate: %zu pairs used, %zu rejected; RMS reprojection error %.3f px; rectified rows differ by "
                "%.3f px on average; baseline %.4f m, focal %.1f px -> %s\n",
                calibration.used.size(), calibration.rejected.size(), calibration.rms, calibration.rectified_row_error,
                calibration.baseline(), calibration.focal(), cf->output.c_str());
  });

  CLI::App* label = stereo->add_subcommand("label", "Turn stereo pairs into image/depth training pairs (CSV pair format)");
  struct LabelFlags {
    std::string pairs, output, calib;
    double focal = 0, baseline = 0, doffs = 0, min_confidence = 0.5;
    int max_disparity = 64;
    bool quiet = false;
  };
  auto lf = std::make_shared<LabelFlags>();
  label->add_option("pairs", lf->pairs, "Folder of left*/right* images, or an OpenCV image-list XML")->required();
  label->add_option("-o,--output", lf->output, "Output directory: image/, depth/ (16-bit mm), pairs.csv")->required();
  label->add_option("--calib", lf->calib, "Calibration from 'stereo calibrate'");
  label->add_option("--focal", lf->focal, "Without --calib: focal length in pixels");
  label->add_option("--baseline", lf->baseline, "Without --calib: baseline in metres");
  label->add_option("--doffs", lf->doffs, "Without --calib: principal point offset, px")->capture_default_str();
  label->add_option("--max-disp", lf->max_disparity, "Disparity search range")->capture_default_str();
  label->add_option("--min-confidence", lf->min_confidence, "Keep depth only where the matcher is this confident (0-1)")
      ->capture_default_str();
  label->add_flag("-q,--quiet", lf->quiet, "No progress bar");
  label->callback([lf] {
    StereoLabelOptions options;
    if (!lf->calib.empty()) options.calibration = ReadCalibration(lf->calib);
    options.focal = lf->focal;
    options.baseline = lf->baseline;
    options.doffs = lf->doffs;
    options.match.max_disparity = lf->max_disparity;
    options.min_confidence = lf->min_confidence;
    options.show_progress = !lf->quiet;
    StereoLabelReport report = WriteStereoLabels(FindStereoPairs(lf->pairs), lf->output, options);
    for (const auto& [pair, reason] : report.failures) std::fprintf(stderr, "  skipped %s: %s\n", pair.c_str(), reason.c_str());
    std::printf("label: %d pairs -> %s (%.0f%% of pixels labelled on average)\n", report.written, report.csv.c_str(),
                100 * report.labelled_fraction);
    if (!report.failures.empty()) throw CLI::RuntimeError(1);
  });

  CLI::App* match = stereo->add_subcommand("match", "Disparity (and depth, point cloud when calibrated) of a stereo pair");
  struct MatchFlags {
    std::string left, right, output, calib;
    int max_disparity = 64;
    double focal = 0, baseline = 0, doffs = 0;
    bool no_fill = false, allow_unrectified = false, eight_paths = false;
  };
  auto mf = std::make_shared<MatchFlags>();
  match->add_option("left", mf->left, "Left image")->required();
  match->add_option("right", mf->right, "Right image")->required();
  match->add_option("-o,--output", mf->output, "Output directory")->required();
  match->add_option("--calib", mf->calib, "Calibration from 'stereo calibrate': rectify first, then metric depth");
  match->add_option("--max-disp", mf->max_disparity, "Disparity search range in pixels")->capture_default_str();
  match->add_option("--focal", mf->focal, "Without --calib: focal length in pixels (for depth)");
  match->add_option("--baseline", mf->baseline, "Without --calib: baseline in metres (for depth)");
  match->add_option("--doffs", mf->doffs, "Without --calib: principal point offset between the cameras, px")->capture_default_str();
  match->add_flag("--no-fill", mf->no_fill, "Leave pixels that fail the left-right check unknown instead of filling them");
  match->add_flag("--eight-paths", mf->eight_paths, "Aggregate matching costs along 8 directions (slower, a little more accurate)");
  match->add_flag("--assume-rectified", mf->allow_unrectified, "Skip the check that an uncalibrated pair is rectified");
  match->callback([mf] {
    cv::Mat3b left = ReadImage(mf->left), right = ReadImage(mf->right);
    if (left.size() != right.size()) {
      throw Error(mf->left + " is " + std::to_string(left.cols) + "x" + std::to_string(left.rows) + " but " + mf->right +
                  " is " + std::to_string(right.cols) + "x" + std::to_string(right.rows) + "; a stereo pair must have one size");
    }
    double focal = mf->focal, baseline = mf->baseline, doffs = mf->doffs;
    if (!mf->calib.empty()) {
      StereoCalibration calibration = ReadCalibration(mf->calib);
      auto [l, r] = RectifyPair(calibration, left, right);
      left = l;
      right = r;
      focal = calibration.focal();
      baseline = calibration.baseline();
      doffs = 0;  // rectified with zero disparity at infinity
    } else if (!mf->allow_unrectified) {
      double offset = MedianRowOffset(left, right);
      if (std::isfinite(offset) && offset > 2.0) {
        throw Error(mf->left + " and " + mf->right + " are not rectified (matching points differ by " +
                    std::to_string(offset).substr(0, 4) + " px vertically); calibrate the rig and give --calib");
      }
    }
    StereoMatchOptions options;
    options.max_disparity = mf->max_disparity;
    options.fill = !mf->no_fill;
    options.eight_paths = mf->eight_paths;
    StereoMatchResult result = MatchStereo(left, right, options);
    EnsureWritableDirectory(mf->output);
    std::string stem = (fs::path(mf->output) / FileStem(mf->left)).string();
    WriteNpy(stem + ".disparity.npy", result.disparity);
    WriteNpy(stem + ".confidence.npy", result.confidence);
    DepthMap shown;
    shown.kind = DepthKind::kDisparity;
    shown.values = result.disparity;
    WriteDepth(stem + ".disparity.color.png", shown, DepthFormat::kColor);
    int written = 4;
    if (focal > 0 && baseline > 0) {
      DepthMap depth;
      depth.values = DepthFromDisparity(result.disparity, focal, baseline, doffs);
      for (DepthFormat format : {DepthFormat::kNpy, DepthFormat::kPng16, DepthFormat::kColor}) {
        WriteDepth(stem + ".depth" + FileSuffix(format), depth, format);
      }
      Intrinsics camera = IntrinsicsFromFov(left.size(), 60);
      camera.fx = camera.fy = focal;
      WritePly(stem + ".ply", BackProject(depth, left, camera));
      written += 4;
    }
    std::printf("match: %d files in %s (%s)\n", written, mf->output.c_str(),
                focal > 0 && baseline > 0 ? "disparity, depth, point cloud" : "disparity only: no calibration");
  });
}

}  // namespace depthforge::cli
