// Temporal flicker of video depth on the real clips of the shared data:
// OPW (flow-warped temporal error of median/MAD-normalised nearness, lower
// is steadier) and the agreement with per-frame depth (mean AbsRel after
// median scaling; the price of steadiness), for per-frame depth, each
// stabiliser and a naive per-pixel running average of consecutive frames.
// Writes frame strips (photo, per-frame depth, steadied depth) to the
// folder given.
//
//   DEPTHFORGE_MIRROR=../shared build/bench/video_flicker ../shared docs/images/video
#include <cstdio>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "bench/bench_data.h"
#include "depthforge/estimate/network_estimator.h"
#include "depthforge/eval/depth_metrics.h"
#include "depthforge/eval/evaluate.h"
#include "depthforge/video/depth_stabilizer.h"
#include "depthforge/video/video_reader.h"

namespace fs = std::filesystem;
using namespace depthforge;

namespace {

cv::Mat3b Colored(const cv::Mat1f& nearness, float lo, float hi) {
  cv::Mat1b grey;
  nearness.convertTo(grey, CV_8U, 255.0 / (hi - lo), -255.0 * lo / (hi - lo));
  cv::Mat3b out;
  cv::applyColorMap(grey, out, cv::COLORMAP_INFERNO);
  return out;
}

struct Row {
  std::string name;
  double opw = 0, absrel = 0;
};

}  // namespace

