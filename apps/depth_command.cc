// depthforge depth INPUT... -o DIR [--model NAME|FILE] [--format LIST] [--tta]
#include <cstdio>

#include "apps/cli_util.h"
#include "apps/commands.h"
#include "depthforge/core/error.h"
#include "depthforge/estimate/depth_batch.h"
#include "depthforge/estimate/depth_estimator.h"
#include "depthforge/models/model_store.h"
#include "depthforge/util/interrupt.h"
#include "depthforge/util/paths.h"

namespace depthforge::cli {

void AddDepthCommand(CLI::App& app) {
  CLI::App* command = app.add_subcommand("depth", "Estimate a depth map for each photo");
  struct Flags {
    std::vector<std::string> inputs;
    std::string output_dir;
    std::string model;
    std::string formats = "npy,png16,color";
    std::string framing = "crop";
    std::string size;
    std::string backend = "torch";
    bool tta = false;
    bool no_refine = false;
    int threads = 0;
    bool quiet = false;
  };
  auto flags = std::make_shared<Flags>();
  command->add_option("inputs", flags->inputs, "Photos, or directories of photos")->required();
  command->add_option("-o,--output", flags->output_dir, "Output directory (created if needed)")->required();
  command->add_option("--model", flags->model, "Model name from 'depthforge models list', or a .tflite file");
  command->add_option("--format", flags->formats,
                      "Comma-separated outputs: npy (float32 metres), png16 (uint16 mm), pfm, color (PNG, near=bright)")
      ->capture_default_str();
  command->add_option("--framing", flags->framing, "crop: the training framing for the centre, the whole photo for the border; full: the whole photo only")
      ->capture_default_str();
  command->add_option("--size", flags->size, "Network input size WxH for --framing full (default: automatic)");
  command->add_option("--backend", flags->backend, "Inference backend: torch (LibTorch) or opencv (OpenCV dnn)")
      ->capture_default_str();
  command->add_flag("--tta", flags->tta, "Average with the prediction on the mirrored photo (2x slower)");
  command->add_flag("--no-refine", flags->no_refine, "Plain bilinear upsampling instead of edge-aware");
  command->add_option("--threads", flags->threads, "CPU threads for the network (default: all cores, one fewer in a batch)");
  command->add_flag("-q,--quiet", flags->quiet, "No progress bar");

  command->callback([=] {
    EstimatorOptions estimator_options;
    estimator_options.model = flags->model;
    estimator_options.framing = FramingFromString(flags->framing);
    estimator_options.flip_tta = flags->tta;
    estimator_options.backend = BackendFromString(flags->backend);
    estimator_options.upsample.enabled = !flags->no_refine;
    std::vector<BatchInput> inputs = CollectImageInputs(flags->inputs);
    estimator_options.threads = flags->threads > 0 ? flags->threads : RecommendedInferenceThreads(inputs.size());
    if (!flags->size.empty()) {
      cv::Size size = ParseSize(flags->size, "--size");
      estimator_options.inference_width = size.width;
      estimator_options.inference_height = size.height;
    }
    DepthBatchOptions batch;
    batch.output_dir = flags->output_dir;
    batch.formats = ParseDepthFormats(flags->formats);
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
                total == 1 ? "" : "s", flags->output_dir.c_str(), report.seconds,
                processed > 0 ? 1000.0 * report.seconds / processed : 0.0);
    FinishBatch("depth", report);
  });
}

}  // namespace depthforge::cli
