// Training depth networks in C++ with LibTorch: the architectures, their
// losses, and a trainer with validation, checkpoints and exact resume.
// Torch stays in the .cc files.
#pragma once

#include <memory>
#include <cmath>
#include <string>
#include <vector>

#include <opencv2/core.hpp>

#include "depthforge/models/losses.h"
#include "depthforge/models/model_store.h"
#include "depthforge/train/training_run.h"

namespace depthforge {


// One training run: writes run_dir/{model.pt, best.pt, checkpoint.pt,
// log.csv, log.json, loss.png}. With options.resume it continues exactly
// where the checkpoint left off. 'store' provides the pretrained model that
// kFastDepth starts from. Run() throws Error with the reason for bad data or
// options, and returns early (result.stopped) on Ctrl-C or
// stop_after_batches, with a checkpoint saved.
class Trainer {
 public:
  Trainer(TrainOptions options, const ModelStore& store);
  ~Trainer();
  Trainer(const Trainer&) = delete;
  Trainer& operator=(const Trainer&) = delete;

  TrainResult Run();

 private:
  struct State;
  void Prepare();                 // data, network, optimizer, checkpoint
  bool RunEpoch(int epoch);       // false when stopped
  double RunBatch(int epoch, int batch, const std::vector<size_t>& order);  // returns the loss
  void FinishEpoch(int epoch, double seconds);  // validation, model files, checkpoint, logs

  std::unique_ptr<State> state_;
};


}  // namespace depthforge
