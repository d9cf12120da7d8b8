// The int8 engines for FastDepth, measured before choosing one (issue 12):
// XNNPACK (our backend, models/xnnpack_network) against oneDNN (Debian's
// libdnnl), with the float LibTorch backend as the peer and OpenCV's dnn
// (float) beside it, in one process, rounds alternating so that the shared
// machine's load hits all alike.
//
//   DEPTHFORGE_MIRROR=../shared build/bench/int8_engines [rounds]
//
// oneDNN is the library's OneDnnNetwork (models/onednn_network.h), built
// here also on CPUs without VNNI (allow_inexact) to show what it does there.
//
// Accuracy first: each engine on the FastDepth authors' sample photo against
// their own float prediction (pred.npy; the golden test asks mean |diff| <=
// 0.06 m), and oneDNN's output against XNNPACK's in levels of 0.072 m.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <map>

#include <opencv2/core/utility.hpp>

#include "bench/bench_data.h"
#include "depthforge/eval/depth_metrics.h"
#include "depthforge/io/npy.h"
#include "depthforge/models/network.h"
#include "depthforge/models/onednn_network.h"
#include "depthforge/models/tflite_model.h"
#include "depthforge/models/torch_network.h"
#include "depthforge/models/xnnpack_network.h"

using namespace depthforge;

namespace {

double MedianMs(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

}  // namespace

int main(int argc, char** argv) {
  int rounds = argc > 1 ? std::atoi(argv[1]) : 5;
  const TfliteModel& model = bench::DefaultModel();
  const float level = model.tensors[size_t(model.outputs[0])].scales[0];  // one output step, metres
  std::printf("this CPU %s AVX-512 VNNI\n", OneDnnIsExact() ? "has" : "lacks");
  {
    const char* mirror = std::getenv("DEPTHFORGE_MIRROR");
    std::string sample = std::string(mirror ? mirror : "../shared") + "/data/fastdepth_sample/";
    cv::Mat rgb = ReadNpy(sample + "rgb.npy").ToFloatMat("rgb.npy");
    cv::Mat1f authors = ReadNpy(sample + "pred.npy").ToFloatMat("pred.npy");
    XnnpackNetwork xnnpack(model, 1);
    OneDnnNetwork onednn(model, 1, /*allow_inexact=*/true);
    cv::Mat1f a = xnnpack.Forward({rgb})[0], b = onednn.Forward({rgb})[0];
    ConfigureTorchThreads(1);
    cv::Mat1f f = CreateNetwork(model, Backend::kTorch, 1)->Forward({rgb})[0];
    std::printf("FastDepth sample photo vs the authors' prediction: mean |diff| (Pearson r)\n");
    for (auto [name, out] : {std::pair{"xnnpack int8", a}, std::pair{"onednn int8", b}, std::pair{"libtorch float", f}}) {
      std::printf("| %s | %.4f m | %.5f |\n", name, cv::mean(cv::abs(out - authors))[0], PearsonCorrelation(out, authors));
    }
    std::printf("oneDNN vs XNNPACK on it: max %.0f, mean %.2f levels\n\n", cv::norm(a, b, cv::NORM_INF) / level,
                cv::mean(cv::abs(a - b))[0] / level);
  }
  cv::Mat3f image(224, 224);
  cv::randu(image, 0.f, 1.f);
  for (int threads : {1, 2}) {
    ConfigureTorchThreads(threads);
    XnnpackNetwork xnnpack(model, threads);
    std::unique_ptr<Network> torch = CreateNetwork(model, Backend::kTorch, threads);
    cv::setNumThreads(threads);  // OpenCV's dnn runs on OpenCV's own pool
    std::unique_ptr<Network> opencv = CreateNetwork(model, Backend::kOpenCv, threads);
    OneDnnNetwork onednn(model, threads, /*allow_inexact=*/true);
    cv::Mat1f a = xnnpack.Forward({image})[0], b = onednn.Forward({image})[0];
    double max_levels = cv::norm(a, b, cv::NORM_INF) / level;
    double mean_levels = cv::mean(cv::abs(a - b))[0] / level;
    std::map<std::string, std::vector<double>> times;
    auto time = [&](const std::string& name, auto&& run) {
      run();  // warm
      auto start = std::chrono::steady_clock::now();
      int n = 0;
      while (std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count() < 1.0) run(), ++n;
      times[name].push_back(1000 * std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count() / n);
    };
    for (int r = 0; r < rounds; ++r) {
      time("xnnpack int8", [&] { xnnpack.Forward({image}); });
      time("onednn int8", [&] { onednn.Forward({image}); });
      time("libtorch float", [&] { torch->Forward({image}); });
    }
    // OpenCV's dnn after the others, not between them: its pool's threads
    // keep the cores busy for a while after each call, which made the next
    // engine's rounds up to 3.5x slower (LibTorch at 2 threads: 28.9 ms
    // interleaved, 8.4 ms without).
    for (int r = 0; r < rounds; ++r) time("opencv dnn float", [&] { opencv->Forward({image}); });
    std::printf("FastDepth 224x224, %d thread%s, median of %d rounds (oneDNN vs XNNPACK output: max %.0f, mean %.3f levels)\n",
                threads, threads > 1 ? "s" : "", rounds, max_levels, mean_levels);
    double peer = MedianMs(times["libtorch float"]);
    for (auto& [name, v] : times) std::printf("| %s | %.2f ms | %.2f x LibTorch |\n", name.c_str(), MedianMs(v), MedianMs(v) / peer);
  }
}
