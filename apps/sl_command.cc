// depthforge sl patterns|decode: structured light with Gray codes
#include <algorithm>
#include <cstdio>

#include "apps/cli_util.h"
#include "apps/commands.h"
#include "depthforge/stereo/stereo_pipelines.h"

namespace depthforge::cli {

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
    std::vector<std::string> written = WriteGrayCodePatternFiles(size, *pattern_dir);
    std::printf("sl patterns: %zu patterns for a %dx%d projector in %s (capture each as <name>.png)\n", written.size() - 1,
                size.width, size.height, pattern_dir->c_str());
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
    DecodeOptions options;
    options.min_contrast = f->min_contrast;
    StructuredLightFilesResult result = DecodeStructuredLightFiles(f->captures, f->calib, f->output, options);
    std::printf("sl decode: %d of %d pixels valid (%.1f%%); depth, valid mask and point cloud in %s\n", result.valid_pixels,
                result.pixels, 100.0 * result.valid_pixels / double(std::max(1, result.pixels)), f->output.c_str());
  });
}

}  // namespace depthforge::cli
