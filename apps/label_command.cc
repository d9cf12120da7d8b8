// depthforge label propose PHOTO... -o labels.json [--pairs N] [--model M]
#include <cstdio>
#include <filesystem>

#include "apps/commands.h"
#include "depthforge/core/error.h"
#include "depthforge/estimate/depth_batch.h"
#include "depthforge/estimate/depth_estimator.h"
#include "depthforge/io/image_io.h"
#include "depthforge/io/ordinal_labels.h"
#include "depthforge/label/ordinal_proposals.h"
#include "depthforge/models/model_store.h"
#include "depthforge/util/paths.h"
#include "depthforge/util/progress.h"

namespace depthforge::cli {
namespace fs = std::filesystem;

void AddLabelCommand(CLI::App& app) {
  CLI::App* label = app.add_subcommand("label", "Ordinal depth labels: which of two points is closer");
  label->require_subcommand(1);
  CLI::App* propose = label->add_subcommand(
      "propose", "Propose pairs of points to label, the model's least sure first, pre-filled with its answers");
  struct Flags {
    ProposalOptions options;
    std::vector<std::string> inputs;
    std::string output, model;
    bool quiet = false;
  };
  auto flags = std::make_shared<Flags>();
  propose->add_option("inputs", flags->inputs, "Photos, or folders of photos")->required();
  propose->add_option("-o,--output", flags->output, "The label file to write (JSON)")->required();
  propose->add_option("--pairs", flags->options.pairs, "Pairs per photo, at most")->capture_default_str();
  propose->add_option("--model", flags->model, "Depth model whose answers pre-fill the pairs (default: fastdepth-nyu)");
  propose->add_option("--seed", flags->options.seed, "Seed of the pair choice")->capture_default_str();
  propose->add_flag("-q,--quiet", flags->quiet, "No progress bar");
  propose->callback([flags] {
    flags->options.Check();
    std::vector<BatchInput> inputs = CollectImageInputs(flags->inputs);
    PrepareOutputFile(flags->output);
    EstimatorOptions estimator_options;
    estimator_options.model = flags->model;
    auto estimator = CreateDepthEstimator(estimator_options, ModelStore(ModelStoreOptions::FromEnvironment()));
    // Image paths are written relative to the label file, so the folder can move.
    const fs::path base = fs::absolute(flags->output).parent_path();
    OrdinalLabels labels;
    Progress progress("label propose", double(inputs.size()), "img", flags->quiet ? nullptr : stderr);
    for (const BatchInput& input : inputs) {
      const std::string written = fs::relative(fs::absolute(input.path), base).string();
      labels.images.push_back(ProposeOrdinalPairs(ReadImage(input.path), written, *estimator, flags->options));
      progress.Add(1);
    }
    progress.Finish();
    WriteOrdinalLabels(labels, flags->output);
    std::printf("label propose: %d pairs for %zu photo%s -> %s\n", labels.PairCount(), labels.images.size(),
                labels.images.size() == 1 ? "" : "s", flags->output.c_str());
  });
}

}  // namespace depthforge::cli
