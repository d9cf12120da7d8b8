#include "depthforge/models/torch_network.h"

#include <gtest/gtest.h>

#include "depthforge/core/error.h"
#include "depthforge/eval/depth_metrics.h"
#include "depthforge/io/npy.h"
#include "depthforge/models/tflite_model.h"
#include "depthforge/testing/test_util.h"

namespace depthforge {
namespace {

// The imported network must reproduce the FastDepth authors' own prediction
// for their sample NYU image (224x224 input already framed as in training).
TEST(TorchNetwork, MatchesAuthorsPredictionOnFastDepthSample) {
  DEPTHFORGE_REQUIRE_MIRROR_FILE(model_path, "models/fast_depth_224.tflite");
  DEPTHFORGE_REQUIRE_MIRROR_FILE(rgb_path, "data/fastdepth_sample/rgb.npy");
  DEPTHFORGE_REQUIRE_MIRROR_FILE(pred_path, "data/fastdepth_sample/pred.npy");
  TorchNetwork network(ReadTflite(model_path));
  EXPECT_EQ(network.input_height(), 224);
  EXPECT_EQ(network.input_width(), 224);
  EXPECT_EQ(network.size_multiple(), 32);
  cv::Mat rgb = ReadNpy(rgb_path).ToFloatMat(rgb_path);
  ASSERT_EQ(rgb.type(), CV_32FC3);
  cv::Mat1f expected = ReadNpy(pred_path).ToFloatMat(pred_path);
  ASSERT_EQ(expected.size(), cv::Size(224, 224));

  cv::Mat1f ours = network.Forward({rgb})[0];
  ASSERT_EQ(ours.size(), expected.size());
  double r = PearsonCorrelation(ours, expected);
  double mean_abs = cv::mean(cv::abs(ours - expected))[0];
  RecordProperty("pearson_r", std::to_string(r));
  RecordProperty("mean_abs_diff_m", std::to_string(mean_abs));
  std::printf("golden: Pearson r = %.5f, mean |diff| = %.4f m\n", r, mean_abs);
  EXPECT_GE(r, 0.995);
  EXPECT_LE(mean_abs, 0.06);
}

TEST(TorchNetwork, RunsFullyConvolutionalAtOtherSizes) {
  DEPTHFORGE_REQUIRE_MIRROR_FILE(model_path, "models/fast_depth_224.tflite");
  TorchNetwork network(ReadTflite(model_path));
  cv::Mat3f input(256, 320, cv::Vec3f(0.5f, 0.4f, 0.3f));
  std::vector<cv::Mat> out = network.Forward({input, input});
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0].size(), cv::Size(320, 256));
  EXPECT_LT(cv::norm(out[0], out[1], cv::NORM_INF), 1e-5);
}

TEST(TorchNetwork, RejectsBatchOfMixedSizes) {
  DEPTHFORGE_REQUIRE_MIRROR_FILE(model_path, "models/fast_depth_224.tflite");
  TorchNetwork network(ReadTflite(model_path));
  EXPECT_THROW(network.Forward({cv::Mat3f(224, 224), cv::Mat3f(256, 256)}), Error);
  EXPECT_THROW(network.Forward({cv::Mat1f(224, 224)}), Error);
}

}  // namespace
}  // namespace depthforge
