#include "depthforge/models/tflite_model.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <opencv2/core.hpp>

#include "depthforge/core/error.h"
#include "depthforge/models/flatbuffer.h"
#include "depthforge/testing/test_util.h"
#include "depthforge/util/atomic_file.h"

namespace depthforge {
namespace {

using ::testing::HasSubstr;

std::string ParseError(const std::string& bytes, const std::string& name = "model.tflite") {
  try {
    ParseTflite(bytes, name);
  } catch (const FileError& e) {
    return e.what();
  }
  return "no error";
}

TEST(TfliteModel, ParsesFastDepthGraph) {
  DEPTHFORGE_REQUIRE_MIRROR_FILE(path, "models/fast_depth_224.tflite");
  TfliteModel model = ReadTflite(path);
  EXPECT_EQ(model.operators.size(), 67u);
  EXPECT_EQ(model.InputShape(), (std::vector<int>{1, 224, 224, 3}));
  EXPECT_EQ(model.OutputShape(), (std::vector<int>{1, 224, 224, 1}));
  EXPECT_EQ(model.SizeMultiple(), 32);
  const TfliteTensor& input = model.tensors[size_t(model.inputs[0])];
  EXPECT_EQ(input.type, TfliteType::kUint8);
  ASSERT_EQ(input.scales.size(), 1u);
  EXPECT_NEAR(input.scales[0], 1.0 / 255.0, 1e-7);
  const TfliteTensor& output = model.tensors[size_t(model.outputs[0])];
  EXPECT_NEAR(output.scales[0], 0.07169981, 1e-6);
  // The first convolution has per-channel int8 weights: dequantised values
  // must be scale * q for each output channel.
  const TfliteOperator& conv = model.operators[2];
  ASSERT_EQ(conv.builtin, TfliteBuiltin::kConv2d);
  EXPECT_EQ(conv.stride_h, 2);
  EXPECT_FALSE(conv.padding_same);
  EXPECT_EQ(conv.activation, TfliteActivation::kRelu6);
  const TfliteTensor& weights = model.tensors[size_t(conv.inputs[1])];
  ASSERT_EQ(weights.scales.size(), 16u);
  std::vector<float> real = model.DequantizedData(conv.inputs[1]);
  const std::string& raw = model.buffers[size_t(weights.buffer)];
  size_t per_channel = real.size() / 16;
  for (size_t channel : {0u, 7u, 15u}) {
    size_t i = channel * per_channel + 3;
    EXPECT_FLOAT_EQ(real[i], weights.scales[channel] * float(int8_t(raw[i])));
  }
}

TEST(TfliteModel, RejectsFilesThatAreNotTflite) {
  EXPECT_THAT(ParseError(""), HasSubstr("model.tflite: not a TFLite model"));
  EXPECT_THAT(ParseError(std::string(64, '\0')), HasSubstr("not a TFLite model"));
  EXPECT_THAT(ParseError("\x89PNG\r\n\x1a\n........................"), HasSubstr("not a TFLite model"));
}

TEST(TfliteModel, TruncatedModelIsMalformedNotACrash) {
  DEPTHFORGE_REQUIRE_MIRROR_FILE(path, "models/fast_depth_224.tflite");
  std::string bytes = ReadFileBytes(path);
  for (size_t keep : {size_t(16), size_t(1000), bytes.size() / 2, bytes.size() - 10}) {
    std::string error = ParseError(bytes.substr(0, keep), "cut.tflite");
    EXPECT_THAT(error, HasSubstr("cut.tflite:")) << keep;
    EXPECT_NE(error, "no error") << keep;
  }
}

TEST(TfliteModel, CorruptOffsetsAreMalformedNotACrash) {
  DEPTHFORGE_REQUIRE_MIRROR_FILE(path, "models/fast_depth_224.tflite");
  std::string bytes = ReadFileBytes(path);
  // Root offset pointing far outside the file.
  std::string bad_root = bytes;
  bad_root[3] = char(0x7f);
  EXPECT_THAT(ParseError(bad_root), HasSubstr("malformed flatbuffer"));
  // Random byte damage anywhere must never crash: either parse or throw.
  cv::RNG rng(42);
  for (int trial = 0; trial < 200; ++trial) {
    std::string damaged = bytes;
    for (int k = 0; k < 8; ++k) damaged[size_t(rng.uniform(8, int(bytes.size())))] = char(rng.uniform(0, 256));
    try {
      ParseTflite(damaged, "damaged.tflite");
    } catch (const FileError&) {
    }
  }
}

TEST(TfliteModel, UnsupportedOperatorIsNamed) {
  DEPTHFORGE_REQUIRE_MIRROR_FILE(path, "models/fast_depth_224.tflite");
  std::string bytes = ReadFileBytes(path);
  // Rewrite the builtin code of the first operator code to MUL (18), in
  // both the int32 and the deprecated int8 field.
  FlatBufferReader reader(bytes, "model");
  FlatTable code = reader.Root().Vector(1)->Table(0);
  size_t builtin = code.FieldPosition(3);
  ASSERT_NE(builtin, 0u);
  int32_t mul = 18;
  std::memcpy(&bytes[builtin], &mul, 4);
  if (size_t deprecated = code.FieldPosition(0)) bytes[deprecated] = char(18);
  std::string error = ParseError(bytes, "mul.tflite");
  EXPECT_THAT(error, HasSubstr("mul.tflite: operator "));
  EXPECT_THAT(error, HasSubstr(" is MUL, which depthforge cannot import (supported: ADD, CONV_2D"));
}

}  // namespace
}  // namespace depthforge
