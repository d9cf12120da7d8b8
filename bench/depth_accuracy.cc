// Accuracy of the depth pipeline on real RGB-D frames, for choosing the
// framing, inference size and upsampling by measurement.
//
//   build/bench/depth_accuracy [MIRROR_DIR]
//
// Frames (from the shared data mirror): the NYU Depth v2 raw frame (Eigen
// crop), the TUM and SUN RGB-D frames (whole frame); ground truth 0.001-10 m,
// no scale alignment. Prints a Markdown table: AbsRel, RMSE, delta1 per
// frame and their mean, for each configuration.
#include <cstdio>
#include <filesystem>
#include <functional>

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "depthforge/estimate/joint_bilateral_upsample.h"
#include "depthforge/estimate/network_estimator.h"
#include "depthforge/eval/depth_metrics.h"
#include "depthforge/io/image_io.h"
#include "depthforge/io/npy.h"
#include "depthforge/io/rgbd_io.h"
#include "depthforge/models/model_registry.h"
#include "depthforge/models/model_store.h"

using namespace depthforge;
namespace fs = std::filesystem;

struct Frame {
  std::string name;
  cv::Mat3b image;
  cv::Mat1f depth;
  bool eigen_crop;
};

struct Config {
  std::string name;
  EstimatorOptions options;
};

