// The parts of a TensorFlow Lite model (.tflite flatbuffer) that depthforge
// imports: tensors with their quantisation, constant buffers and the
// operator list of the main subgraph. Field numbers follow TFLite's
// published schema (schema.fbs).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace depthforge {

enum class TfliteType : int8_t {
  kFloat32 = 0, kFloat16 = 1, kInt32 = 2, kUint8 = 3, kInt64 = 4, kString = 5,
  kBool = 6, kInt16 = 7, kComplex64 = 8, kInt8 = 9,
};

// Builtin operator codes from the schema; only those we import are named.
enum class TfliteBuiltin : int32_t {
  kAdd = 0, kConv2d = 3, kDepthwiseConv2d = 4, kDequantize = 6,
  kPad = 34, kResizeNearestNeighbor = 97, kQuantize = 114,
};

enum class TfliteActivation : int8_t { kNone = 0, kRelu = 1, kReluN1To1 = 2, kRelu6 = 3, kTanh = 4 };

struct TfliteTensor {
  std::string name;
  std::vector<int> shape;  // NHWC for images, [out,kh,kw,in] for conv weights
  TfliteType type = TfliteType::kFloat32;
  int buffer = 0;  // index into TfliteModel::buffers; 0 = no data
  std::vector<float> scales;         // empty when not quantised
  std::vector<int64_t> zero_points;
  int quantized_dimension = 0;
};

struct TfliteOperator {
  int index = 0;  // position in the subgraph, for messages
  TfliteBuiltin builtin = TfliteBuiltin::kAdd;
  std::vector<int> inputs;   // tensor indices; -1 = optional input absent
  std::vector<int> outputs;
  // Options of CONV_2D / DEPTHWISE_CONV_2D / ADD / RESIZE_NEAREST_NEIGHBOR.
  bool padding_same = true;
  int stride_h = 1, stride_w = 1;
  int dilation_h = 1, dilation_w = 1;
  int depth_multiplier = 1;
  TfliteActivation activation = TfliteActivation::kNone;
  bool align_corners = false;
  bool half_pixel_centers = false;
};

struct TfliteModel {
  std::string name;  // file name, for messages
  std::string description;
  std::vector<TfliteTensor> tensors;
  std::vector<TfliteOperator> operators;
  std::vector<int> inputs, outputs;
  std::vector<std::string> buffers;

  // Real values of a constant tensor: scale * (q - zero_point) per channel
  // along quantized_dimension, or the stored floats. Throws for tensors
  // without data.
  std::vector<float> DequantizedData(int tensor) const;
  std::vector<int32_t> Int32Data(int tensor) const;
  bool HasData(int tensor) const;

  // NHWC shape of the input / output image tensors.
  const std::vector<int>& InputShape() const { return tensors.at(size_t(inputs.at(0))).shape; }
  const std::vector<int>& OutputShape() const { return tensors.at(size_t(outputs.at(0))).shape; }
  // Input sizes must be multiples of this (the product of the strides).
  int SizeMultiple() const;
};

// Names a builtin operator code ("CONV_2D"), or "builtin code N".
std::string BuiltinOperatorName(int32_t code);
std::string ToString(TfliteType type);

// Parses and validates; throws FileError naming the file and the problem:
// malformed data, several subgraphs, or an operator depthforge cannot import.
TfliteModel ParseTflite(const std::string& bytes, const std::string& name);
TfliteModel ReadTflite(const std::string& path);

}  // namespace depthforge
