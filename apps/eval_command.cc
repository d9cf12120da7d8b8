// depthforge eval --model NAME|FILE --data CSV|MAT|DIR [--crop] [--align] [--min-depth] [--max-depth] -o report.json
//                 --model NAME|FILE --ordinal LABELS.json -o report.json
#include <cstdio>

#include "apps/cli_util.h"
#include "apps/commands.h"
#include "depthforge/core/error.h"
#include "depthforge/estimate/depth_estimator.h"
#include "depthforge/eval/evaluate.h"
#include "depthforge/eval/ordinal.h"
#include "depthforge/io/ordinal_labels.h"
#include "depthforge/models/model_store.h"
#include "depthforge/io/rgbd_dataset.h"
#include "depthforge/util/paths.h"

namespace depthforge::cli {

void AddEvalCommand(CLI::App& app) {
  CLI::App* command = app.add_subcommand("eval", "Measure a depth model on an RGB-D dataset (AbsRel, RMSE, δ1, ...)");
  // The flags write straight into the options; the defaults live there.
  struct Flags {
    EvalOptions eval;
    DatasetOptions data;
    std::string model, align_to, data_path, ordinal_path, output, split, subset = "test";
    Backend backend = Backend::kAuto;
    bool quiet = false;
  };
  auto flags = std::make_shared<Flags>();
  EvalOptions& e = flags->eval;
  AddModelOptions(command, flags->model, flags->align_to);
  AddEnumOption(command, "--backend", flags->backend, BackendNames(), "Inference backend");
  auto* data = command->add_option("--data", flags->data_path, "A .csv pair list, a NYU .mat file, or a folder with image/ and depth/");
  auto* ordinal = command->add_option("--ordinal", flags->ordinal_path,
                                      "A label file of ordinal pairs (label propose, the studio's /label page): "
                                      "reports WHDR, the percent of ordered pairs the model orders the other way");
  data->excludes(ordinal);
  ordinal->excludes(data);
  command->add_option("-o,--output", flags->output, "report.json (report.csv and report.md are written beside it)")->required();
  AddEnumOption(command, "--crop", e.crop, EvalCropNames(), "Evaluation crop (eigen for NYU, garg for KITTI)");
  AddEnumOption(command, "--align", e.alignment, AlignmentNames(), "Alignment of the prediction to the ground truth");
  command->add_option("--min-depth", e.min_depth, "Ground truth below this (m) is ignored")->capture_default_str();
  command->add_option("--max-depth", e.max_depth, "Ground truth above this (m) is ignored (80 for KITTI)")->capture_default_str();
  command->add_option("--depth-scale", flags->data.depth_scale, "Depth PNG units per metre (1000 mm; 256 KITTI)")->capture_default_str();
  command->add_option("--split", flags->split, "NYU .mat: the official splits.mat (or a file of 1-based indices)");
  command->add_option("--subset", flags->subset, "With --split: train or test")->capture_default_str();
  command->add_flag("-q,--quiet", flags->quiet, "No progress bar");
  command->callback([flags] {
    if (flags->data_path.empty() && flags->ordinal_path.empty()) throw OptionError("eval needs --data or --ordinal");
    if (!flags->ordinal_path.empty()) {
      ProtectInput(flags->ordinal_path);
      PrepareOutputFile(flags->output);
      OrdinalLabels labels = ReadOrdinalLabels(flags->ordinal_path);
      EstimatorOptions estimator_options;
      estimator_options.model = flags->model;
      estimator_options.align_to = flags->align_to;
      estimator_options.backend = flags->backend;
      auto estimator = CreateDepthEstimator(estimator_options, ModelStore(ModelStoreOptions::FromEnvironment()));
      OrdinalReport report = EvaluateOrdinal(*estimator, labels, !flags->quiet);
      WriteOrdinalReport(report, flags->output);
      std::printf("eval: %zu images, %d ordered pairs (%d without a depth), WHDR %.2f %% -> %s\n", report.per_image.size(),
                  report.total.ordered, report.total.unknown, report.total.whdr(), flags->output.c_str());
      return;
    }
    EvalOptions options = flags->eval;
    options.show_progress = !flags->quiet;
    options.Check();
    // Outputs are checked before the evaluation: a missing folder is made, and
    // no report may replace the data (-o pairs.json writes pairs.csv).
    ProtectInput(flags->data_path);
    if (!flags->split.empty()) ProtectInput(flags->split);
    for (const std::string& path : EvalReportPaths(flags->output)) PrepareOutputFile(path);
    DatasetOptions data_options = flags->data;
    if (!flags->split.empty()) data_options.indices = ReadNyuSplit(flags->split, flags->subset);
    auto dataset = OpenDataset(flags->data_path, data_options);
    EstimatorOptions estimator_options;
    estimator_options.model = flags->model;
    estimator_options.align_to = flags->align_to;
    estimator_options.backend = flags->backend;
    auto estimator = CreateDepthEstimator(estimator_options, ModelStore(ModelStoreOptions::FromEnvironment()));
    EvalReport report = EvaluateDataset(*estimator, *dataset, options);
    WriteEvalReport(report, flags->output);
    const DepthMetrics& m = report.mean;
    std::printf("eval: %zu images, AbsRel %.3f  SqRel %.3f  RMSE %.3f  RMSElog %.3f  log10 %.3f  MAE %.3f  "
                "d1 %.3f  d2 %.3f  d3 %.3f  SILog %.2f -> %s\n",
                report.per_image.size(), m.abs_rel, m.sq_rel, m.rmse, m.rmse_log, m.log10, m.mae, m.delta1, m.delta2,
                m.delta3, m.silog, flags->output.c_str());
  });
}

}  // namespace depthforge::cli
