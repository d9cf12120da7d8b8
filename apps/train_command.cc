// depthforge train --arch ... --loss ... --data ... --val ... -o RUN_DIR [--resume]
#include <cmath>
#include <cstdio>
#include <optional>

#include "apps/cli_util.h"
#include "apps/commands.h"
#include "depthforge/core/error.h"
#include "depthforge/train/training_run.h"
#include "depthforge/util/interrupt.h"

namespace depthforge::cli {

void AddTrainCommand(CLI::App& app) {
  CLI::App* command = app.add_subcommand("train", "Train a depth network (U-Net, attention U-Net, Eigen) on RGB-D data");
  // The flags write straight into the options; only the loss, whose default
  // depends on the architecture, and the negated flags are kept aside.
  struct Flags {
    TrainOptions options;
    std::optional<LossKind> loss;
    bool no_augment = false, quiet = false;
  };
  auto f = std::make_shared<Flags>();
  TrainOptions& o = f->options;
  AddEnumOption(command, "--arch", o.architecture, ArchitectureNames(),
                "Architecture (fastdepth fine-tunes the pretrained model)");
  command->add_option_function<std::string>(
      "--loss", [f](const std::string& name) { f->loss = LossKindNames().Parse(name); },
      "Loss: " + LossKindNames().List() + " (default: the architecture's paper's)");
  command->add_option("--init-model", o.init_model, "fastdepth: the pretrained model to start from (name or .tflite)")
      ->capture_default_str();
  command->add_option("--data", o.train_data, "Training data: .csv pairs, NYU .mat or a folder");
  command->add_option("--ordinal", o.ordinal_data,
                      "A label file of ordinal pairs and metric points (label propose, the studio's /label page): "
                      "ranking loss of Chen et al. 2016, alone or with --data");
  command->add_option("--ordinal-weight", o.ordinal_weight, "With --data and --ordinal: weight of the ordinal loss")
      ->capture_default_str();
  command->add_option("--split", o.split_file, "NYU .mat: splits.mat; --data uses its train subset, --val its test subset");
  command->add_option("--val", o.val_data, "Validation data (evaluated after every epoch; picks best.pt)");
  command->add_option("-o,--output", o.run_dir, "Run directory: model.pt, best.pt, checkpoint.pt, log.csv/json, loss.png")->required();
  command->add_option("--epochs", o.epochs, "Epochs")->capture_default_str();
  command->add_option("--batch", o.batch_size, "Batch size")->capture_default_str();
  command->add_option("--lr", o.learning_rate, "Adam learning rate")->capture_default_str();
  command->add_option("--schedule", o.schedule, "Learning-rate schedule: cosine, step or none")->capture_default_str();
  AddSizeOption(command, "--size", o.input_size, "Network input WxH (multiples of 16)");
  command->add_option("--channels", o.base_channels, "Width of the first layer")->capture_default_str();
  command->add_option("--max-depth", o.max_depth, "Largest depth the network can output (m)")->capture_default_str();
  command->add_option("--depth-scale", o.depth_scale, "Depth PNG units per metre (1000 mm; 256 KITTI)")->capture_default_str();
  command->add_option("--seed", o.seed, "Random seed (initialisation, order, augmentation)")->capture_default_str();
  command->add_option("--checkpoint-every", o.checkpoint_every, "Batches between checkpoints")->capture_default_str();
  command->add_option("--threads", o.threads, "CPU threads (0: all cores)")->capture_default_str();
  command->add_option("--device", o.device, "LibTorch device: cpu, cuda, cuda:1")->capture_default_str();
  command->add_flag("--resume", o.resume, "Continue the run in the output directory where it stopped");
  command->add_flag("--no-augment", f->no_augment, "No flips, affine jitter or colour jitter");
  command->add_flag("-q,--quiet", f->quiet, "No progress bar");
  command->callback([f] {
    TrainOptions options = f->options;
    options.loss = f->loss.value_or(DefaultLoss(options.architecture));
    options.augment.enabled = !f->no_augment;
    options.show_progress = !f->quiet;
    options.distributed = DistributedOptions::FromEnvironment();
    InstallInterruptHandler();
    ModelStore store(ModelStoreOptions::FromEnvironment());
    TrainResult result = RunTraining(options, store);
    for (const EpochLog& e : result.epochs) {
      char validation[96] = "";  // only what was computed is printed
      if (std::isfinite(e.val_loss)) {
        std::snprintf(validation, sizeof validation, "  val loss %.4f  val AbsRel %.3f  val d1 %.3f", e.val_loss,
                      e.val_abs_rel, e.val_delta1);
      }
      std::printf("epoch %d: train loss %.4f%s  lr %.2e  %.1f s\n", e.epoch, e.train_loss, validation,
                  e.learning_rate, e.seconds);
    }
    if (result.stopped) {
      std::fprintf(stderr, "train: stopped; the checkpoint is saved, continue with --resume\n");
      throw CLI::RuntimeError(130);
    }
    if (options.distributed.rank == 0) {
      std::printf("train: %s (best: %s, by %s)\n", result.model_path.c_str(), result.best_path.c_str(),
                  options.val_data.empty() ? "training loss; give --val to choose by validation"
                                                                          : "validation loss");
    } else {
      std::printf("train: rank %d of %d done (rank 0 writes the files)\n", options.distributed.rank,
                  options.distributed.world_size);
    }
  });
}

}  // namespace depthforge::cli
