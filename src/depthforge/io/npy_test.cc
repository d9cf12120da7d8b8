#include "depthforge/io/npy.h"

#include <gtest/gtest.h>

#include <cmath>

#include "depthforge/core/error.h"
#include "depthforge/testing/test_util.h"
#include "depthforge/util/atomic_file.h"

namespace depthforge {
namespace {

TEST(Npy, RoundTripsFloatAndMultichannel) {
  testing::TempDir dir;
  cv::Mat1f depth(3, 4);
  for (int i = 0; i < 12; ++i) depth(i / 4, i % 4) = 0.5f * float(i);
  WriteNpy(dir.File("d.npy"), depth);
  NpyArray array = ReadNpy(dir.File("d.npy"));
  EXPECT_EQ(array.dtype, "<f4");
  EXPECT_EQ(array.shape, (std::vector<int64_t>{3, 4}));
  cv::Mat back = array.ToFloatMat("d.npy");
  EXPECT_EQ(cv::norm(back, depth, cv::NORM_INF), 0);

  cv::Mat3b color(2, 2, cv::Vec3b(1, 2, 3));
  NpyArray c = ParseNpy(SerializeNpy(color), "c");
  EXPECT_EQ(c.dtype, "|u1");
  EXPECT_EQ(c.shape, (std::vector<int64_t>{2, 2, 3}));
  // The header is padded so that data starts on a 64-byte boundary.
  EXPECT_EQ((SerializeNpy(color).size() - 12) % 64, 0u);
}

TEST(Npy, DropsLeadingSingletonDimensions) {
  cv::Mat1f plane(2, 3, 1.5f);
  NpyArray array = ParseNpy(SerializeNpy(plane), "p");
  array.shape = {1, 1, 2, 3};
  cv::Mat back = array.ToFloatMat("p");
  EXPECT_EQ(back.size(), cv::Size(3, 2));
}

TEST(Npy, ErrorsNameTheFile) {
  EXPECT_THROW(ParseNpy("not numpy", "bad.npy"), FileError);
  std::string bytes = SerializeNpy(cv::Mat1f(10, 10, 1.f));
  try {
    ParseNpy(bytes.substr(0, bytes.size() - 8), "short.npy");
    FAIL();
  } catch (const FileError& e) {
    EXPECT_NE(std::string(e.what()).find("short.npy: truncated .npy data"), std::string::npos);
  }
}

}  // namespace
}  // namespace depthforge

namespace depthforge {
namespace {

TEST(Npz, ReadsTheCompressedMiddleburyDisparity) {
  DEPTHFORGE_REQUIRE_MIRROR_FILE(path, "data/stereo/middlebury2014_motorcycle/motorcycle_disp.npz");
  auto arrays = ReadNpz(path);
  ASSERT_EQ(arrays.count("arr_0"), 1u);
  cv::Mat disparity = arrays["arr_0"].ToFloatMat("arr_0");
  EXPECT_EQ(disparity.size(), cv::Size(741, 500));
  int finite = 0;
  for (int y = 0; y < disparity.rows; ++y)
    for (int x = 0; x < disparity.cols; ++x) finite += std::isfinite(disparity.at<float>(y, x));
  EXPECT_GT(finite, 741 * 500 * 8 / 10);
  EXPECT_THROW(ReadNpz(testing::MirrorFile("data/stereo/middlebury2014_motorcycle/motorcycle_left.png")), FileError);
}

}  // namespace
}  // namespace depthforge
