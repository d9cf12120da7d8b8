// Speed of photo-to-3D conversion on 640×480 photos (Google Benchmark).
//
//   DEPTHFORGE_MIRROR=../shared build/bench/convert_speed --benchmark_report_aggregates_only=true
//
// PhotoToOrbit: depth for one decoded photo + a 3-second 24 fps orbit video
// encoded to H.264 MP4; the peer renders the same 72 frames without
// encoding them. Batch: `convert --as hsbs` over 8 photos, per image, with
// `depth` (npy, png16, colour) over the same photos as the peer.
#include <benchmark/benchmark.h>

#include "bench/bench_data.h"

#include <cstdlib>
#include <filesystem>

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "depthforge/convert/photo_convert.h"
#include "depthforge/estimate/depth_batch.h"
#include "depthforge/estimate/network_estimator.h"
#include "depthforge/io/image_io.h"
#include "depthforge/render/camera.h"
#include "depthforge/util/atomic_file.h"
#include "depthforge/video/photo_video.h"

namespace fs = std::filesystem;
using namespace depthforge;

namespace {

void BM_PhotoToOrbit(benchmark::State& state, bool encode) {
  NetworkDepthEstimator estimator(bench::DefaultModel(), bench::DefaultSpec(), {});
  cv::Mat3b photo = ReadImage(bench::Photos640x480()[0].path);
  Intrinsics camera = IntrinsicsFromFov(photo.size(), 60);
  std::string path = (fs::temp_directory_path() / "depthforge-bench-orbit.mp4").string();
  for (auto _ : state) {
    DepthMap depth = estimator.Estimate(photo);
    if (encode) {
      WritePhotoVideo(path, photo, depth, camera, PhotoVideoKind::kOrbit, {});
    } else {
      RenderPhotoVideo(photo, depth, camera, PhotoVideoKind::kOrbit, {},
                       [](int, const cv::Mat3b& frame) { benchmark::DoNotOptimize(frame.data); });
    }
  }
}
BENCHMARK_CAPTURE(BM_PhotoToOrbit, depth_and_mp4, true)->Unit(benchmark::kMillisecond)->UseRealTime()->Iterations(3)->Repetitions(3);
BENCHMARK_CAPTURE(BM_PhotoToOrbit, depth_and_frames_only, false)->Unit(benchmark::kMillisecond)->UseRealTime()->Iterations(3)->Repetitions(3);

void BM_Batch(benchmark::State& state, bool half_sbs) {
  const auto& photos = bench::Photos640x480();
  EstimatorOptions options;
  options.threads = RecommendedInferenceThreads(photos.size());
  NetworkDepthEstimator estimator(bench::DefaultModel(), bench::DefaultSpec(), options);
  DepthBatchOptions batch;
  batch.output_dir = (fs::temp_directory_path() / "depthforge-bench-convert").string();
  batch.formats = {DepthFormat::kNpy, DepthFormat::kPng16, DepthFormat::kColor};
  batch.show_progress = false;
  ConvertOptions convert;
  convert.outputs = {ConvertOutput::kHalfSideBySide};
  PhotoOutputWriter writer = half_sbs ? PhotoOutputWriter([&](const BatchInput& input, const cv::Mat3b& photo, const DepthMap& depth) {
    return ConvertPhoto(photo, ReadFileBytes(input.path), depth, batch.output_dir, input.stem, convert);
  }) : DepthFormatWriter(batch.output_dir, batch.formats);
  RunDepthBatch(estimator, photos, batch, writer);  // warm up
  for (auto _ : state) {
    if (RunDepthBatch(estimator, photos, batch, writer).succeeded != int(photos.size())) state.SkipWithError("failed");
  }
  state.counters["images"] = double(photos.size());
}
BENCHMARK_CAPTURE(BM_Batch, half_sbs_640x480, true)->Unit(benchmark::kMillisecond)->UseRealTime()->MinTime(2.0)->Repetitions(5);
BENCHMARK_CAPTURE(BM_Batch, depth_formats_640x480, false)->Unit(benchmark::kMillisecond)->UseRealTime()->MinTime(2.0)->Repetitions(5);

}  // namespace

BENCHMARK_MAIN();
