// depthforge stereo calibrate|match|label
#include <cstdio>

#include "apps/cli_util.h"
#include "apps/commands.h"
#include "depthforge/core/error.h"
#include "depthforge/stereo/stereo_calibration.h"
#include "depthforge/stereo/stereo_labels.h"
#include "depthforge/stereo/stereo_pipelines.h"

namespace depthforge::cli {

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
    StereoMatchFilesOptions options;
    std::string left, right, output, calib;
    bool no_fill = false, allow_unrectified = false;
  };
  auto mf = std::make_shared<MatchFlags>();
  StereoMatchFilesOptions& m = mf->options;
  match->add_option("left", mf->left, "Left image")->required();
  match->add_option("right", mf->right, "Right image")->required();
  match->add_option("-o,--output", mf->output, "Output directory")->required();
  match->add_option("--calib", mf->calib, "Calibration from 'stereo calibrate': rectify first, then metric depth");
  match->add_option("--max-disp", m.match.max_disparity, "Disparity search range in pixels")->capture_default_str();
  match->add_option("--focal", m.focal, "Without --calib: focal length in pixels (for depth)");
  match->add_option("--baseline", m.baseline, "Without --calib: baseline in metres (for depth)");
  match->add_option("--doffs", m.doffs, "Without --calib: principal point offset between the cameras, px")->capture_default_str();
  match->add_flag("--no-fill", mf->no_fill, "Leave pixels that fail the left-right check unknown instead of filling them");
  match->add_flag("--eight-paths", m.match.eight_paths, "Aggregate matching costs along 8 directions (slower, a little more accurate)");
  match->add_flag("--assume-rectified", mf->allow_unrectified, "Skip the check that an uncalibrated pair is rectified");
  match->callback([mf] {
    StereoMatchFilesOptions options = mf->options;
    options.match.fill = !mf->no_fill;
    options.check_rectified = !mf->allow_unrectified;
    if (!mf->calib.empty()) options.calibration = ReadCalibration(mf->calib);
    StereoMatchFilesResult result = MatchStereoFiles(mf->left, mf->right, mf->output, options);
    std::printf("match: %zu files in %s (%s)\n", result.written.size(), mf->output.c_str(),
                result.metric ? "disparity, depth, point cloud" : "disparity only: no calibration");
  });
}

}  // namespace depthforge::cli
