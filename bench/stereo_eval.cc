// Stereo matching accuracy on the Middlebury pairs with ground truth, ours
// against OpenCV's StereoSGBM with default settings, in the same run:
//   build/bench/stereo_eval [MIRROR_DIR]
// bad-1 / bad-2: % of ground-truth pixels whose estimate is off by more than
// 1 / 2 px or missing; EPE: mean error over the pixels with an estimate.
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>

#include <opencv2/imgcodecs.hpp>

#include "depthforge/io/image_io.h"
#include "depthforge/io/npy.h"
#include "depthforge/eval/disparity_metrics.h"
#include "depthforge/stereo/stereo_matcher.h"

using namespace depthforge;
namespace fs = std::filesystem;

int main(int argc, char** argv) {
  std::string mirror = argc > 1 ? argv[1] : (getenv("DEPTHFORGE_MIRROR") ? getenv("DEPTHFORGE_MIRROR") : "../shared");
  fs::path stereo = fs::path(mirror) / "data" / "stereo";
  struct Pair { std::string name; cv::Mat3b left, right; cv::Mat1f truth; int max_disparity, border; };
  std::vector<Pair> pairs;
  for (auto [name, l, r, d, scale, range, border] : {std::tuple{"tsukuba", "im3.png", "im4.png", "disp3.pgm", 16.0, 16, 18},
                                                      std::tuple{"venus", "im2.png", "im6.png", "disp2.pgm", 8.0, 32, 10}}) {
    fs::path dir = stereo / "middlebury2001" / name;
    Pair p{name, ReadImage((dir / l).string()), ReadImage((dir / r).string()), {}, range, border};
    cv::Mat raw = cv::imread((dir / d).string(), cv::IMREAD_UNCHANGED);
    raw.convertTo(p.truth, CV_32F, 1.0 / scale);
    pairs.push_back(p);
  }
  {
    fs::path dir = stereo / "middlebury2014_motorcycle";
    Pair p{"motorcycle", ReadImage((dir / "motorcycle_left.png").string()), ReadImage((dir / "motorcycle_right.png").string()),
           ReadNpz((dir / "motorcycle_disp.npz").string())["arr_0"].ToFloatMat("disp"), 0, 0};
    double lo, hi;
    cv::Mat1f finite = p.truth.clone();
    for (auto& v : finite) if (!std::isfinite(v)) v = 0;
    cv::minMaxLoc(finite, &lo, &hi);
    p.max_disparity = int(std::ceil(hi)) + 1;
    pairs.push_back(p);
  }
  // bad-1/bad-2/EPE/density skip Middlebury's evaluation border; "bad-2 all"
  // counts every ground-truth pixel, the left border that the right camera
  // does not see included (unknown output counts as bad).
  std::printf("| pair | method | bad-1 %% | bad-2 %% | EPE px | density %% | bad-2 all %% | time ms |\n"
              "|---|---|---|---|---|---|---|---|\n");
  for (const Pair& p : pairs) {
    auto run = [&](const std::string& method, auto&& match) {
      auto start = std::chrono::steady_clock::now();
      cv::Mat1f estimate = match();
      double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
      DisparityErrors e = CompareDisparity(estimate, p.truth, p.border);
      DisparityErrors all = CompareDisparity(estimate, p.truth, 0);
      std::printf("| %s | %s | %.2f | %.2f | %.3f | %.1f | %.2f | %.0f |\n", p.name.c_str(), method.c_str(), e.bad1,
                  e.bad2, e.epe, e.density, all.bad2, ms);
    };
    run("OpenCV StereoSGBM, default settings", [&] { return MatchStereoPlainSgbm(p.left, p.right, p.max_disparity); });
    StereoMatchOptions options;
    options.max_disparity = p.max_disparity;
    run("depthforge (SGBM 3-way + LR check + WLS fill, default)", [&] { return MatchStereo(p.left, p.right, options).disparity; });
    StereoMatchOptions unfilled = options;
    unfilled.fill = false;
    run("depthforge --no-fill (consistent pixels only)", [&] { return MatchStereo(p.left, p.right, unfilled).disparity; });
    StereoMatchOptions eight = options;
    eight.eight_paths = true;
    run("depthforge, 8 paths (--eight-paths)", [&] { return MatchStereo(p.left, p.right, eight).disparity; });
  }
  // Metric depth of the motorcycle from its calibration, against the depth
  // of the ground-truth disparity: depth = baseline * f / (d + doffs).
  {
    const Pair& p = pairs.back();
    StereoMatchOptions options;
    options.max_disparity = p.max_disparity;
    cv::Mat1f ours = DepthFromDisparity(MatchStereo(p.left, p.right, options).disparity, 994.978, 0.193001, 31.086);
    cv::Mat1f truth = DepthFromDisparity(p.truth, 994.978, 0.193001, 31.086);
    cv::Mat1f plain = DepthFromDisparity(MatchStereoPlainSgbm(p.left, p.right, p.max_disparity), 994.978, 0.193001, 31.086);
    auto score = [&](const cv::Mat1f& depth) {
      double abs_rel = 0, n = 0, within = 0;
      for (int y = 0; y < truth.rows; ++y)
        for (int x = 0; x < truth.cols; ++x) {
          float g = truth(y, x), d = depth(y, x);
          if (!std::isfinite(g) || !std::isfinite(d)) continue;
          abs_rel += std::abs(d - g) / g;
          within += std::abs(d - g) / g < 0.01;
          n += 1;
        }
      std::printf("%.4f mean relative depth error, %.1f%% of pixels within 1%%, over %.0f pixels\n", abs_rel / n, 100 * within / n, n);
    };
    std::printf("\nmotorcycle metric depth (f = 994.978 px, baseline 193.001 mm, doffs 31.086 px), against the ground truth's depth:\n");
    std::printf("- depthforge: ");
    score(ours);
    std::printf("- OpenCV StereoSGBM default: ");
    score(plain);
  }
  return 0;
}
