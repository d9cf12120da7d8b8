// What a training run takes and gives, and RunTraining(), which runs it.
// Training needs LibTorch; this unit does not: RunTraining opens
// libdepthforge_torch.so (util/plugin_library.h) so that programs which do
// not train never load it. The trainer itself is train/trainer.h.
#pragma once

#include <cmath>
#include <string>
#include <vector>

#include <opencv2/core.hpp>

#include "depthforge/models/loss_kind.h"
#include "depthforge/models/model_store.h"
#include "depthforge/models/network_architecture.h"
#include "depthforge/train/augment.h"

namespace depthforge {

// Data-parallel training over processes and machines with LibTorch's c10d
// (Gloo, TCP rendezvous at master_addr:master_port). Every rank reads its
// own share of each global batch; gradients are all-reduced; rank 0 writes
// the files.
struct DistributedOptions {
  int world_size = 1;
  int rank = 0;
  std::string master_addr = "127.0.0.1";
  int master_port = 29500;
  // From MASTER_ADDR, MASTER_PORT, WORLD_SIZE and RANK; a single process
  // when WORLD_SIZE is unset. Throws OptionError for inconsistent values.
  static DistributedOptions FromEnvironment();
  void Check() const;
};

struct TrainOptions {
  Architecture architecture = Architecture::kUNet;
  LossKind loss = LossKind::kL1GradientSsim;
  std::string train_data, val_data;  // anything OpenDataset opens
  // A label file (io/ordinal_labels.h): its answered pairs train with the
  // ranking loss of Chen et al. 2016 on log depth, its points with L1 in
  // metres. Alone, or beside train_data (then each batch adds an ordinal
  // batch's loss, times ordinal_weight). Unconfirmed proposals are left out.
  std::string ordinal_data;
  double ordinal_weight = 1.0;
  // NYU .mat data: the official split file; training uses its train
  // subset, validation its test subset.
  std::string split_file;
  double depth_scale = 1000;         // depth PNG units per metre
  std::string run_dir;
  cv::Size input_size{128, 96};
  int base_channels = 16;
  float max_depth = 10.f;            // outputs are max_depth · sigmoid(x)
  int epochs = 10;
  int batch_size = 8;
  double learning_rate = 1e-3;
  std::string schedule = "cosine";   // cosine | step (×0.5 every third of the run) | none
  AugmentOptions augment;
  uint64_t seed = 1;
  int threads = 0;
  bool resume = false;
  int checkpoint_every = 50;         // batches between checkpoints (and at every epoch end)
  int stop_after_batches = 0;        // > 0: stop as if killed after this many batches (tests)
  bool show_progress = true;
  std::string device = "cpu";        // a LibTorch device string (cpu, cuda, cuda:1)
  // kFastDepth: the pretrained model to start from (registry name or .tflite).
  std::string init_model = "fastdepth-nyu";
  DistributedOptions distributed;
  void Check() const;
};

struct EpochLog {
  int epoch = 0;
  double train_loss = 0;
  // NaN when not computed (no --val, or no valid ground truth in it).
  double val_loss = NAN, val_abs_rel = NAN, val_delta1 = NAN;
  double learning_rate = 0, seconds = 0;
};

struct TrainResult {
  std::vector<EpochLog> epochs;  // every finished epoch, including those before a resume
  std::string model_path;        // run_dir/model.pt (last epoch)
  std::string best_path;         // run_dir/best.pt (lowest validation loss; without validation data, lowest training loss)
  bool stopped = false;          // stopped by stop_after_batches or Ctrl-C
  int batches_done = 0;          // in this call
};

// Trainer(options, store).Run() inside libdepthforge_torch.so.
TrainResult RunTraining(const TrainOptions& options, const ModelStore& store);

}  // namespace depthforge
