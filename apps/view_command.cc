// depthforge view IMAGE (--depth FILE | --disparity FILE) --shift T -o OUT.png
#include <cstdio>

#include "apps/cli_util.h"
#include "apps/commands.h"
#include "depthforge/core/error.h"
#include "depthforge/util/paths.h"
#include "depthforge/io/depth_io.h"
#include "depthforge/io/image_io.h"
#include "depthforge/io/npy.h"
#include "depthforge/render/parallax.h"
#include "depthforge/render/view_synthesis.h"

namespace depthforge::cli {

void AddViewCommand(CLI::App& app) {
  CLI::App* command = app.add_subcommand("view", "Render the view of a camera moved sideways (depth-image-based rendering)");
  // The flags write straight into the options; the defaults live there.
  struct Flags {
    std::string image, depth, disparity, output;
    double shift = 1.0;
    ParallaxOptions parallax;
    ViewSynthesisOptions view;
  };
  auto flags = std::make_shared<Flags>();
  command->add_option("image", flags->image, "The photo (the left camera when --disparity is given)")->required();
  auto* depth = command->add_option("--depth", flags->depth, "Depth map: .npy metres, .pfm, or 16-bit PNG millimetres");
  auto* disparity = command->add_option("--disparity", flags->disparity,
                                        "float32 .npy of left-image disparity in pixels (x is seen at x - d in the right "
                                        "camera); NaN = unknown");
  depth->excludes(disparity);
  command->add_option("--shift", flags->shift, "Fraction of the baseline to move: 1 = the right camera, -0.5 = half to the left")
      ->required();
  command->add_option("-o,--output", flags->output, "Output image (.png or .jpg)")->required();
  command->add_option("--strength", flags->parallax.strength, "With --depth: baseline as the largest parallax, % of width")->capture_default_str();
  command->add_option("--convergence", flags->parallax.convergence, "With --depth: depth at zero parallax, 0 = far .. 1 = near")
      ->capture_default_str();
  AddEnumOption(command, "--fill", flags->view.hole_fill, HoleFillNames(), "Hole filling");

  command->callback([flags] {
    if (flags->depth.empty() == flags->disparity.empty()) throw OptionError("give exactly one of --depth and --disparity");
    for (const std::string* input : {&flags->image, &flags->depth, &flags->disparity}) {
      if (!input->empty()) ProtectInput(*input);
    }
    PrepareImageOutput(flags->output);
    cv::Mat3b image = ReadImage(flags->image);
    cv::Mat1f disparity;
    if (!flags->disparity.empty()) {
      cv::Mat values = ReadNpy(flags->disparity).ToFloatMat(flags->disparity);
      if (values.channels() != 1) throw FileError(flags->disparity, "disparity must be a single-channel H×W array");
      disparity = values;
    } else {
      DepthMap depth = ReadMetricDepth(flags->depth);
      if (depth.values.size() != image.size()) {
        throw FileError(flags->depth, "depth map is " + std::to_string(depth.width()) + "x" + std::to_string(depth.height()) +
                                          " but " + flags->image + " is " + std::to_string(image.cols) + "x" +
                                          std::to_string(image.rows));
      }
      disparity = DisparityFromDepth(depth, flags->parallax);
    }
    if (disparity.size() != image.size()) {
      throw FileError(flags->disparity, "disparity map is " + std::to_string(disparity.cols) + "x" +
                                            std::to_string(disparity.rows) + " but " + flags->image + " is " +
                                            std::to_string(image.cols) + "x" + std::to_string(image.rows));
    }
    SynthesizedView view = SynthesizeView(image, disparity, flags->shift, flags->view);
    WriteImage(flags->output, view.image);
    std::printf("view: %s (%d disoccluded pixels, %.1f%%, filled: %s)\n", flags->output.c_str(), cv::countNonZero(view.holes),
                100.0 * cv::countNonZero(view.holes) / double(view.holes.total()), HoleFillNames().Name(flags->view.hole_fill).c_str());
  });
}

}  // namespace depthforge::cli
