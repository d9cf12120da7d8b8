#include "depthforge/render/point_cloud.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <filesystem>

#include "depthforge/core/error.h"
#include "depthforge/testing/test_util.h"
#include "depthforge/util/atomic_file.h"

namespace depthforge {
namespace {


TEST(PointCloud, TiltedPlaneBackProjectsOntoThePlane) {
  Intrinsics k = IntrinsicsFromFov({64, 48}, 60);
  cv::Vec3f normal = cv::normalize(cv::Vec3f(0.2f, -0.3f, 1.f));
  DepthMap depth = testing::PlaneDepth(k, normal, 2.f);
  cv::Mat3b image(48, 64, cv::Vec3b(1, 2, 3));
  PointCloud cloud = BackProject(depth, image, k);
  ASSERT_EQ(cloud.points.size(), 64u * 48u);
  for (const cv::Vec3f& p : cloud.points) EXPECT_NEAR(normal.dot(p), 2.f, 1e-4f);
  // The corner pixel lies where the field of view says.
  EXPECT_NEAR(cloud.points[0][0], (0 - k.cx) * depth.values(0, 0) / k.fx, 1e-5);
}

TEST(PointCloud, PlyHasTheVerticesItClaims) {
  testing::TempDir dir;
  Intrinsics k = IntrinsicsFromFov({20, 10}, 60);
  DepthMap depth;
  depth.values = cv::Mat1f(10, 20, 1.5f);
  depth.values(0, 0) = std::nanf("");
  depth.values(0, 1) = -2.f;  // invalid: skipped
  PointCloud cloud = BackProject(depth, cv::Mat3b(10, 20, cv::Vec3b(9, 8, 7)), k);
  WritePly(dir.File("c.ply"), cloud);
  std::string bytes = ReadFileBytes(dir.File("c.ply"));
  EXPECT_NE(bytes.find("element vertex 198\n"), std::string::npos);
  size_t header_end = bytes.find("end_header\n") + 11;
  EXPECT_EQ(bytes.size() - header_end, 198u * 15u);
  float z;
  std::memcpy(&z, bytes.data() + header_end + 8, 4);
  EXPECT_FLOAT_EQ(z, -1.5f);  // y-up, z towards the viewer
  EXPECT_EQ(uint8_t(bytes[header_end + 12]), 7);  // red first
}

// A near box (1 m) in front of a far wall (3 m): no triangle may join them.
TEST(PointCloud, MeasuredDepthIsDeliveredAsDepthFilesAndACloud) {
  testing::TempDir dir;
  Intrinsics k = IntrinsicsFromFov({20, 10}, 60);
  DepthMap depth;
  depth.values = cv::Mat1f(10, 20, 2.5f);
  std::vector<std::string> written = WriteDepthWithPointCloud(dir.File("scene"), depth, cv::Mat3b(10, 20), k);
  ASSERT_EQ(written.size(), 4u);
  for (const auto& path : written) EXPECT_TRUE(std::filesystem::exists(path)) << path;
  EXPECT_EQ(written.back(), dir.File("scene.ply"));
  EXPECT_EQ(written.front(), dir.File("scene.depth.npy"));
}

}  // namespace
}  // namespace depthforge
