// depthforge depth INPUT... -o DIR [--model NAME|FILE] [--format LIST] [--tta]
#include <cstdio>

#include "apps/cli_util.h"
#include "apps/commands.h"
#include "depthforge/core/error.h"
#include "depthforge/estimate/depth_batch.h"
#include "depthforge/estimate/depth_estimator.h"
#include "depthforge/estimate/network_estimator.h"
#include "depthforge/models/model_store.h"
#include "depthforge/util/interrupt.h"
#include "depthforge/util/paths.h"

namespace depthforge::cli {

void AddDepthCommand(CLI::App& app) {
  CLI::App* command = app.add_subcommand("depth", "Estimate a depth map for each photo");
  // The flags write straight into the options; the defaults live there.
  struct Flags {
    EstimatorOptions estimator;
    DepthBatchOptions batch;
    std::vector<std::string> inputs;
    bool no_refine = false, quiet = false;
  };
  auto flags = std::make_shared<Flags>();
  EstimatorOptions& e = flags->estimator;
  command->add_option("inputs", flags->inputs, "Photos, or directories of photos")->required();
  command->add_option("-o,--output", flags->batch.output_dir, "Output directory (created if needed)")->required();
  AddModelOptions(command, e.model, e.align_to);
  command->add_option_function<std::string>(
      "--format", [flags](const std::string& list) { flags->batch.formats = ParseDepthFormats(list); },
      "Comma-separated outputs: npy (float32 metres), png16 (uint16 mm), pfm, color (PNG, near=bright)")
      ->default_str([&] {
        std::string names;
        for (DepthFormat format : flags->batch.formats) names += (names.empty() ? "" : ",") + ToString(format);
        return names;
      }());
  AddEnumOption(command, "--framing", e.framing, FramingNames(),
                "crop: the training framing for the centre, the whole photo for the border; full: the whole photo only");
  command->add_option_function<std::string>(
      "--size",
      [flags](const std::string& text) {
        cv::Size size = ParseSize(text, "--size");
        flags->estimator.inference_width = size.width;
        flags->estimator.inference_height = size.height;
      },
      "Network input size WxH for --framing full (default: automatic)");
  AddEnumOption(command, "--backend", e.backend, BackendNames(), "Inference engine (auto: int8 models on oneDNN or XNNPACK, others on LibTorch)");
  command->add_flag("--tta", e.flip_tta, "Average with the prediction on the mirrored photo (2x slower)");
  command->add_flag("--no-refine", flags->no_refine, "Plain bilinear upsampling instead of edge-aware");
  command->add_option("--threads", e.threads, "CPU threads for the network (0: all cores, one fewer in a batch)")
      ->capture_default_str();
  command->add_flag("-q,--quiet", flags->quiet, "No progress bar");

  command->callback([=] {
    EstimatorOptions estimator_options = flags->estimator;
    estimator_options.upsample.enabled = !flags->no_refine;
    std::vector<BatchInput> inputs = CollectImageInputs(flags->inputs);
    if (estimator_options.threads == 0) estimator_options.threads = RecommendedInferenceThreads(inputs.size());
    estimator_options.expected_images = int(inputs.size());
    DepthBatchOptions batch = flags->batch;
    batch.show_progress = !flags->quiet;

    // Fail on the output directory before loading the model or touching any input.
    batch.Check();
    EnsureWritableDirectory(batch.output_dir);
    ModelStore store(ModelStoreOptions::FromEnvironment());
    auto estimator = CreateDepthEstimator(estimator_options, store);
    InstallInterruptHandler();
    DepthBatchReport report = RunDepthBatch(*estimator, inputs, batch);

    int total = int(inputs.size());
    int processed = report.succeeded + int(report.failures.size());
    std::printf("depth: %d of %d image%s written to %s (%.1f s, %.0f ms/image)\n", report.succeeded, total,
                total == 1 ? "" : "s", batch.output_dir.c_str(), report.seconds,
                processed > 0 ? 1000.0 * report.seconds / processed : 0.0);
    if (estimator->kind() == DepthKind::kRelativeInverseDepth && report.succeeded > 0) {
      std::printf("depth: %s gives relative inverse depth, not metres: each map is normalised (nearest 1, farthest %g; "
                  "png16 spreads it over 0-65535); --align-to gives metres\n",
                  estimator->name().c_str(), kNormalisedInverseFloor);
    }
    FinishBatch("depth", report);
  });
}

}  // namespace depthforge::cli
