#include "depthforge/eval/evaluate.h"

#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>

#include <nlohmann/json.hpp>

#include "depthforge/core/error.h"
#include "depthforge/estimate/fixed_depth.h"
#include "depthforge/io/npy.h"

#include <opencv2/imgcodecs.hpp>
#include "depthforge/testing/test_util.h"
#include "depthforge/io/rgbd_dataset.h"
#include "depthforge/util/atomic_file.h"

namespace depthforge {
namespace {

cv::Mat1f Ramp(int rows, int cols, float lo, float hi) {
  cv::Mat1f m(rows, cols);
  for (int y = 0; y < rows; ++y)
    for (int x = 0; x < cols; ++x) m(y, x) = lo + (hi - lo) * float(y * cols + x) / float(rows * cols - 1);
  return m;
}

TEST(Alignment, RecoversScaleAndShiftExactly) {
  cv::Mat1f truth = Ramp(8, 8, 1.f, 5.f);
  cv::Mat1b all(8, 8, uchar(255));
  // Median scaling undoes a pure scale.
  cv::Mat1f scaled = truth * 0.5f;
  EXPECT_LT(cv::norm(AlignPrediction(scaled, DepthKind::kMetricDepth, truth, all, Alignment::kMedian), truth, cv::NORM_INF), 1e-4);
  // Least squares undoes scale + shift in depth.
  cv::Mat1f affine = truth * 2.f + 0.7f;
  EXPECT_LT(cv::norm(AlignPrediction(affine, DepthKind::kMetricDepth, truth, all, Alignment::kLeastSquares), truth, cv::NORM_INF), 1e-4);
  // ...and in inverse depth, for a relative inverse-depth (MiDaS-like) map.
  cv::Mat1f inverse(8, 8);
  for (int i = 0; i < 64; ++i) inverse(i / 8, i % 8) = 3.f / truth(i / 8, i % 8) + 0.2f;
  cv::Mat1f back = AlignPrediction(inverse, DepthKind::kRelativeInverseDepth, truth, all, Alignment::kLeastSquaresDisparity);
  EXPECT_LT(cv::norm(back, truth, cv::NORM_INF), 1e-3);
  EXPECT_THROW(AlignPrediction(inverse, DepthKind::kRelativeInverseDepth, truth, all, Alignment::kNone), OptionError);
}

// Two images with hand-computed metrics; the report is their mean.
TEST(EvaluateDataset, MeansPerImageMetricsAndWritesReports) {
  testing::TempDir dir;
  cv::Mat1f truth(4, 4, 2.f);
  WriteNpy(dir.File("d.npy"), truth);
  cv::imwrite(dir.File("a.png"), cv::Mat3b(4, 4, cv::Vec3b(0, 0, 0)));
  WriteFileBytes(dir.File("pairs.csv"), "image,depth\na.png,d.npy\na.png,d.npy\n");
  DepthMap prediction;
  prediction.values = cv::Mat1f(4, 4, 2.f);
  prediction.values.rowRange(0, 2).setTo(3.f);  // half the pixels 1.5x too far
  FixedDepthEstimator estimator(prediction, "fixed");
  EvalOptions options;
  options.crop = EvalCrop::kNone;
  options.show_progress = false;
  EvalReport report = EvaluateDataset(estimator, *OpenDataset(dir.File("pairs.csv")), options);
  ASSERT_EQ(report.per_image.size(), 2u);
  EXPECT_NEAR(report.mean.abs_rel, 0.25, 1e-9);      // (0.5 + 0) / 2
  EXPECT_NEAR(report.mean.rmse, std::sqrt(0.5), 1e-6);  // sqrt((1 + 0) / 2)
  EXPECT_NEAR(report.mean.delta1, 0.5, 1e-9);
  WriteEvalReport(report, dir.File("report.json"));
  auto json = nlohmann::json::parse(ReadFileBytes(dir.File("report.json")));
  EXPECT_NEAR(json["metrics"]["abs_rel"].get<double>(), 0.25, 1e-9);
  EXPECT_EQ(json["images"].get<int>(), 2);
  EXPECT_TRUE(std::filesystem::exists(dir.File("report.csv")));
  EXPECT_NE(ReadFileBytes(dir.File("report.md")).find("| 0.250 |"), std::string::npos);
}

TEST(EvaluateDataset, CropsAndNames) {
  EXPECT_EQ(*CropRect(EvalCrop::kGarg, {1242, 375}), cv::Rect(44, 153, 1153, 218));
  EXPECT_EQ(*CropRect(EvalCrop::kEigen, {640, 480}), cv::Rect(41, 45, 560, 426));
  EXPECT_FALSE(CropRect(EvalCrop::kNone, {640, 480}).has_value());
  EXPECT_THROW(EvalCropFromString("kitti"), OptionError);
  EXPECT_THROW(AlignmentFromString("affine"), OptionError);
}

}  // namespace
}  // namespace depthforge