int main(int argc, char** argv) {
  std::string mirror = argc > 1 ? argv[1] : (getenv("DEPTHFORGE_MIRROR") ? getenv("DEPTHFORGE_MIRROR") : "../shared");
  fs::path rgbd = fs::path(mirror) / "data" / "rgbd" / "other_formats";
  std::vector<Frame> frames = {
      {"NYU", ReadImage((rgbd / "NYU_color.ppm").string()), ReadNyuRawDepth((rgbd / "NYU_depth.pgm").string()), true},
      {"TUM", ReadImage((rgbd / "TUM_color.png").string()), ReadTumDepth((rgbd / "TUM_depth.png").string()), false},
      {"SUN", ReadImage((rgbd / "SUN_color.jpg").string()), ReadSunDepth((rgbd / "SUN_depth.png").string()), false},
  };
  ModelStoreOptions store_options = ModelStoreOptions::FromEnvironment();
  store_options.mirror_dir = mirror;
  ModelStore store(store_options);
  const ModelSpec& spec = ModelRegistry::Builtin().Find("fastdepth-nyu");
  TfliteModel model = ReadTflite(store.Ensure(spec).path);

  // The FastDepth sample (a 224x224 NYU test image already framed as in
  // training): the imported network against the authors' own prediction
  // and both against the ground truth.
  {
    fs::path sample = fs::path(mirror) / "data" / "fastdepth_sample";
    cv::Mat rgb = ReadNpy((sample / "rgb.npy").string()).ToFloatMat("rgb.npy");
    cv::Mat1f truth = ReadNpy((sample / "depth.npy").string()).ToFloatMat("depth.npy");
    cv::Mat1f authors = ReadNpy((sample / "pred.npy").string()).ToFloatMat("pred.npy");
    NetworkDepthEstimator estimator(model, spec, {});
    cv::Mat1f ours = estimator.RunNetwork(rgb);
    DepthMetrics m_ours = ComputeDepthMetrics(ours, truth), m_authors = ComputeDepthMetrics(authors, truth);
    std::printf("FastDepth sample: Pearson r(ours, authors) = %.5f, mean |ours - authors| = %.4f m\n",
                PearsonCorrelation(ours, authors), cv::mean(cv::abs(ours - authors))[0]);
    std::printf("| FastDepth sample vs ground truth | AbsRel | RMSE | d1 |\n|---|---|---|---|\n");
    std::printf("| authors' prediction (pred.npy) | %.3f | %.3f | %.3f |\n", m_authors.abs_rel, m_authors.rmse, m_authors.delta1);
    std::printf("| depthforge import | %.3f | %.3f | %.3f |\n\n", m_ours.abs_rel, m_ours.rmse, m_ours.delta1);
  }

  std::vector<Config> configs;
  auto add = [&](std::string name, std::function<void(EstimatorOptions&)> change) {
    EstimatorOptions options;
    change(options);
    configs.push_back({std::move(name), options});
  };
  add("default: training crop + whole-photo border, edge-aware (int8, XNNPACK)", [](auto&) {});
  add("the same in float (LibTorch)", [](auto& o) { o.backend = Backend::kTorch; });
  add("training crop + whole-photo border at half resolution, edge-aware", [](auto& o) { o.border_resolution = 0.5; });
  add("training crop + whole-photo border at 0.75 resolution, edge-aware", [](auto& o) { o.border_resolution = 0.75; });
  add("training crop + whole-photo border, bilinear", [](auto& o) { o.upsample.enabled = false; });
  add("training crop + whole-photo border, edge-aware, flip TTA", [](auto& o) { o.flip_tta = true; });
  add("whole photo at training scale (246x246), edge-aware", [](auto& o) { o.framing = Framing::kFullImage; });
  add("whole photo at training scale, edge-aware, float (LibTorch)", [](auto& o) {
    o.framing = Framing::kFullImage; o.backend = Backend::kTorch; });
  add("whole photo at training scale, edge-aware, flip TTA", [](auto& o) { o.framing = Framing::kFullImage; o.flip_tta = true; });
  add("whole photo squeezed to 224x224, edge-aware", [](auto& o) {
    o.framing = Framing::kFullImage; o.inference_width = 224; o.inference_height = 224; });
  add("whole photo squeezed to 256x256, edge-aware", [](auto& o) {
    o.framing = Framing::kFullImage; o.inference_width = 256; o.inference_height = 256; });
  add("whole photo at 320x256 (aspect kept), edge-aware", [](auto& o) {
    o.framing = Framing::kFullImage; o.inference_width = 320; o.inference_height = 256; });

  // Every configuration is scored on the same pixels: the Eigen crop of the
  // 640x480 frame.
  auto score = [&](const cv::Mat1f& prediction, const Frame& frame) {
    EvalRegion region;
    region.crop = EigenCrop(frame.depth.size());
    return ComputeDepthMetrics(prediction, frame.depth, region);
  };
  std::printf("| configuration |");
  for (const auto& f : frames) std::printf(" %s AbsRel | %s RMSE | %s d1 |", f.name.c_str(), f.name.c_str(), f.name.c_str());
  std::printf(" mean AbsRel | mean RMSE | mean d1 |\n|---|");
  for (size_t i = 0; i < frames.size() * 3 + 3; ++i) std::printf("---|");
  std::printf("\n");
  auto print_row = [&](const std::string& name, const std::function<cv::Mat1f(const Frame&)>& predict) {
    double sum_abs_rel = 0, sum_rmse = 0, sum_d1 = 0;
    std::printf("| %s |", name.c_str());
    for (const Frame& frame : frames) {
      DepthMetrics m = score(predict(frame), frame);
      std::printf(" %.3f | %.3f | %.3f |", m.abs_rel, m.rmse, m.delta1);
      sum_abs_rel += m.abs_rel; sum_rmse += m.rmse; sum_d1 += m.delta1;
    }
    double n = double(frames.size());
    std::printf(" %.3f | %.3f | %.3f |\n", sum_abs_rel / n, sum_rmse / n, sum_d1 / n);
    std::fflush(stdout);
  };
  // FastDepth's own validation preprocessing, as its reference code does it:
  // resize to 250 rows, centre-crop 228x304, resize to 224x224; the output is
  // resized back over the crop (bilinear).
  {
    NetworkDepthEstimator estimator(model, spec, {});
    print_row("reference: FastDepth validation crop, bilinear", [&](const Frame& frame) {
      double scale = frame.image.rows / 250.0;
      cv::Rect crop(int(std::lround((frame.image.cols - 304 * scale) / 2)), int(std::lround((frame.image.rows - 228 * scale) / 2)),
                    int(std::lround(304 * scale)), int(std::lround(228 * scale)));
      cv::Mat3b framed;
      cv::resize(frame.image(crop), framed, {224, 224}, 0, 0, cv::INTER_AREA);
      cv::cvtColor(framed, framed, cv::COLOR_BGR2RGB);
      cv::Mat3f input;
      framed.convertTo(input, CV_32F, 1.0 / 255);
      cv::Mat1f out = estimator.RunNetwork(input), placed, full;
      cv::resize(out, placed, crop.size(), 0, 0, cv::INTER_LINEAR);
      // The Eigen crop reaches 12 rows below the validation crop: extend the
      // prediction there by repeating its edge.
      cv::copyMakeBorder(placed, full, crop.y, frame.image.rows - crop.y - crop.height, crop.x,
                         frame.image.cols - crop.x - crop.width, cv::BORDER_REPLICATE);
      return full;
    });
  }
  for (const Config& config : configs) {
    NetworkDepthEstimator estimator(model, spec, config.options);
    print_row(config.name, [&](const Frame& frame) { return estimator.Estimate(frame.image).values; });
  }

  // Upsampling alone, on Middlebury scenes whose ground-truth disparity is
  // dense and aligned with the image: the disparity is reduced by the factor
  // a 640-pixel photo has over a 224-pixel network output (area averaging,
  // as a network's receptive field blurs), brought back by each upsampler,
  // and compared with the full-resolution ground truth: RMSE over all known
  // pixels and over depth-edge pixels (a neighbour differs by > 1 px).
  struct Scene { std::string name; cv::Mat3b image; cv::Mat1f disparity; };
  std::vector<Scene> scenes;
  fs::path middlebury = fs::path(mirror) / "data" / "stereo" / "middlebury2001";
  for (auto [name, image, disparity, scale] : {std::tuple{"tsukuba", "im3.png", "disp3.pgm", 16.0},
                                               std::tuple{"venus", "im2.png", "disp2.pgm", 8.0}}) {
    Scene scene{name, ReadImage((middlebury / name / image).string()), {}};
    cv::Mat raw = cv::imread((middlebury / name / disparity).string(), cv::IMREAD_UNCHANGED);
    raw.convertTo(scene.disparity, CV_32F, 1.0 / scale);
    scenes.push_back(scene);
  }
  const double factor = 640.0 / 224.0;
  std::printf("\n| upsampler (x%.2f) |", factor);
  for (const auto& sc : scenes) std::printf(" %s RMSE px | %s edge RMSE px |", sc.name.c_str(), sc.name.c_str());
  std::printf("\n|---|");
  for (size_t i = 0; i < scenes.size() * 2; ++i) std::printf("---|");
  std::printf("\n");
  struct Upsampler { std::string name; UpsampleOptions options; };
  std::vector<Upsampler> upsamplers;
  UpsampleOptions plain; plain.enabled = false;
  upsamplers.push_back({"bilinear", plain});
  for (int radius : {1, 2}) {
    for (double sigma_color : {6.0, 12.0, 24.0}) {
      for (double sigma_spatial : {0.5, 0.7, 1.0}) {
        UpsampleOptions o; o.radius = radius; o.sigma_color = sigma_color; o.sigma_spatial = sigma_spatial;
        o.flat_tolerance = 0;  // the filter at every pixel
        char name[96];
        std::snprintf(name, sizeof name, "joint bilateral, radius %d, colour sigma %.0f, spatial sigma %.1f", radius, sigma_color, sigma_spatial);
        upsamplers.push_back({name, o});
      }
    }
  }
  // The default, computing the weights only near depth edges.
  for (double tolerance : {0.01, 0.03, 0.05}) {
    UpsampleOptions o;
    o.flat_tolerance = tolerance;
    char name[96];
    std::snprintf(name, sizeof name, "default, bilinear where a window varies < %.0f %%", 100 * tolerance);
    upsamplers.push_back({name, o});
  }
  for (const Upsampler& up : upsamplers) {
    std::printf("| %s |", up.name.c_str());
    for (const Scene& scene : scenes) {
      cv::Size low_size(int(std::lround(scene.image.cols / factor)), int(std::lround(scene.image.rows / factor)));
      cv::Mat1f low;
      cv::resize(scene.disparity, low, low_size, 0, 0, cv::INTER_AREA);
      cv::Mat1f result = UpsampleDepth(low, scene.image, up.options, /*inverse=*/false);
      double sum = 0, edge_sum = 0;
      int count = 0, edge_count = 0;
      const int border = 10;  // Middlebury leaves the border unknown
      for (int y = border; y < scene.disparity.rows - border; ++y) {
        for (int x = border; x < scene.disparity.cols - border; ++x) {
          float g = scene.disparity(y, x);
          if (g <= 0) continue;
          double e = double(result(y, x)) - g;
          sum += e * e; ++count;
          float lo = g, hi = g;
          for (int dy = -1; dy <= 1; ++dy) for (int dx = -1; dx <= 1; ++dx) {
            float v = scene.disparity(y + dy, x + dx);
            if (v > 0) { lo = std::min(lo, v); hi = std::max(hi, v); }
          }
          if (hi - lo > 1.0f) { edge_sum += e * e; ++edge_count; }
        }
      }
      std::printf(" %.3f | %.3f |", std::sqrt(sum / count), std::sqrt(edge_sum / std::max(edge_count, 1)));
    }
    std::printf("\n");
  }
  return 0;
}
