// depthforge synth -o DIR --count N --size WxH --seed S
#include <cstdio>

#include "apps/cli_util.h"
#include "apps/commands.h"
#include "depthforge/core/error.h"
#include "depthforge/train/synthetic_scene.h"

namespace depthforge::cli {

void AddSynthCommand(CLI::App& app) {
  CLI::App* command = app.add_subcommand("synth", "Render procedural indoor RGB-D scenes with exact depth (CSV pair format)");
  struct Flags {
    SyntheticSceneOptions scene;  // the image size's default lives there
    std::string output_dir;
    int count = 100;
    uint64_t seed = 1;
    bool quiet = false;
  };
  auto flags = std::make_shared<Flags>();
  command->add_option("-o,--output", flags->output_dir, "Output directory: image/, depth/ (16-bit mm PNG), pairs.csv")->required();
  command->add_option("--count", flags->count, "Number of scenes")->capture_default_str();
  AddSizeOption(command, "--size", flags->scene.size, "Image size WxH");
  command->add_option("--seed", flags->seed, "First random seed (scene i uses seed + i)")->capture_default_str();
  command->add_flag("-q,--quiet", flags->quiet, "No progress bar");
  command->callback([flags] {
    std::string csv = WriteSyntheticDataset(flags->output_dir, flags->count, flags->seed, flags->scene, !flags->quiet);
    std::printf("synth: %d scenes, %s\n", flags->count, csv.c_str());
  });
}

}  // namespace depthforge::cli
