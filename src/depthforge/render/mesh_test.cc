#include "depthforge/render/mesh.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <tiny_gltf.h>

#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>

#include "depthforge/core/error.h"
#include "depthforge/render/point_cloud.h"
#include "depthforge/testing/test_util.h"
#include "depthforge/util/atomic_file.h"

namespace depthforge {
namespace {


TEST(Mesh, CutsAtDepthDiscontinuities) {
  Intrinsics k = IntrinsicsFromFov({40, 30}, 60);
  DepthMap depth;
  depth.values = cv::Mat1f(30, 40, 3.f);
  depth.values(cv::Rect(10, 8, 20, 14)).setTo(1.f);
  MeshOptions options;
  options.step = 1;
  Mesh mesh = BuildMesh(depth, cv::Mat3b(30, 40, cv::Vec3b(0, 0, 0)), k, options);
  EXPECT_EQ(mesh.positions.size(), 40u * 30u);
  size_t joined = 0;
  for (size_t i = 0; i < mesh.indices.size(); i += 3) {
    float a = mesh.positions[mesh.indices[i]][2], b = mesh.positions[mesh.indices[i + 1]][2],
          c = mesh.positions[mesh.indices[i + 2]][2];
    if (std::max({a, b, c}) > 1.5f * std::min({a, b, c})) ++joined;
  }
  EXPECT_EQ(joined, 0u);
  // Every cell not touching the box edge keeps its two triangles.
  size_t cells = 39 * 29, edge_cells = 2 * (20 + 14) + 4 - 0;  // cells straddling the box outline
  EXPECT_GE(mesh.indices.size() / 3, 2 * (cells - edge_cells - 8));
  EXPECT_LT(mesh.indices.size() / 3, 2 * cells);
}

TEST(Mesh, GlbAndObjReloadWithTheRightCounts) {
  testing::TempDir dir;
  Intrinsics k = IntrinsicsFromFov({32, 24}, 60);
  DepthMap depth = testing::PlaneDepth(k, cv::Vec3f(0, 0, 1), 2.f);
  cv::Mat3b image(24, 32, cv::Vec3b(50, 100, 150));
  Mesh mesh = BuildMesh(depth, image, k, {});  // step 2: 16 x 12 vertices
  ASSERT_EQ(mesh.positions.size(), 16u * 12u);
  ASSERT_EQ(mesh.indices.size(), 15u * 11u * 2u * 3u);
  WriteGlb(dir.File("m.glb"), mesh);
  tinygltf::Model model;
  tinygltf::TinyGLTF loader;
  std::string error, warning;
  ASSERT_TRUE(loader.LoadBinaryFromFile(&model, &error, &warning, dir.File("m.glb"))) << error;
  ASSERT_EQ(model.meshes.size(), 1u);
  const auto& primitive = model.meshes[0].primitives[0];
  EXPECT_EQ(model.accessors[size_t(primitive.attributes.at("POSITION"))].count, 16u * 12u);
  EXPECT_EQ(model.accessors[size_t(primitive.indices)].count, 15u * 11u * 2u * 3u);
  ASSERT_EQ(model.images.size(), 1u);
  EXPECT_EQ(model.images[0].width, 32);

  WriteObj(dir.File("m.obj"), mesh);
  std::ifstream obj(dir.File("m.obj"));
  std::string line;
  int vertices = 0, faces = 0;
  while (std::getline(obj, line)) {
    vertices += line.rfind("v ", 0) == 0;
    faces += line.rfind("f ", 0) == 0;
  }
  EXPECT_EQ(vertices, 16 * 12);
  EXPECT_EQ(faces, 15 * 11 * 2);
  EXPECT_TRUE(std::filesystem::exists(dir.File("m.mtl")));
  EXPECT_TRUE(std::filesystem::exists(dir.File("m.png")));
}

TEST(Mesh, RelativeDepthAndEmptyMeshesAreRefused) {
  testing::TempDir dir;
  Intrinsics k = IntrinsicsFromFov({8, 8}, 60);
  DepthMap relative;
  relative.values = cv::Mat1f(8, 8, 1.f);
  relative.kind = DepthKind::kRelativeInverseDepth;
  EXPECT_THROW(BuildMesh(relative, cv::Mat3b(8, 8), k), Error);
  DepthMap nothing;
  nothing.values = cv::Mat1f(8, 8, std::nanf(""));
  EXPECT_THROW(WriteGlb(dir.File("x.glb"), BuildMesh(nothing, cv::Mat3b(8, 8), k)), FileError);
  EXPECT_EQ(testing::CountFiles(dir.path()), 0);
  EXPECT_THROW(IntrinsicsFromFov({8, 8}, 400), OptionError);
}

TEST(Mesh, TinyPhotosMeshOrExplainWhyNot) {
  DepthMap depth;
  depth.values = (cv::Mat1f(2, 2) << 1.0f, 1.04f, 1.19f, 1.19f);  // every cell "a depth edge" at this size
  Intrinsics k = IntrinsicsFromFov({2, 2}, 60);
  Mesh tiny = BuildMesh(depth, cv::Mat3b(2, 2, cv::Vec3b(9, 9, 9)), k);
  EXPECT_EQ(tiny.positions.size(), 4u);
  EXPECT_EQ(tiny.indices.size(), 6u);
  DepthMap row;
  row.values = cv::Mat1f(1, 30, 2.f);
  EXPECT_THAT([&] { BuildMesh(row, cv::Mat3b(1, 30), IntrinsicsFromFov({30, 1}, 60)); },
              ::testing::ThrowsMessage<Error>(::testing::HasSubstr("has no surface to mesh")));
}

TEST(Mesh, LargePhotosGetACoarserGridAndABoundedTexture) {
  DepthMap depth;
  depth.values = cv::Mat1f(600, 800, 3.f);
  MeshOptions options;
  options.step = 1;
  options.max_vertices = 30000;
  options.max_texture_side = 256;
  Mesh mesh = BuildMesh(depth, cv::Mat3b(600, 800, cv::Vec3b(1, 2, 3)), IntrinsicsFromFov({800, 600}, 60), options);
  EXPECT_LE(int64_t(mesh.positions.size()), options.max_vertices);
  EXPECT_GT(int64_t(mesh.positions.size()), options.max_vertices / 4);
  EXPECT_EQ(std::max(mesh.texture.cols, mesh.texture.rows), 256);
}

}  // namespace
}  // namespace depthforge
