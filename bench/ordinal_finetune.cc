// Label -> fine-tune -> measure (testing/ordinal_experiment.h):
//   build/bench/ordinal_finetune MIRROR [EPOCHS] [LR]
#include <cstdio>
#include <filesystem>

#include "depthforge/testing/ordinal_experiment.h"

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: ordinal_finetune MIRROR [EPOCHS] [LR]\n");
    return 2;
  }
  setenv("DEPTHFORGE_MIRROR", argv[1], 0);
  const int epochs = argc > 2 ? std::atoi(argv[2]) : 30;
  const double learning_rate = argc > 3 ? std::atof(argv[3]) : 3e-5;
  using depthforge::OrdinalReport;
  auto e = depthforge::testing::RunOrdinalExperiment(
      argv[1], (std::filesystem::temp_directory_path() / "depthforge-ordinal-finetune").string(), epochs, learning_rate);
  std::printf("ordinal fine-tuning of FastDepth: %d epochs, lr %g, %d labelled pairs on 5 frames; loss %.4f -> %.4f\n",
              e.epochs, e.learning_rate, e.labelled_pairs, e.first_loss, e.last_loss);
  std::printf("imported model as `depth` runs it (int8): labelled frames %.2f %%, other frames %.2f %%\n",
              e.labelled_imported.total.whdr(), e.others_imported.total.whdr());
  std::printf("labelled frames: WHDR %.2f %% -> %.2f %% (%.0f %% fewer wrong pairs)\n", e.labelled_before.total.whdr(),
              e.labelled_after.total.whdr(), 100 * (1 - e.labelled_after.total.whdr() / e.labelled_before.total.whdr()));
  std::printf("other frames (NYU, SUN, TUM): WHDR %.2f %% -> %.2f %% (%+.2f points)\n", e.others_before.total.whdr(),
              e.others_after.total.whdr(), e.others_after.total.whdr() - e.others_before.total.whdr());
  for (size_t i = 0; i < e.others_after.per_image.size(); ++i) {
    std::printf("  %s: %.2f -> %.2f\n", std::filesystem::path(e.others_after.per_image[i].first).filename().c_str(),
                e.others_before.per_image[i].second.whdr(), e.others_after.per_image[i].second.whdr());
  }
  return 0;
}
