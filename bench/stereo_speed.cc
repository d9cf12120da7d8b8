// Stereo matching speed, 640×480 pair (the first rectified calibration pair
// of the shared data), 64 disparities: ours vs OpenCV's StereoSGBM with
// default settings, in the same run (Google Benchmark).
//   DEPTHFORGE_MIRROR=../shared build/bench/stereo_speed --benchmark_report_aggregates_only=true
#include <benchmark/benchmark.h>

#include <cstdlib>
#include <filesystem>

#include "depthforge/io/image_io.h"
#include "depthforge/eval/disparity_metrics.h"
#include "depthforge/stereo/stereo_matcher.h"

using namespace depthforge;
namespace fs = std::filesystem;

namespace {

std::pair<cv::Mat3b, cv::Mat3b> Pair() {
  const char* mirror = std::getenv("DEPTHFORGE_MIRROR");
  fs::path dir = fs::path(mirror ? mirror : "../shared") / "data" / "stereo_calib";
  return {ReadImage((dir / "left01.jpg").string()), ReadImage((dir / "right01.jpg").string())};
}

void BM_StereoMatch(benchmark::State& state, bool ours) {
  auto [left, right] = Pair();
  StereoMatchOptions options;
  options.max_disparity = 64;
  for (auto _ : state) {
    cv::Mat1f d = ours ? MatchStereo(left, right, options).disparity : MatchStereoPlainSgbm(left, right, 64);
    benchmark::DoNotOptimize(d.data);
  }
}
BENCHMARK_CAPTURE(BM_StereoMatch, depthforge_640x480_64, true)->Unit(benchmark::kMillisecond)->UseRealTime()->MinTime(2)->Repetitions(5);
BENCHMARK_CAPTURE(BM_StereoMatch, opencv_sgbm_default_640x480_64, false)->Unit(benchmark::kMillisecond)->UseRealTime()->MinTime(2)->Repetitions(5);

}  // namespace

BENCHMARK_MAIN();
