// `depthforge eval` of the default model against an independent, naive
// computation of the metrics from the `depth` command's own output.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>

#include <nlohmann/json.hpp>
#include <opencv2/imgcodecs.hpp>

#include "depthforge/io/npy.h"
#include "depthforge/io/rgbd_io.h"
#include "depthforge/testing/test_util.h"
#include "depthforge/util/atomic_file.h"

namespace depthforge {
namespace {
namespace fs = std::filesystem;
using testing::RunCli;

struct Naive {
  double abs_rel = 0, rmse = 0, delta1 = 0, silog = 0;
};

// Written out longhand on purpose, sharing nothing with eval/depth_metrics.cc.
Naive NaiveMetrics(const cv::Mat& prediction, const cv::Mat& truth, int top, int bottom, int left, int right) {
  double n = 0, abs_rel = 0, squares = 0, good = 0, d_sum = 0, d_squares = 0;
  for (int y = top; y < bottom; ++y) {
    for (int x = left; x < right; ++x) {
      double g = truth.at<float>(y, x);
      if (!(g >= 1e-3 && g <= 10)) continue;
      double p = std::min(10.0, std::max(1e-3, double(prediction.at<float>(y, x))));
      n += 1;
      abs_rel += std::fabs(p - g) / g;
      squares += (p - g) * (p - g);
      if (std::max(p / g, g / p) < 1.25) good += 1;
      double d = std::log(p) - std::log(g);
      d_sum += d;
      d_squares += d * d;
    }
  }
  Naive m;
  m.abs_rel = abs_rel / n;
  m.rmse = std::sqrt(squares / n);
  m.delta1 = good / n;
  m.silog = 100 * std::sqrt(d_squares / n - (d_sum / n) * (d_sum / n));
  return m;
}

TEST(EvalCli, DefaultModelMatchesAnIndependentComputation) {
  DEPTHFORGE_REQUIRE_MIRROR_FILE(sample_rgb, "data/fastdepth_sample/rgb.png");
  DEPTHFORGE_REQUIRE_MIRROR_FILE(sample_depth, "data/fastdepth_sample/depth.npy");
  DEPTHFORGE_REQUIRE_MIRROR_FILE(nyu_color, "data/rgbd/other_formats/NYU_color.ppm");
  DEPTHFORGE_REQUIRE_MIRROR_FILE(nyu_depth, "data/rgbd/other_formats/NYU_depth.pgm");
  testing::TempDir dir;
  // NYU-format pairs: the raw Kinect frame converted to metres.
  WriteNpy(dir.File("nyu_depth.npy"), ReadNyuRawDepth(nyu_depth));
  WriteFileBytes(dir.File("nyu.csv"), "image,depth\n" + nyu_color + "," + dir.File("nyu_depth.npy") + "\n");
  WriteFileBytes(dir.File("sample.csv"), "image,depth\n" + sample_rgb + "," + sample_depth + "\n");

  struct Case { std::string csv, image, depth, crop; };
  for (const Case& c : {Case{dir.File("nyu.csv"), nyu_color, dir.File("nyu_depth.npy"), "eigen"},
                        Case{dir.File("sample.csv"), sample_rgb, sample_depth, "none"}}) {
    auto eval = RunCli("eval --data " + c.csv + " --crop " + c.crop + " -o " + dir.File("report.json") + " -q");
    ASSERT_EQ(eval.exit_code, 0) << eval.output;
    auto report = nlohmann::json::parse(ReadFileBytes(dir.File("report.json")))["metrics"];
    auto depth = RunCli("depth " + c.image + " -o " + dir.File("pred") + " --format npy -q");
    ASSERT_EQ(depth.exit_code, 0) << depth.output;
    cv::Mat prediction = ReadNpy(dir.File("pred/" + fs::path(c.image).stem().string() + ".npy")).ToFloatMat("p");
    cv::Mat truth = ReadNpy(c.depth).ToFloatMat("g");
    ASSERT_EQ(prediction.size(), truth.size());
    bool eigen = c.crop == "eigen";
    Naive naive = NaiveMetrics(prediction, truth, eigen ? 45 : 0, eigen ? 471 : truth.rows, eigen ? 41 : 0,
                               eigen ? 601 : truth.cols);
    EXPECT_NEAR(report["abs_rel"].get<double>(), naive.abs_rel, 1e-6) << c.csv;
    EXPECT_NEAR(report["rmse"].get<double>(), naive.rmse, 1e-6) << c.csv;
    EXPECT_NEAR(report["delta1"].get<double>(), naive.delta1, 1e-9) << c.csv;
    EXPECT_NEAR(report["silog"].get<double>(), naive.silog, 1e-4) << c.csv;
    std::printf("%s: AbsRel %.4f RMSE %.4f d1 %.4f\n", c.csv.c_str(), naive.abs_rel, naive.rmse, naive.delta1);
  }
}

}  // namespace
}  // namespace depthforge
