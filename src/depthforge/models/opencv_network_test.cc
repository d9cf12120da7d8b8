#include "depthforge/models/opencv_network.h"

#include <gtest/gtest.h>

#include "depthforge/eval/depth_metrics.h"
#include "depthforge/io/npy.h"

#include <opencv2/imgproc.hpp>
#include "depthforge/models/torch_network.h"
#include "depthforge/testing/test_util.h"

namespace depthforge {
namespace {

// Both backends build the same float network from the same file: their
// outputs must agree to float rounding, at the nominal and at another size.
TEST(OpenCvNetwork, AgreesWithTorchBackend) {
  DEPTHFORGE_REQUIRE_MIRROR_FILE(model_path, "models/fast_depth_224.tflite");
  DEPTHFORGE_REQUIRE_MIRROR_FILE(rgb_path, "data/fastdepth_sample/rgb.npy");
  TfliteModel model = ReadTflite(model_path);
  TorchNetwork torch_net(model);
  OpenCvNetwork opencv_net(model);
  cv::Mat rgb = ReadNpy(rgb_path).ToFloatMat(rgb_path);
  cv::Mat1f a = torch_net.Forward({rgb})[0];
  cv::Mat1f b = opencv_net.Forward({rgb})[0];
  ASSERT_EQ(a.size(), b.size());
  EXPECT_LT(cv::norm(a, b, cv::NORM_INF), 1e-3);

  cv::Mat3f wide;
  cv::resize(rgb, wide, {320, 256});
  cv::Mat1f c = torch_net.Forward({wide})[0];
  cv::Mat1f d = opencv_net.Forward({wide})[0];
  ASSERT_EQ(c.size(), cv::Size(320, 256));
  ASSERT_EQ(d.size(), cv::Size(320, 256));
  EXPECT_LT(cv::norm(c, d, cv::NORM_INF), 1e-3);
}

}  // namespace
}  // namespace depthforge
