#include "depthforge/train/training_run.h"

#include <cstdlib>

#include "depthforge/core/error.h"
#include "depthforge/util/plugin_library.h"

namespace depthforge {

DistributedOptions DistributedOptions::FromEnvironment() {
  DistributedOptions options;
  auto get = [](const char* name) -> std::string {
    const char* value = std::getenv(name);
    return value ? value : "";
  };
  auto integer = [&](const char* name, int fallback) {
    std::string text = get(name);
    if (text.empty()) return fallback;
    try {
      return std::stoi(text);
    } catch (const std::logic_error&) {
      throw OptionError(std::string(name) + " must be a whole number, got '" + text + "'");
    }
  };
  options.world_size = integer("WORLD_SIZE", 1);
  options.rank = integer("RANK", 0);
  options.master_port = integer("MASTER_PORT", 29500);
  if (!get("MASTER_ADDR").empty()) options.master_addr = get("MASTER_ADDR");
  options.Check();
  return options;
}

void DistributedOptions::Check() const {
  if (world_size < 1) throw OptionError("WORLD_SIZE must be at least 1");
  if (rank < 0 || rank >= world_size) {
    throw OptionError("RANK must be between 0 and WORLD_SIZE - 1 (" + std::to_string(world_size - 1) + "), got " + std::to_string(rank));
  }
  if (master_port < 1 || master_port > 65535) throw OptionError("MASTER_PORT must be a TCP port (1-65535)");
}

void TrainOptions::Check() const {
  distributed.Check();
  if (distributed.world_size > 1 && batch_size % distributed.world_size != 0) {
    throw OptionError("the batch size (" + std::to_string(batch_size) + ") must be a multiple of WORLD_SIZE (" +
                      std::to_string(distributed.world_size) + ")");
  }
  if (train_data.empty() && ordinal_data.empty()) throw OptionError("training data is required (--data, --ordinal or both)");
  if (!(ordinal_weight > 0)) throw OptionError("the ordinal weight must be positive");
  if (run_dir.empty()) throw OptionError("a run directory is required (-o)");
  if (epochs < 1 || epochs > 100000) throw OptionError("epochs must be at least 1");
  if (batch_size < 1 || batch_size > 4096) throw OptionError("batch size must be between 1 and 4096");
  if (!(learning_rate > 0 && learning_rate < 10)) throw OptionError("learning rate must be in (0, 10)");
  if (schedule != "cosine" && schedule != "step" && schedule != "none") throw OptionError("schedule must be cosine, step or none");
  if (!(max_depth > 0)) throw OptionError("max depth must be positive");
  if (checkpoint_every < 0 || stop_after_batches < 0) throw OptionError("checkpoint interval must not be negative");
  augment.Check();
}

TrainResult RunTraining(const TrainOptions& options, const ModelStore& store) {
  // Defined beside the Trainer in trainer.cc.
  using Entry = void (*)(const TrainOptions*, const ModelStore*, TrainResult*);
  auto run = reinterpret_cast<Entry>(TorchLibrarySymbol("depthforge_torch_train"));
  TrainResult result;
  run(&options, &store, &result);
  return result;
}

}  // namespace depthforge
