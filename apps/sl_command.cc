// depthforge sl patterns|decode: structured light with Gray codes
#include <cstdio>
#include <filesystem>

#include "apps/cli_util.h"
#include "apps/commands.h"
#include "depthforge/core/error.h"
#include "depthforge/io/depth_io.h"
#include "depthforge/io/image_io.h"
#include "depthforge/io/png_writer.h"
#include "depthforge/render/point_cloud.h"
#include "depthforge/stereo/structured_light.h"
#include "depthforge/util/atomic_file.h"
#include "depthforge/util/paths.h"

#include <opencv2/imgproc.hpp>

namespace depthforge::cli {
namespace fs = std::filesystem;

void AddStructuredLightCommand(CLI::App& app) {
  CLI::App* sl = app.add_subcommand("sl", "Depth from a projector and a camera (Gray-code structured light)");
  sl->require_subcommand(1);
  CLI::App* patterns = sl->add_subcommand("patterns", "Write the Gray-code patterns to project");
  auto projector = std::make_shared<std::string>();
  auto pattern_dir = std::make_shared<std::string>();
  patterns->add_option("--projector", *projector, "Projector resolution WxH")->required();
  patterns->add_option("-o,--output", *pattern_dir, "Output directory: one PNG per pattern, list.txt in display order")->required();
  patterns->callback([projector, pattern_dir] {
    cv::Size size = ParseSize(*projector, "--projector");
    GrayCodePatterns p = MakeGrayCodePatterns(size);
    EnsureWritableDirectory(*pattern_dir);
    std::string list;
    for (size_t i = 0; i < p.names.size(); ++i) {
      WritePng((fs::path(*pattern_dir) / (p.names[i] + ".png")).string(), p.images[i]);
      list += p.names[i] + "\n";
    }
    WriteFileBytes((fs::path(*pattern_dir) / "list.txt").string(), list);
    std::printf("sl patterns: %zu patterns for a %dx%d projector in %s (capture each as <name>.png)\n", p.names.size(), size.width, size.height,
                pattern_dir->c_str());
  });

  CLI::App* decode = sl->add_subcommand("decode", "Decode camera captures of the patterns to depth");
  struct DecodeFlags {
    std::string captures, calib, output;
    double min_contrast = 20;
  };
  auto f = std::make_shared<DecodeFlags>();
  decode->add_option("captures", f->captures, "Directory with one capture per pattern, named like the patterns")->required();
  decode->add_option("--calib", f->calib, "Camera-projector calibration (YAML: camera/projector matrices, R, T, sizes)")->required();
  decode->add_option("-o,--output", f->output, "Output directory")->required();
  decode->add_option("--min-contrast", f->min_contrast, "White minus black below this (8-bit) is shadow")->capture_default_str();
  decode->callback([f] {
    ProjectorCameraCalibration calibration = ReadProjectorCameraCalibration(f->calib);
    GrayCodePatterns patterns = MakeGrayCodePatterns(calibration.projector_size);
    std::vector<cv::Mat> captures = ReadCaptures(f->captures, patterns.names);
    if (captures[0].size() != calibration.camera_size) {
      throw FileError(f->captures, "captures are " + std::to_string(captures[0].cols) + "x" + std::to_string(captures[0].rows) +
                                       " but the calibration is for a " + std::to_string(calibration.camera_size.width) + "x" +
                                       std::to_string(calibration.camera_size.height) + " camera");
    }
    DecodeOptions options;
    options.min_contrast = f->min_contrast;
    StructuredLightResult result = DecodeStructuredLight(captures, calibration, options);
    EnsureWritableDirectory(f->output);
    std::string base = (fs::path(f->output) / "scene").string();
    DepthMap depth;
    depth.values = result.depth;
    for (DepthFormat format : {DepthFormat::kNpy, DepthFormat::kPng16, DepthFormat::kColor}) {
      WriteDepth(base + ".depth" + FileSuffix(format), depth, format);
    }
    WritePng(base + ".valid.png", result.valid);
    cv::Mat3b white;
    cv::cvtColor(captures[0], white, cv::COLOR_GRAY2BGR);
    Intrinsics camera;
    camera.fx = calibration.camera_matrix(0, 0);
    camera.fy = calibration.camera_matrix(1, 1);
    camera.cx = calibration.camera_matrix(0, 2);
    camera.cy = calibration.camera_matrix(1, 2);
    camera.width = white.cols;
    camera.height = white.rows;
    WritePly(base + ".ply", BackProject(depth, white, camera));
    int valid = cv::countNonZero(result.valid);
    std::printf("sl decode: %d of %d pixels valid (%.1f%%); depth, valid mask and point cloud in %s\n", valid,
                int(result.valid.total()), 100.0 * valid / double(result.valid.total()), f->output.c_str());
  });
}

}  // namespace depthforge::cli
