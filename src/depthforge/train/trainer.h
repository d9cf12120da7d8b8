// Training depth networks in C++ with LibTorch: the architectures, their
// losses, and a trainer with validation, checkpoints and exact resume.
// Torch stays in the .cc files.
#pragma once

#include <memory>
#include <cmath>
#include <string>
#include <vector>

#include <opencv2/core.hpp>

#include "depthforge/estimate/depth_estimator.h"
#include "depthforge/train/augment.h"

namespace depthforge {

enum class Architecture {
  kUNet,           // encoder/decoder with skip connections (Ronneberger et al. 2015)
  kAttentionUNet,  // SELU, channel + spatial attention, RGB + focus channel input
  kEigen,          // Eigen et al. 2014: global coarse network (fully connected) + local fine network
  kFastDepth,      // FastDepth initialised from the imported pretrained weights, for fine-tuning
};
Architecture ArchitectureFromString(const std::string& name);  // unet|attention-unet|eigen|fastdepth
std::string ToString(Architecture architecture);

enum class LossKind {
  kMse,             // mean squared error
  kL1,              // mean absolute error (FastDepth's training loss)
  kL1GradientSsim,  // L1 + gradient + 0.3 × 4×4-grid gradient + SSIM (the attention U-Net report)
  kScaleInvariant,  // Eigen et al.: mean d² − λ (mean d)², d = log p − log g, λ = 0.5
  kSilog,           // 10 · sqrt(mean d² − 0.85 (mean d)²)
  kBerHu,           // reverse Huber, c = 0.2 · max |p − g| (Laina et al. 2016)
};
LossKind LossKindFromString(const std::string& name);  // mse|l1|l1-grad-ssim|scale-invariant|silog|berhu
std::string ToString(LossKind loss);
// Each paper's own loss.
LossKind DefaultLoss(Architecture architecture);

// The masked loss of one prediction/ground-truth pair (metres, 0 = unknown),
// for tests and tools; training uses the same code on batches.
double ComputeLoss(LossKind loss, const cv::Mat1f& prediction, const cv::Mat1f& ground_truth);

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

// Trains and writes run_dir/{model.pt, best.pt, checkpoint.pt, log.csv,
// log.json, loss.png}. With resume, continues exactly where the checkpoint
// left off. Throws Error with the reason for bad data or options.
TrainResult Train(const TrainOptions& options);

// All parameters of a model file, flattened in a fixed order (for tests
// that compare runs).
std::vector<float> ReadModelParameters(const std::string& path);

// A depth estimator from a trained model file (.pt): the photo is resized to
// the trained input size and the output brought back with the edge-aware
// upsampling.
std::unique_ptr<DepthEstimator> LoadTrainedEstimator(const std::string& path, const EstimatorOptions& options);

}  // namespace depthforge
