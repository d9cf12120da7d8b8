// depthforge convert INPUT... -o DIR --as LIST [--depth FILE] [stereo, 3D, video and bokeh flags]
#include <cstdio>

#include "apps/cli_util.h"
#include "apps/commands.h"
#include "depthforge/convert/photo_convert.h"
#include "depthforge/core/error.h"
#include "depthforge/estimate/depth_batch.h"
#include "depthforge/estimate/fixed_depth.h"
#include "depthforge/io/depth_io.h"
#include "depthforge/models/model_store.h"
#include "depthforge/util/atomic_file.h"
#include "depthforge/util/interrupt.h"
#include "depthforge/util/paths.h"

namespace depthforge::cli {

void AddConvertCommand(CLI::App& app) {
  CLI::App* command = app.add_subcommand("convert", "Turn photos into stereo 3D, point clouds, meshes, videos, bokeh");
  // The flags write straight into the options; the defaults live there.
  struct Flags {
    ConvertOptions options;
    std::vector<std::string> inputs;
    std::string output_dir, depth_file, model, align_to;
    bool quiet = false;
  };
  auto flags = std::make_shared<Flags>();
  ConvertOptions& o = flags->options;
  command->add_option("inputs", flags->inputs, "Photos, or directories of photos")->required();
  command->add_option("-o,--output", flags->output_dir, "Output directory (created if needed)")->required();
  command->add_option_function<std::string>(
      "--as", [flags](const std::string& list) { flags->options.outputs = ParseConvertOutputs(list); },
      "Comma-separated outputs: " + KnownConvertOutputs())->required();
  command->add_option("--depth", flags->depth_file,
                      "Use this depth map (.npy metres, .pfm, or 16-bit PNG millimetres) instead of estimating one; "
                      "one input photo only");
  AddModelOptions(command, flags->model, flags->align_to);
  command->add_option("--strength", o.parallax.strength, "Stereo: largest parallax, percent of image width")->capture_default_str();
  command->add_option("--convergence", o.parallax.convergence,
                      "Stereo: depth at the screen plane, 0 = farthest .. 1 = nearest")->capture_default_str();
  AddViewSynthesisOptions(command, o.view);
  command->add_option("--fov", o.fov_degrees, "3D: horizontal field of view in degrees when the photo has no EXIF focal length")
      ->capture_default_str();
  command->add_option("--mesh-step", o.mesh.step, "3D meshes: grid spacing in pixels")->capture_default_str();
  command->add_option("--seconds", o.video.seconds, "Videos: length in seconds (24 fps)")->capture_default_str();
  command->add_option("--video-size", o.video.max_side, "Videos: longest side in pixels (larger photos are scaled down)")
      ->capture_default_str();
  command->add_option("--motion", o.video.motion, "Videos: camera motion as a fraction of the scene depth")->capture_default_str();
  command->add_option_function<std::string>(
      "--focus", [flags](const std::string& text) { flags->options.bokeh.focus_point = ParsePoint(text, "--focus"); },
      "Bokeh: focus on the depth at pixel X,Y (default: the centre)");
  command->add_option_function<double>(
      "--focus-distance", [flags](double metres) { flags->options.bokeh.focus_distance = metres; },
      "Bokeh: focus distance in metres (default: the depth at the focus pixel)");
  command->add_option_function<double>(
      "--aperture", [flags](double pixels) { flags->options.bokeh.aperture = pixels; },
      "Bokeh: blur radius in pixels of the far background (default 1.2% of width)");
  command->add_option_function<std::string>(
      "--image-format", [flags](const std::string& format) { flags->options.image_extension = "." + format; },
      "Stereo and bokeh images: jpg or png")->default_str(o.image_extension.substr(1));
  command->add_flag("-q,--quiet", flags->quiet, "No progress bar");

  command->callback([flags] {
    const ConvertOptions& options = flags->options;
    options.Check();

    std::vector<BatchInput> inputs = CollectImageInputs(flags->inputs);
    DepthBatchOptions batch;
    batch.output_dir = flags->output_dir;
    batch.show_progress = !flags->quiet;
    batch.label = "convert";
    batch.Check();
    EnsureWritableDirectory(batch.output_dir);

    std::unique_ptr<DepthEstimator> estimator;
    if (!flags->depth_file.empty()) {
      if (inputs.size() != 1) throw OptionError("--depth gives the depth of one photo; " + std::to_string(inputs.size()) + " were given");
      estimator = std::make_unique<FixedDepthEstimator>(ReadMetricDepth(flags->depth_file), flags->depth_file);
    } else {
      EstimatorOptions estimator_options;
      estimator_options.model = flags->model;
      estimator_options.align_to = flags->align_to;
      estimator_options.threads = RecommendedInferenceThreads(inputs.size());
      estimator_options.expected_images = int(inputs.size());
      estimator = CreateDepthEstimator(estimator_options, ModelStore(ModelStoreOptions::FromEnvironment()));
    }
    PhotoOutputWriter writer = [&](const BatchInput& input, const cv::Mat3b& photo, const DepthMap& depth) {
      return ConvertPhoto(photo, ReadFileBytes(input.path), depth, batch.output_dir, input.stem, options);
    };
    InstallInterruptHandler();
    DepthBatchReport report = RunDepthBatch(*estimator, inputs, batch, writer);
    int total = int(inputs.size());
    std::printf("convert: %d of %d photo%s converted, %zu files in %s (%.1f s)\n", report.succeeded, total,
                total == 1 ? "" : "s", report.written.size(), flags->output_dir.c_str(), report.seconds);
    FinishBatch("convert", report);
  });
}

}  // namespace depthforge::cli
