// Quality of the synthesised right view on Middlebury stereo pairs with
// ground-truth disparity:   build/bench/view_synthesis_eval [MIRROR_DIR]
//
// The right view is rendered from the left image and its true disparity
// (as `depthforge view --disparity ... --shift 1` does) and compared with
// the real right photo: PSNR and SSIM over the image, and over the
// disoccluded pixels (background that the left camera could not see behind
// a nearer object). Peers in the same run:
// the left image itself, a naive warp (nearest pixel, last write wins, no
// z-buffer, holes left black), our warp with OpenCV's Telea inpainting
// instead of our background fill, and variants of our own choices.
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <functional>

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "depthforge/eval/image_metrics.h"
#include "depthforge/io/image_io.h"
#include "depthforge/io/npy.h"
#include "depthforge/render/view_synthesis.h"

using namespace depthforge;
namespace fs = std::filesystem;

struct Pair {
  std::string name;
  cv::Mat3b left, right;
  cv::Mat1f disparity;  // NaN = unknown
  int border;           // ground truth leaves this many border pixels unknown
};

int main(int argc, char** argv) {
  std::string mirror = argc > 1 ? argv[1] : (getenv("DEPTHFORGE_MIRROR") ? getenv("DEPTHFORGE_MIRROR") : "../shared");
  fs::path stereo = fs::path(mirror) / "data" / "stereo";
  std::vector<Pair> pairs;
  auto middlebury2001 = [&](const std::string& name, const std::string& left, const std::string& right,
                            const std::string& disparity, double scale, int border) {
    fs::path dir = stereo / "middlebury2001" / name;
    Pair pair{name, ReadImage((dir / left).string()), ReadImage((dir / right).string()), {}, border};
    cv::Mat raw = cv::imread((dir / disparity).string(), cv::IMREAD_UNCHANGED);
    raw.convertTo(pair.disparity, CV_32F, 1.0 / scale);
    pair.disparity.setTo(std::nanf(""), raw == 0);
    pairs.push_back(pair);
  };
  middlebury2001("tsukuba", "im3.png", "im4.png", "disp3.pgm", 16.0, 18);
  middlebury2001("venus", "im2.png", "im6.png", "disp2.pgm", 8.0, 10);
  {
    fs::path dir = stereo / "middlebury2014_motorcycle";
    Pair pair{"motorcycle", ReadImage((dir / "motorcycle_left.png").string()),
              ReadImage((dir / "motorcycle_right.png").string()), {}, 0};
    pair.disparity = ReadNpz((dir / "motorcycle_disp.npz").string())["arr_0"].ToFloatMat("motorcycle_disp.npz");
    pair.disparity.setTo(std::nanf(""), pair.disparity != pair.disparity);  // keep NaN
    for (auto& d : cv::Mat1f(pair.disparity)) if (!std::isfinite(d)) d = std::nanf("");
    pairs.push_back(pair);
  }

  using Render = std::function<cv::Mat3b(const Pair&)>;
  auto ours = [](ViewSynthesisOptions options) {
    return Render([options](const Pair& p) { return SynthesizeView(p.left, p.disparity, 1.0, options).image; });
  };
  std::vector<std::pair<std::string, Render>> methods;
  methods.push_back({"left image unchanged", [](const Pair& p) { return p.left.clone(); }});
  {
    ViewSynthesisOptions naive;
    naive.z_buffer = false;
    naive.connect_surfaces = false;
    naive.edge_dilation = 0;
    naive.hole_fill = ViewSynthesisOptions::HoleFill::kNone;
    methods.push_back({"naive warp (no z-buffer, no hole filling)", ours(naive)});
  }
  {
    ViewSynthesisOptions o;
    o.hole_fill = ViewSynthesisOptions::HoleFill::kTelea;
    methods.push_back({"depthforge warp + OpenCV inpaint (Telea)", ours(o)});
  }
  {
    ViewSynthesisOptions o;
    o.connect_surfaces = false;
    methods.push_back({"depthforge, point splatting instead of surface spans", ours(o)});
  }
  {
    ViewSynthesisOptions o;
    o.edge_dilation = 0;
    methods.push_back({"depthforge, no foreground edge dilation", ours(o)});
  }
  {
    ViewSynthesisOptions o;
    o.edge_dilation = 2;
    methods.push_back({"depthforge, edge dilation 2 px", ours(o)});
  }
  for (int smoothing : {0, 4}) {
    ViewSynthesisOptions o;
    o.hole_smoothing = smoothing;
    methods.push_back({"depthforge, hole smoothing " + std::to_string(smoothing) + " rows", ours(o)});
  }
  methods.push_back({"depthforge (default)", ours({})});

  std::printf("| method |");
  for (const auto& p : pairs) std::printf(" %s PSNR | %s SSIM | %s disoccl. PSNR | %s disoccl. SSIM |", p.name.c_str(), p.name.c_str(), p.name.c_str(), p.name.c_str());
  std::printf("\n|---|");
  for (size_t i = 0; i < pairs.size() * 4; ++i) std::printf("---|");
  std::printf("\n");
  // Every method is scored on the same pixels: inside the ground truth's
  // known border, and the disoccluded pixels among them.
  std::vector<cv::Mat1b> all, holes, uncovered;
  for (const auto& p : pairs) {
    cv::Mat1b inside(p.left.size(), uchar(0));
    inside(cv::Rect(p.border, p.border, p.left.cols - 2 * p.border, p.left.rows - 2 * p.border)).setTo(255);
    all.push_back(inside);
    ViewSynthesisOptions o;
    o.hole_fill = ViewSynthesisOptions::HoleFill::kNone;
    SynthesizedView warped = SynthesizeView(p.left, p.disparity, 1.0, o);
    // Disoccluded: hole runs with surface on both sides of the row and a
    // depth step between them (not the band outside the left camera's view,
    // nor pixels whose ground truth is unknown).
    cv::Mat1b disoccluded(p.left.size(), uchar(0));
    for (int y = 0; y < warped.holes.rows; ++y) {
      int x = 0;
      while (x < warped.holes.cols) {
        if (!warped.holes(y, x)) { ++x; continue; }
        int start = x;
        while (x < warped.holes.cols && warped.holes(y, x)) ++x;
        if (start == 0 || x == warped.holes.cols) continue;
        float left = warped.disparity(y, start - 1), right = warped.disparity(y, x);
        if (std::abs(left - right) > 1.0f) disoccluded.row(y).colRange(start, x).setTo(255);
      }
    }
    holes.push_back(disoccluded & inside);
    uncovered.push_back(warped.holes & inside);
  }
  for (const auto& [name, render] : methods) {
    std::printf("| %s |", name.c_str());
    for (size_t i = 0; i < pairs.size(); ++i) {
      cv::Mat3b view = render(pairs[i]);
      std::printf(" %.2f | %.3f | %.2f | %.3f |", Psnr(view, pairs[i].right, all[i]), Ssim(view, pairs[i].right, all[i]),
                  Psnr(view, pairs[i].right, holes[i]), Ssim(view, pairs[i].right, holes[i]));
    }
    std::printf("\n");
  }
  for (size_t i = 0; i < pairs.size(); ++i) {
    std::printf("%s: %d disoccluded pixels (%.1f%%); %d uncovered in all (%.1f%%)\n", pairs[i].name.c_str(),
                cv::countNonZero(holes[i]), 100.0 * cv::countNonZero(holes[i]) / cv::countNonZero(all[i]),
                cv::countNonZero(uncovered[i]), 100.0 * cv::countNonZero(uncovered[i]) / cv::countNonZero(all[i]));
  }
  return 0;
}
