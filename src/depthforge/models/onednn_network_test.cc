#include "depthforge/models/onednn_network.h"

#include <gtest/gtest.h>

#include "depthforge/core/error.h"
#include "depthforge/eval/depth_metrics.h"
#include "depthforge/io/npy.h"
#include "depthforge/models/network.h"
#include "depthforge/models/xnnpack_network.h"
#include "depthforge/testing/int8_reference.h"
#include "depthforge/testing/test_util.h"

namespace depthforge {
namespace {
using namespace testing;

// oneDNN's int8 arithmetic is TFLite's only with VNNI; without it the
// backend is refused (tested below) and these comparisons do not apply.
#define REQUIRE_VNNI() \
  if (!OneDnnIsExact()) GTEST_SKIP() << "this CPU has no AVX-512 VNNI: oneDNN is not used here"

TEST(OneDnnNetwork, ConvolutionsFollowTfliteDefinition) {
  REQUIRE_VNNI();
  for (bool depthwise : {false, true}) {
    for (TfliteActivation act : {TfliteActivation::kNone, TfliteActivation::kRelu, TfliteActivation::kRelu6}) {
      for (int stride : {1, 2}) {
        TfliteModel model = ConvolutionModel(depthwise, depthwise ? 5 : 3, stride, act, 31u + unsigned(stride), -128);
        ASSERT_TRUE(IsOneDnnGraph(model));
        ExpectSameLevels(OneDnnNetwork(model, 1), model, 32, 32, 1, 0.01);
      }
    }
  }
}

TEST(OneDnnNetwork, FastDepthGivesXnnpacksLevelsAndTheAuthorsPrediction) {
  REQUIRE_VNNI();
  DEPTHFORGE_REQUIRE_MIRROR_FILE(model_path, "models/fast_depth_224.tflite");
  DEPTHFORGE_REQUIRE_MIRROR_FILE(rgb_path, "data/fastdepth_sample/rgb.npy");
  DEPTHFORGE_REQUIRE_MIRROR_FILE(pred_path, "data/fastdepth_sample/pred.npy");
  TfliteModel model = ReadTflite(model_path);
  EXPECT_EQ(ResolveBackend(model, Backend::kAuto), Backend::kOneDnn);
  // A few photos do not repay oneDNN's kernel compiling; a batch does.
  EXPECT_EQ(ResolveBackend(model, Backend::kAuto, 1), Backend::kXnnpack);
  EXPECT_EQ(ResolveBackend(model, Backend::kAuto, kOneDnnWorthwhileImages - 1), Backend::kXnnpack);
  EXPECT_EQ(ResolveBackend(model, Backend::kAuto, kOneDnnWorthwhileImages), Backend::kOneDnn);
  EXPECT_EQ(ResolveBackend(model, Backend::kOneDnn, 1), Backend::kOneDnn);
  OneDnnNetwork network(model, 2);
  cv::Mat rgb = ReadNpy(rgb_path).ToFloatMat(rgb_path);
  cv::Mat1f expected = ReadNpy(pred_path).ToFloatMat(pred_path);
  cv::Mat1f ours = network.Forward({rgb})[0];
  cv::Mat1f xnnpack = XnnpackNetwork(model, 1).Forward({rgb})[0];
  const float level = ReadTflite(model_path).tensors[size_t(model.outputs[0])].scales[0];
  EXPECT_LE(cv::norm(ours, xnnpack, cv::NORM_INF), 1.01 * level);
  EXPECT_LE(cv::mean(cv::abs(ours - xnnpack))[0], 0.05 * level);
  EXPECT_GE(PearsonCorrelation(ours, expected), 0.995);
  EXPECT_LE(cv::mean(cv::abs(ours - expected))[0], 0.06);
  // The whole graph against TFLite's definition, as XNNPACK is held to.
  ExpectSameLevels(network, model, 224, 224, 2, 0.35, rgb);
}

TEST(OneDnnNetwork, RunsOtherSizesAndBatches) {
  REQUIRE_VNNI();
  DEPTHFORGE_REQUIRE_MIRROR_FILE(model_path, "models/fast_depth_224.tflite");
  TfliteModel model = ReadTflite(model_path);
  OneDnnNetwork network(model, 2);
  cv::Mat3f input(256, 320);
  cv::randu(input, 0.f, 1.f);
  std::vector<cv::Mat> out = network.Forward({input, input});
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0].size(), cv::Size(320, 256));
  EXPECT_EQ(cv::norm(out[0], out[1], cv::NORM_INF), 0.0);
  EXPECT_EQ(network.Forward({cv::Mat3f(224, 224, cv::Vec3f(0.1f, 0.2f, 0.3f))})[0].size(), cv::Size(224, 224));
  EXPECT_EQ(cv::norm(network.Forward({input})[0], out[0], cv::NORM_INF), 0.0);
  EXPECT_LE(cv::norm(out[0], XnnpackNetwork(model, 1).Forward({input})[0], cv::NORM_INF),
            1.01 * model.tensors[size_t(model.outputs[0])].scales[0]);
  EXPECT_THROW(network.Forward({cv::Mat1f(224, 224)}), Error);
}

TEST(OneDnnNetwork, OtherZeroPointsGoToXnnpackAndNoVnniIsRefused) {
  TfliteModel shifted = ConvolutionModel(false, 3, 1, TfliteActivation::kRelu, 7, -20);
  std::string why;
  EXPECT_FALSE(IsOneDnnGraph(shifted, &why));
  EXPECT_NE(why.find("zero point -128"), std::string::npos) << why;
  EXPECT_EQ(ResolveBackend(shifted, Backend::kAuto), Backend::kXnnpack);
  EXPECT_THROW(OneDnnNetwork(shifted, 1, /*allow_inexact=*/true), FileError);
  TfliteModel byte_view = ConvolutionModel(false, 3, 1, TfliteActivation::kRelu, 7, -128);
  if (OneDnnIsExact()) {
    EXPECT_EQ(ResolveBackend(byte_view, Backend::kAuto), Backend::kOneDnn);
  } else {
    // Without VNNI the sums saturate: auto keeps XNNPACK, and asking is an error that says why.
    EXPECT_EQ(ResolveBackend(byte_view, Backend::kAuto), Backend::kXnnpack);
    try {
      OneDnnNetwork network(byte_view, 1);
      FAIL() << "accepted without VNNI";
    } catch (const OptionError& e) {
      EXPECT_NE(std::string(e.what()).find("VNNI"), std::string::npos) << e.what();
    }
  }
}

}  // namespace
}  // namespace depthforge
