// Training speed of the C++ trainer's network, loss and optimizer step:
//   build/bench/train_speed [ARCH] [BATCH] [STEPS] [THREADS]
// Prints images per second for Adam steps of ARCH (default unet) with its
// paper's loss on random 128×96 batches, the same work that
// bench/train_speed.py does with Debian's python3-torch (see
// bench/train_speed.sh, which runs both).
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>

#include <torch/torch.h>

#include "depthforge/models/torch_network.h"
#include "depthforge/models/torch_modules.h"

using namespace depthforge;

int main(int argc, char** argv) {
  std::string arch = argc > 1 ? argv[1] : "unet";
  int batch = argc > 2 ? std::atoi(argv[2]) : 8;
  int steps = argc > 3 ? std::atoi(argv[3]) : 30;
  int threads = argc > 4 ? std::atoi(argv[4]) : 0;
  ConfigureTorchThreads(threads);
  NetworkConfig config;
  config.architecture = ArchitectureFromString(arch);
  torch::manual_seed(1);
  auto network = BuildNetwork(config);
  network->train();
  torch::optim::Adam optimizer(network->parameters(), torch::optim::AdamOptions(1e-3));
  auto input = torch::rand({batch, config.input_channels(), config.input_height, config.input_width}) - 0.5;
  auto target = torch::rand({batch, 1, config.input_height, config.input_width}) * 9 + 0.5;
  LossKind loss_kind = DefaultLoss(config.architecture);
  auto step = [&] {
    auto loss = MaskedLoss(loss_kind, network->forward(input), target);
    optimizer.zero_grad();
    loss.backward();
    optimizer.step();
  };
  for (int i = 0; i < 3; ++i) step();  // warm up
  auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < steps; ++i) step();
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::printf("c++ %s %s batch %d threads %d: %.1f images/s (%.1f ms per step)\n", arch.c_str(),
              ToString(loss_kind).c_str(), batch, TorchThreads(), steps * batch / seconds, 1000 * seconds / steps);
  return 0;
}
