// depthforge train --arch ... --loss ... --data ... --val ... -o RUN_DIR [--resume]
#include <cmath>
#include <cstdio>

#include "apps/cli_util.h"
#include "apps/commands.h"
#include "depthforge/core/error.h"
#include "depthforge/train/trainer.h"
#include "depthforge/util/interrupt.h"

namespace depthforge::cli {

void AddTrainCommand(CLI::App& app) {
  CLI::App* command = app.add_subcommand("train", "Train a depth network (U-Net, attention U-Net, Eigen) on RGB-D data");
  struct Flags {
    std::string arch = "unet", loss, init_model = "fastdepth-nyu", split, data, val, run_dir, size = "128x96", schedule = "cosine", device = "cpu";
    int epochs = 10, batch = 8, channels = 16, checkpoint_every = 50, threads = 0;
    double lr = 1e-3, depth_scale = 1000;
    float max_depth = 10.f;
    uint64_t seed = 1;
    bool resume = false, no_augment = false, quiet = false;
  };
  auto f = std::make_shared<Flags>();
  command->add_option("--arch", f->arch, "unet, attention-unet, eigen, or fastdepth (fine-tunes the pretrained model)")
      ->capture_default_str();
  command->add_option("--loss", f->loss, "mse, l1, l1-grad-ssim, scale-invariant, silog or berhu (default: the architecture's paper's)");
  command->add_option("--init-model", f->init_model, "fastdepth: the pretrained model to start from (name or .tflite)")
      ->capture_default_str();
  command->add_option("--data", f->data, "Training data: .csv pairs, NYU .mat or a folder")->required();
  command->add_option("--split", f->split, "NYU .mat: splits.mat; --data uses its train subset, --val its test subset");
  command->add_option("--val", f->val, "Validation data (evaluated after every epoch; picks best.pt)");
  command->add_option("-o,--output", f->run_dir, "Run directory: model.pt, best.pt, checkpoint.pt, log.csv/json, loss.png")->required();
  command->add_option("--epochs", f->epochs, "Epochs")->capture_default_str();
  command->add_option("--batch", f->batch, "Batch size")->capture_default_str();
  command->add_option("--lr", f->lr, "Adam learning rate")->capture_default_str();
  command->add_option("--schedule", f->schedule, "Learning-rate schedule: cosine, step or none")->capture_default_str();
  command->add_option("--size", f->size, "Network input WxH (multiples of 16)")->capture_default_str();
  command->add_option("--channels", f->channels, "Width of the first layer")->capture_default_str();
  command->add_option("--max-depth", f->max_depth, "Largest depth the network can output (m)")->capture_default_str();
  command->add_option("--depth-scale", f->depth_scale, "Depth PNG units per metre (1000 mm; 256 KITTI)")->capture_default_str();
  command->add_option("--seed", f->seed, "Random seed (initialisation, order, augmentation)")->capture_default_str();
  command->add_option("--checkpoint-every", f->checkpoint_every, "Batches between checkpoints")->capture_default_str();
  command->add_option("--threads", f->threads, "CPU threads (default: all cores)");
  command->add_option("--device", f->device, "LibTorch device: cpu, cuda, cuda:1")->capture_default_str();
  command->add_flag("--resume", f->resume, "Continue the run in the output directory where it stopped");
  command->add_flag("--no-augment", f->no_augment, "No flips, affine jitter or colour jitter");
  command->add_flag("-q,--quiet", f->quiet, "No progress bar");
  command->callback([f] {
    TrainOptions options;
    options.architecture = ArchitectureFromString(f->arch);
    options.loss = f->loss.empty() ? DefaultLoss(options.architecture) : LossKindFromString(f->loss);
    options.train_data = f->data;
    options.val_data = f->val;
    options.split_file = f->split;
    options.run_dir = f->run_dir;
    options.epochs = f->epochs;
    options.batch_size = f->batch;
    options.learning_rate = f->lr;
    options.schedule = f->schedule;
    options.input_size = ParseSize(f->size, "--size");
    options.base_channels = f->channels;
    options.max_depth = f->max_depth;
    options.depth_scale = f->depth_scale;
    options.seed = f->seed;
    options.checkpoint_every = f->checkpoint_every;
    options.threads = f->threads;
    options.device = f->device;
    options.resume = f->resume;
    options.augment.enabled = !f->no_augment;
    options.distributed = DistributedOptions::FromEnvironment();
    options.init_model = f->init_model;
    options.show_progress = !f->quiet;
    InstallInterruptHandler();
    TrainResult result = Train(options);
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
