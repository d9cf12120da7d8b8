// Cost of each stage of video conversion on one core, per frame: decode,
// depth (network framings, upsampling), render (eye sizes), compose, encode.
// It says where the time of `depthforge video` goes.
//
//   DEPTHFORGE_MIRROR=../shared build/bench/video_stages CLIP.mp4 [frames]
#include <chrono>
#include <cstdio>
#include <functional>

#include <opencv2/core.hpp>
#include <opencv2/imgproc.hpp>

#include "bench/bench_data.h"
#include "depthforge/estimate/network_estimator.h"
#include "depthforge/render/parallax.h"
#include "depthforge/render/stereo_layout.h"
#include "depthforge/video/depth_stabilizer.h"
#include "depthforge/video/video_reader.h"
#include "depthforge/video/video_writer.h"

using namespace depthforge;

namespace {

double MsPerFrame(int frames, const std::function<void(int)>& work) {
  auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < frames; ++i) work(i);
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count() / frames;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: video_stages CLIP [frames]\n");
    return 2;
  }
  const int wanted = argc > 2 ? std::atoi(argv[2]) : 60;
  cv::setNumThreads(1);
  std::vector<cv::Mat3b> frames;
  double decode_ms = 0;
  {
    VideoReader reader(argv[1]);
    VideoFrame frame;
    decode_ms = MsPerFrame(wanted, [&](int) {
      if (reader.Read(frame)) frames.push_back(frame.image.clone());
    });
  }
  const int n = int(frames.size());
  const cv::Size size = frames[0].size();
  std::printf("%d frames of %dx%d, one thread per stage, ms per frame\n", n, size.width, size.height);
  std::printf("decode                       %7.2f\n", decode_ms);

  // As `video --as hsbs` works: depth on the frame at half size (its own
  // shape), eyes at half width.
  const cv::Size depth_size(size.width / 2, size.height / 2), eye_size(size.width / 2, size.height);
  std::vector<cv::Mat3b> small(n), eyes(n);
  double scale_ms = MsPerFrame(n, [&](int i) {
    cv::resize(frames[i], small[i], depth_size, 0, 0, cv::INTER_AREA);
    cv::resize(frames[i], eyes[i], eye_size, 0, 0, cv::INTER_AREA);
  });
  std::printf("scale to depth and eye sizes %7.2f\n", scale_ms);
  std::vector<DepthMap> depths;
  auto estimate = [&](const char* label, EstimatorOptions options, bool keep) {
    options.threads = 1;
    NetworkDepthEstimator estimator(bench::DefaultModel(), bench::DefaultSpec(), options);
    estimator.Estimate(small[0]);  // warm-up
    double ms = MsPerFrame(n, [&](int i) {
      DepthMap depth = estimator.Estimate(small[i]);
      if (keep) depths.push_back(std::move(depth));
    });
    std::printf("%-28s %7.2f\n", label, ms);
  };
  EstimatorOptions full;
  full.framing = Framing::kFullImage;
  estimate("depth: full framing", full, true);
  EstimatorOptions crop;
  estimate("depth: crop framing", crop, false);
  full.upsample.enabled = false;
  estimate("depth: full, bilinear", full, false);

  std::vector<StabilizedFrame> steady(n);
  for (Stabilize mode : {Stabilize::kRange, Stabilize::kFlow}) {
    StabilizerOptions options;
    options.mode = mode;
    DepthStabilizer stabilizer(options);
    double ms = MsPerFrame(n, [&](int i) { steady[i] = stabilizer.Add(small[i], NearnessMap(depths[i])); });
    std::printf("stabilize %-18s %7.2f\n", StabilizeNames().Name(mode).c_str(), ms);
  }
  ParallaxOptions parallax;
  std::vector<StereoPair> pairs(n);
  double render_ms = MsPerFrame(n, [&](int i) {
    cv::Mat1f nearness;
    cv::resize(steady[i].nearness, nearness, eye_size, 0, 0, cv::INTER_LINEAR);
    pairs[i] = RenderStereoPair(eyes[i], DisparityFromNearness(nearness, parallax, steady[i].range), {});
  });
  std::printf("render: eyes at half width   %7.2f\n", render_ms);
  std::vector<cv::Mat3b> composed(n);
  double compose_ms = MsPerFrame(n, [&](int i) { cv::hconcat(pairs[i].left, pairs[i].right, composed[i]); });
  std::printf("compose half SBS             %7.2f\n", compose_ms);
  {
    // x264 runs its own threads; this is wall time per frame, flush included.
    auto start = std::chrono::steady_clock::now();
    VideoFileWriter writer("/tmp/depthforge-video-stages.mp4", composed[0].size(), 30, {});
    for (int i = 0; i < n; ++i) writer.WriteFrame(composed[i], i / 30.0);
    writer.Finish();
    double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count() / n;
    std::printf("encode x264 veryfast (wall)  %7.2f\n", ms);
  }
  return 0;
}
