// Speed of depth estimation on 640×480 photos (Google Benchmark).
//
//   DEPTHFORGE_MIRROR=../shared build/bench/depth_speed
//
// Network alone (LibTorch backend vs the same float network in OpenCV's dnn
// module and the int8 network on XNNPACK, same process, same inputs) and end to end in batch mode: decode
// JPEG -> depth -> edge-aware upsampling -> write npy + png16 + colour PNG,
// per image, for each backend and for one writer against one per core; the
// 16-bit PNG encoder against libpng; the colour picture as a palette PNG
// against an RGB one. Batch rows time one pass over the 8 photos
// (divide by the 'images' counter); medians over 5 repetitions.
#include <benchmark/benchmark.h>

#include "bench/bench_data.h"

#include <filesystem>

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "depthforge/estimate/depth_batch.h"
#include "depthforge/estimate/network_estimator.h"
#include "depthforge/io/depth_io.h"
#include "depthforge/io/image_io.h"
#include "depthforge/io/png_writer.h"
#include "depthforge/models/network.h"
#include "depthforge/models/torch_network.h"

namespace fs = std::filesystem;
using namespace depthforge;

namespace {

void BM_NetworkAlone(benchmark::State& state, Backend backend, int threads) {
  ConfigureTorchThreads(threads);
  std::unique_ptr<Network> network = CreateNetwork(bench::DefaultModel(), backend, threads);
  cv::Mat3f input(224, 224, cv::Vec3f(0.4f, 0.5f, 0.6f));
  cv::randu(input, 0.f, 1.f);
  network->Forward({input});  // warm up
  for (auto _ : state) benchmark::DoNotOptimize(network->Forward({input}));
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK_CAPTURE(BM_NetworkAlone, torch_224x224, Backend::kTorch, 0)->Unit(benchmark::kMillisecond)->MinTime(2.0)->UseRealTime()->Repetitions(5);
BENCHMARK_CAPTURE(BM_NetworkAlone, opencv_dnn_224x224, Backend::kOpenCv, 0)->Unit(benchmark::kMillisecond)->MinTime(2.0)->UseRealTime()->Repetitions(5);
BENCHMARK_CAPTURE(BM_NetworkAlone, xnnpack_int8_224x224, Backend::kXnnpack, 0)->Unit(benchmark::kMillisecond)->MinTime(2.0)->UseRealTime()->Repetitions(5);
BENCHMARK_CAPTURE(BM_NetworkAlone, torch_224x224_1_thread, Backend::kTorch, 1)->Unit(benchmark::kMillisecond)->MinTime(2.0)->UseRealTime()->Repetitions(5);
BENCHMARK_CAPTURE(BM_NetworkAlone, xnnpack_int8_224x224_1_thread, Backend::kXnnpack, 1)->Unit(benchmark::kMillisecond)->MinTime(2.0)->UseRealTime()->Repetitions(5);

void BM_EndToEndBatch(benchmark::State& state, Backend backend, int threads, int writers = 0) {
  EstimatorOptions options;
  options.backend = backend;
  options.threads = threads;
  NetworkDepthEstimator estimator(bench::DefaultModel(), bench::DefaultSpec(), options);
  DepthBatchOptions batch;
  batch.output_dir = (fs::temp_directory_path() / "depthforge-bench-out").string();
  batch.formats = {DepthFormat::kNpy, DepthFormat::kPng16, DepthFormat::kColor};
  batch.show_progress = false;
  batch.writers = writers;
  const auto& photos = bench::Photos640x480();
  RunDepthBatch(estimator, photos, batch);  // warm up
  for (auto _ : state) {
    DepthBatchReport report = RunDepthBatch(estimator, photos, batch);
    if (report.succeeded != int(photos.size())) state.SkipWithError("an image failed");
  }
  // Time per iteration / images per iteration = time per image.
  state.SetItemsProcessed(int64_t(state.iterations() * photos.size()));
  state.counters["images"] = double(photos.size());
}
BENCHMARK_CAPTURE(BM_EndToEndBatch, torch_640x480_all_cores, Backend::kTorch, 0)
    ->Unit(benchmark::kMillisecond)->MinTime(2.0)->UseRealTime()->Repetitions(5);
BENCHMARK_CAPTURE(BM_EndToEndBatch, torch_640x480, Backend::kTorch, RecommendedInferenceThreads(8))->Unit(benchmark::kMillisecond)->MinTime(2.0)->UseRealTime()->Repetitions(5);
BENCHMARK_CAPTURE(BM_EndToEndBatch, xnnpack_int8_640x480, Backend::kXnnpack, RecommendedInferenceThreads(8))->Unit(benchmark::kMillisecond)->MinTime(2.0)->UseRealTime()->Repetitions(5);
// One writer (the batch before 2026-12-01) against one per core (the default).
BENCHMARK_CAPTURE(BM_EndToEndBatch, onednn_int8_640x480_1_writer, Backend::kOneDnn, RecommendedInferenceThreads(8), 1)->Unit(benchmark::kMillisecond)->MinTime(2.0)->UseRealTime()->Repetitions(5);
BENCHMARK_CAPTURE(BM_EndToEndBatch, onednn_int8_640x480, Backend::kOneDnn, RecommendedInferenceThreads(8))->Unit(benchmark::kMillisecond)->MinTime(2.0)->UseRealTime()->Repetitions(5);
BENCHMARK_CAPTURE(BM_EndToEndBatch, opencv_dnn_640x480, Backend::kOpenCv, 0)->Unit(benchmark::kMillisecond)->MinTime(2.0)->UseRealTime()->Repetitions(5);

// Writing the 16-bit millimetre PNG of a real 640x480 depth map: our encoder
// (one fixed filter, zlib level 1) against OpenCV's libpng at level 1.
const cv::Mat1w& MillimetreDepth() {
  static const cv::Mat1w depth = [] {
    NetworkDepthEstimator estimator(bench::DefaultModel(), bench::DefaultSpec(), {});
    cv::Mat1f metres = estimator.Estimate(ReadImage(bench::Photos640x480()[0].path)).values;
    cv::Mat1w mm;
    metres.convertTo(mm, CV_16U, 1000.0);
    return mm;
  }();
  return depth;
}

void BM_Png16(benchmark::State& state, bool ours) {
  const cv::Mat1w& depth = MillimetreDepth();
  size_t bytes = 0;
  for (auto _ : state) {
    if (ours) {
      bytes = EncodePng(depth).size();
    } else {
      std::vector<uchar> buffer;
      cv::imencode(".png", depth, buffer, {cv::IMWRITE_PNG_COMPRESSION, 1});
      bytes = buffer.size();
    }
  }
  state.counters["bytes"] = double(bytes);
}
BENCHMARK_CAPTURE(BM_Png16, depthforge_encoder, true)->Unit(benchmark::kMillisecond)->UseRealTime()->Repetitions(5);
BENCHMARK_CAPTURE(BM_Png16, opencv_libpng_level1, false)->Unit(benchmark::kMillisecond)->UseRealTime()->Repetitions(5);

// The colour picture of that map: the palette PNG `depth` writes against an
// RGB PNG of the same pixels (both with the colouring and the file write).
void BM_ColorPng(benchmark::State& state, bool palette) {
  DepthMap depth;
  MillimetreDepth().convertTo(depth.values, CV_32F, 1e-3);
  const std::string path = (fs::temp_directory_path() / "depthforge-bench.color.png").string();
  for (auto _ : state) {
    if (palette) {
      WriteDepth(path, depth, DepthFormat::kColor);
    } else {
      WritePng(path, ColorizeDepth(depth));
    }
  }
  state.counters["bytes"] = double(fs::file_size(path));
  fs::remove(path);
}
BENCHMARK_CAPTURE(BM_ColorPng, palette, true)->Unit(benchmark::kMillisecond)->UseRealTime()->Repetitions(5);
BENCHMARK_CAPTURE(BM_ColorPng, rgb, false)->Unit(benchmark::kMillisecond)->UseRealTime()->Repetitions(5);

}  // namespace

BENCHMARK_MAIN();
