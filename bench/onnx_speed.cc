// The ONNX importer's speed: MiDaS v2.1 small and Depth Anything V2 small
// shaped networks (testing/onnx_fixtures.py --bench: real shapes, random
// weights) run through OnnxTorchNetwork at their input sizes. The peer,
// PyTorch's eager run of the same modules at the same threads, comes from
// bench/onnx_speed.sh in the same run.
//   build/bench/onnx_speed DIR [THREADS] [RUNS]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

#include "depthforge/io/npy.h"
#include "depthforge/models/onnx_torch_network.h"
#include "depthforge/models/torch_network.h"

int main(int argc, char** argv) {
  using namespace depthforge;
  if (argc < 2) {
    std::fprintf(stderr, "usage: onnx_speed DIR [THREADS] [RUNS]\n");
    return 2;
  }
  const std::string dir = argv[1];
  const int threads = argc > 2 ? std::stoi(argv[2]) : 2;
  const int runs = argc > 3 ? std::stoi(argv[3]) : 7;
  ConfigureTorchThreads(threads);
  for (const char* name : {"midas_small_bench", "depth_anything_v2_small_bench"}) {
    const std::string base = dir + "/" + name;
    auto load_start = std::chrono::steady_clock::now();
    OnnxModel model = ReadOnnx(base + ".onnx");
    OnnxTorchNetwork network(model);
    const double load_ms = 1e3 * std::chrono::duration<double>(std::chrono::steady_clock::now() - load_start).count();
    NpyArray input_array = ReadNpy(base + ".input.npy");
    FloatTensor input;
    input.shape = input_array.shape;
    input.values.resize(size_t(input_array.element_count()));
    std::memcpy(input.values.data(), input_array.data.data(), input.values.size() * sizeof(float));
    for (int i = 0; i < 2; ++i) network.Run(input);
    std::vector<double> times;
    for (int i = 0; i < runs; ++i) {
      auto start = std::chrono::steady_clock::now();
      network.Run(input);
      times.push_back(std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
    }
    std::sort(times.begin(), times.end());
    std::printf("importer %s %lldx%lld: %.1f ms (median of %d, %d threads; %zu nodes, %zu left after folding; load %.0f ms)\n",
                name, (long long)input.shape[3], (long long)input.shape[2], 1e3 * times[times.size() / 2], runs, threads,
                model.nodes.size(), network.RuntimeNodeCount(), load_ms);
  }
  return 0;
}
