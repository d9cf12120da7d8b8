#include "depthforge/models/onnx_torch_network.h"

#include <cmath>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>
#include <onnx/onnx_pb.h>

#include "depthforge/core/error.h"
#include "depthforge/io/npy.h"
#include "depthforge/models/onnx_model.h"
#include "depthforge/testing/test_util.h"

namespace depthforge {
namespace {

namespace fs = std::filesystem;

const std::string& FixtureDir() { return testing::OnnxFixtureDir(); }

FloatTensor ReadFloatNpy(const std::string& path) {
  NpyArray array = ReadNpy(path);
  EXPECT_EQ(array.dtype, "<f4") << path;
  FloatTensor t;
  t.shape = array.shape;
  t.values.resize(size_t(array.element_count()));
  std::memcpy(t.values.data(), array.data.data(), t.values.size() * sizeof(float));
  return t;
}

// Largest difference relative to the largest reference magnitude.
double RelativeError(const FloatTensor& got, const FloatTensor& expected) {
  double largest = 1e-6, worst = 0;
  for (float v : expected.values) largest = std::max(largest, double(std::abs(v)));
  for (size_t i = 0; i < expected.values.size(); ++i) worst = std::max(worst, double(std::abs(got.values[i] - expected.values[i])));
  return worst / largest;
}

void ExpectMatchesReference(const std::string& name) {
  const std::string base = FixtureDir() + "/" + name;
  ASSERT_TRUE(fs::exists(base + ".onnx")) << base << ".onnx was not written";
  OnnxTorchNetwork network(ReadOnnx(base + ".onnx"));
  FloatTensor expected = ReadFloatNpy(base + ".expected.npy");
  FloatTensor got = network.Run(ReadFloatNpy(base + ".input.npy"));
  ASSERT_EQ(got.shape, expected.shape) << name;
  EXPECT_LE(RelativeError(got, expected), 1e-4) << name;
}

class OnnxExported : public ::testing::TestWithParam<std::string> {};

TEST_P(OnnxExported, MatchesTheIndependentComputation) { ExpectMatchesReference(GetParam()); }

// PyTorch exports (operator families at several opsets, and the block
// structures of MiDaS small and Depth Anything V2) and hand-written graphs.
INSTANTIATE_TEST_SUITE_P(
    Graphs, OnnxExported,
    ::testing::Values("conv_family_opset9", "conv_family_opset11", "conv_family_opset13", "conv_family_opset17",
                      "math_family_opset9", "math_family_opset13", "dense_family_opset11", "dense_family_opset17",
                      "shape_family_opset11", "shape_family_opset13", "resize_nearest_opset9", "resize_nearest_opset10",
                      "resize_nearest_opset11", "resize_nearest_opset13", "resize_bilinear_opset9",
                      "resize_bilinear_opset10", "resize_bilinear_opset11", "resize_bilinear_opset13",
                      "resize_bilinear_corners_size_opset11", "resize_bilinear_corners_size_opset13",
                      "resize_bicubic_opset11", "resize_bicubic_opset13", "resize_bicubic_corners_size_opset11",
                      "resize_bicubic_corners_size_opset13", "pool_family_opset11", "pool_family_opset13",
                      "midas_small_blocks_opset11", "midas_small_blocks_opset12", "midas_small_blocks_opset13",
                      "depth_anything_blocks_opset14", "depth_anything_blocks_opset17", "resize_0_linear_asymmetric",
                      "resize_1_nearest_half_pixel", "resize_2_nearest_align_corners",
                      "resize_3_nearest_tf_half_pixel_for_nn", "resize_4_cubic_half_pixel",
                      "resize_5_cubic_asymmetric", "resize_6_linear_pytorch_half_pixel", "resize_sizes_opset11",
                      "upsample_linear_opset9", "clip_hardsigmoid_opset9", "gemm_transposed",
                      "slice_pad_split_opset11", "softmax_where_range_opset11", "float16_weights"),
    [](const ::testing::TestParamInfo<std::string>& info) { return info.param; });

TEST(OnnxTorchNetwork, ExportedGraphsFoldTheirShapeArithmetic) {
  // The Depth Anything block exported with dynamic sizes computes its
  // position-embedding grid from Shape nodes: those stay (they depend on
  // the input), but a graph without dynamic axes folds them away.
  OnnxModel dynamic = ReadOnnx(FixtureDir() + "/shape_family_opset13.onnx");
  OnnxTorchNetwork network(dynamic);
  EXPECT_LT(network.RuntimeNodeCount(), dynamic.nodes.size());
}

TEST(OnnxTorchNetwork, ForwardTakesImagesAndReturnsOneMapEach) {
  OnnxTorchNetwork network(ReadOnnx(FixtureDir() + "/depth_anything_blocks_opset17.onnx"));
  FloatTensor input = ReadFloatNpy(FixtureDir() + "/depth_anything_blocks_opset17.input.npy");
  FloatTensor expected = ReadFloatNpy(FixtureDir() + "/depth_anything_blocks_opset17.expected.npy");
  const int h = int(input.shape[2]), w = int(input.shape[3]);
  cv::Mat image(h, w, CV_32FC3);
  for (int c = 0; c < 3; ++c) {
    for (int y = 0; y < h; ++y) {
      for (int x = 0; x < w; ++x) image.at<cv::Vec3f>(y, x)[c] = input.values[size_t((c * h + y) * w + x)];
    }
  }
  std::vector<cv::Mat> maps = network.Forward({image, image});
  ASSERT_EQ(maps.size(), 2u);
  ASSERT_EQ(maps[0].size(), cv::Size(w, h));
  double worst = 0, largest = 1e-6;
  for (int y = 0; y < h; ++y) {
    for (int x = 0; x < w; ++x) {
      const float e = expected.values[size_t(y * w + x)];
      largest = std::max(largest, double(std::abs(e)));
      worst = std::max({worst, double(std::abs(maps[0].at<float>(y, x) - e)), double(std::abs(maps[1].at<float>(y, x) - e))});
    }
  }
  EXPECT_LE(worst / largest, 1e-4);
}

// Writes a one-node model with libonnx's classes.
std::string OneNodeModel(const std::string& op_type, int64_t opset, const std::string& domain = "") {
  onnx::ModelProto model;
  model.set_ir_version(7);
  auto* opset_import = model.add_opset_import();
  opset_import->set_version(opset);
  auto* graph = model.mutable_graph();
  auto* input = graph->add_input();
  input->set_name("x");
  input->mutable_type()->mutable_tensor_type()->set_elem_type(onnx::TensorProto::FLOAT);
  graph->add_output()->set_name("y");
  auto* node = graph->add_node();
  node->set_op_type(op_type);
  node->set_domain(domain);
  node->set_name("the_node");
  node->add_input("x");
  node->add_output("y");
  return model.SerializeAsString();
}

TEST(OnnxModel, AnOperatorItLacksIsNamedInTheError) {
  try {
    ParseOnnx(OneNodeModel("NonMaxSuppression", 13), "boxes.onnx");
    FAIL() << "expected an error";
  } catch (const FileError& e) {
    EXPECT_EQ(e.path(), "boxes.onnx");
    EXPECT_NE(std::string(e.what()).find("NonMaxSuppression"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("not supported"), std::string::npos) << e.what();
  }
}

TEST(OnnxModel, OpsetsOutsideNineToSeventeenAreRefusedClearly) {
  EXPECT_NO_THROW(ParseOnnx(OneNodeModel("Relu", 9), "a.onnx"));
  EXPECT_NO_THROW(ParseOnnx(OneNodeModel("Relu", 17), "a.onnx"));
  for (int64_t opset : {8, 18}) {
    try {
      ParseOnnx(OneNodeModel("Relu", opset), "a.onnx");
      FAIL() << "opset " << opset << " accepted";
    } catch (const FileError& e) {
      EXPECT_NE(std::string(e.what()).find("opset " + std::to_string(opset)), std::string::npos) << e.what();
    }
  }
}

TEST(OnnxModel, OtherDomainsAndNonModelsAreClearErrors) {
  EXPECT_THROW(ParseOnnx(OneNodeModel("FusedConv", 13, "com.microsoft"), "a.onnx"), FileError);
  try {
    ParseOnnx("this is not a protobuf at all, just text", "photo.onnx");
    FAIL();
  } catch (const FileError& e) {
    EXPECT_NE(std::string(e.what()).find("not an ONNX model"), std::string::npos) << e.what();
  }
  EXPECT_THROW(ReadOnnx("/nonexistent/model.onnx"), Error);
}

TEST(OnnxModel, ExternalWeightsAreAClearError) {
  onnx::ModelProto model;
  ASSERT_TRUE(model.ParseFromString(OneNodeModel("Relu", 13)));
  auto* weight = model.mutable_graph()->add_initializer();
  weight->set_name("w");
  weight->set_data_type(onnx::TensorProto::FLOAT);
  weight->add_dims(4);
  weight->set_data_location(onnx::TensorProto::EXTERNAL);
  try {
    ParseOnnx(model.SerializeAsString(), "big.onnx");
    FAIL();
  } catch (const FileError& e) {
    EXPECT_NE(std::string(e.what()).find("external file"), std::string::npos) << e.what();
  }
}

TEST(OnnxModel, Float16WeightsAreWidenedExactly) {
  onnx::ModelProto model;
  ASSERT_TRUE(model.ParseFromString(OneNodeModel("Relu", 13)));
  auto* weight = model.mutable_graph()->add_initializer();
  weight->set_name("w");
  weight->set_data_type(onnx::TensorProto::FLOAT16);
  weight->add_dims(5);
  // 1.0, -2.0, 65504 (largest half), 2^-24 (smallest subnormal), 0.333 (0x3555)
  const uint16_t halves[5] = {0x3c00, 0xc000, 0x7bff, 0x0001, 0x3555};
  weight->set_raw_data(std::string(reinterpret_cast<const char*>(halves), sizeof halves));
  OnnxModel parsed = ParseOnnx(model.SerializeAsString(), "half.onnx");
  ASSERT_EQ(parsed.initializers.size(), 1u);
  const std::vector<float>& v = parsed.initializers[0].floats;
  ASSERT_EQ(v.size(), 5u);
  EXPECT_EQ(v[0], 1.f);
  EXPECT_EQ(v[1], -2.f);
  EXPECT_EQ(v[2], 65504.f);
  EXPECT_EQ(v[3], std::ldexp(1.f, -24));
  EXPECT_FLOAT_EQ(v[4], 0.33325195f);
}

}  // namespace
}  // namespace depthforge