int main(int argc, char** argv) {
  const std::string mirror = argc > 1 ? argv[1] : "../shared";
  const std::string images = argc > 2 ? argv[2] : "";
  const int max_frames = 120;
  EstimatorOptions estimator_options;
  estimator_options.framing = Framing::kFullImage;  // as `depthforge video`
  NetworkDepthEstimator estimator(bench::DefaultModel(), bench::DefaultSpec(), estimator_options);
  for (const std::string clip : {"tree.avi", "vtest.avi"}) {
    VideoReader reader((fs::path(mirror) / "data" / "video" / clip).string());
    std::vector<cv::Mat3b> frames;
    std::vector<cv::Mat1f> raw;
    VideoFrame frame;
    while (int(frames.size()) < max_frames && reader.Read(frame)) {
      cv::Mat3b image = frame.image;
      if (image.cols > 400) cv::resize(image, image, {image.cols / 2, image.rows / 2}, 0, 0, cv::INTER_AREA);
      frames.push_back(image.clone());
      raw.push_back(NearnessMap(estimator.Estimate(image)));
    }
    std::vector<Row> rows;
    auto measure = [&](const std::string& name, const std::function<cv::Mat1f(size_t)>& steady) {
      FlickerMeter meter;
      double absrel = 0;
      std::vector<cv::Mat1f> out;
      for (size_t i = 0; i < frames.size(); ++i) {
        cv::Mat1f n = steady(i);
        meter.Add(frames[i], n);
        absrel += AbsRelAfterMedianScaling(n, raw[i]);
      }
      rows.push_back({name, meter.opw(), absrel / double(frames.size())});
    };
    measure("per-frame depth", [&](size_t i) { return raw[i]; });
    std::vector<cv::Mat1f> flow_out(frames.size());
    for (Stabilize mode : {Stabilize::kRange, Stabilize::kFlow}) {
      StabilizerOptions options;
      options.mode = mode;
      DepthStabilizer stabilizer(options);
      int cuts = 0;
      measure("--stabilize " + StabilizeNames().Name(mode), [&](size_t i) {
        StabilizedFrame s = stabilizer.Add(frames[i], raw[i]);
        cuts += s.scene_cut;
        if (mode == Stabilize::kFlow) flow_out[i] = s.nearness;
        return s.nearness;
      });
      rows.back().name += cuts ? " (" + std::to_string(cuts) + " cuts)" : "";
    }
    // Variants of the flow stabiliser (the default above).
    struct Variant { std::string name; std::function<void(StabilizerOptions&)> set; };
    for (const Variant& v : {Variant{"flow weight 0.9", [](StabilizerOptions& o) { o.flow_weight = 0.9; }},
                             Variant{"flow weight 0.7", [](StabilizerOptions& o) { o.flow_weight = 0.7; }},
                             Variant{"flow at 512 px", [](StabilizerOptions& o) { o.flow_width = 512; }},
                             Variant{"photometric sigma 20", [](StabilizerOptions& o) { o.photometric_sigma = 20; }},
                             Variant{"photometric sigma 5", [](StabilizerOptions& o) { o.photometric_sigma = 5; }}}) {
      StabilizerOptions options;
      v.set(options);
      DepthStabilizer stabilizer(options);
      measure("--stabilize flow, " + v.name, [&](size_t i) { return stabilizer.Add(frames[i], raw[i]).nearness; });
    }
    for (double weight : {0.3, 0.5, 0.7, 0.8, 0.9}) {
      cv::Mat1f running;
      char name[64];
      std::snprintf(name, sizeof name, "naive running average, previous weight %.1f", weight);
      measure(name, [&](size_t i) {
        running = i == 0 ? raw[i].clone() : cv::Mat1f((1 - weight) * raw[i] + weight * running);
        return running;
      });
    }
    // The range the parallax is spread over: per frame, running average,
    // and running average looking ahead. Pumping: mean change from frame to
    // frame; tracking: mean distance from the frame's own range; both in
    // units of the clip's mean span.
    std::vector<NearnessRange> own, causal, ahead;
    {
      StabilizerOptions options;
      options.mode = Stabilize::kRange;
      DepthStabilizer stabilizer(options);
      RangeLookAhead<size_t> look_ahead(options.look_ahead);
      std::vector<std::pair<size_t, NearnessRange>> ready;
      for (size_t i = 0; i < frames.size(); ++i) {
        own.push_back(MeasureNearnessRange(raw[i]));
        StabilizedFrame s = stabilizer.Add(frames[i], raw[i]);
        causal.push_back(s.range);
        look_ahead.Add(i, s.range, s.scene_cut, ready);
      }
      look_ahead.Finish(ready);
      for (auto& [i, range] : ready) ahead.push_back(range);
    }
    double span = 0;
    for (const NearnessRange& r : own) span += (r.near - r.far) / double(own.size());
    auto report = [&](const char* name, const std::vector<NearnessRange>& used) {
      double pumping = 0, tracking = 0;
      for (size_t i = 0; i < used.size(); ++i) {
        if (i > 0) pumping += (std::abs(used[i].near - used[i - 1].near) + std::abs(used[i].far - used[i - 1].far)) / 2;
        tracking += (std::abs(used[i].near - own[i].near) + std::abs(used[i].far - own[i].far)) / 2;
      }
      std::printf("| %s | %.4f | %.4f |\n", name, pumping / double(used.size() - 1) / span, tracking / double(used.size()) / span);
    };
    std::printf("\n%s, the range parallax is spread over:\n\n| range | pumping | tracking error |\n|---|---|---|\n", clip.c_str());
    report("per frame", own);
    report("running average (0.1)", causal);
    report("running average, 9 frames look-ahead", ahead);

    std::printf("\n%s: %zu frames of %dx%d\n\n| depth | OPW | AbsRel vs per-frame |\n|---|---|---|\n", clip.c_str(),
                frames.size(), frames[0].cols, frames[0].rows);
    for (const Row& row : rows) std::printf("| %s | %.4f | %.4f |\n", row.name.c_str(), row.opw, row.absrel);
    if (!images.empty()) {
      // Six consecutive frames from the middle: photo, per-frame, steadied.
      const size_t first = frames.size() / 2, count = 6;
      double lo = 1e9, hi = -1e9;
      for (size_t i = first; i < first + count; ++i) {
        double a, b;
        cv::minMaxLoc(raw[i], &a, &b);
        lo = std::min(lo, a), hi = std::max(hi, b);
      }
      std::vector<cv::Mat3b> photo_row, raw_row, flow_row;
      for (size_t i = first; i < first + count; ++i) {
        photo_row.push_back(frames[i]);
        raw_row.push_back(Colored(raw[i], float(lo), float(hi)));
        flow_row.push_back(Colored(flow_out[i], float(lo), float(hi)));
      }
      cv::Mat3b a, b, c, strip;
      cv::hconcat(photo_row, a);
      cv::hconcat(raw_row, b);
      cv::hconcat(flow_row, c);
      cv::vconcat(std::vector<cv::Mat3b>{a, b, c}, strip);
      if (strip.cols > 1800) cv::resize(strip, strip, {}, 0.5, 0.5, cv::INTER_AREA);
      fs::create_directories(images);
      const std::string path = (fs::path(images) / (fs::path(clip).stem().string() + "_strip.png")).string();
      cv::imwrite(path, strip);
      std::printf("\nstrip: %s\n", path.c_str());
    }
  }
  return 0;
}
