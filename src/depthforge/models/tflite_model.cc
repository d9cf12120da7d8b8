#include "depthforge/models/tflite_model.h"

#include <cstring>
#include <map>

#include "depthforge/core/error.h"
#include "depthforge/models/flatbuffer.h"
#include "depthforge/util/atomic_file.h"

namespace depthforge {
namespace {

// Schema field indices (order of declaration in schema.fbs).
namespace model_field { enum { kVersion, kOperatorCodes, kSubgraphs, kDescription, kBuffers }; }
namespace operator_code_field { enum { kDeprecatedBuiltinCode, kCustomCode, kVersion, kBuiltinCode }; }
namespace subgraph_field { enum { kTensors, kInputs, kOutputs, kOperators, kName }; }
namespace tensor_field { enum { kShape, kType, kBuffer, kName, kQuantization }; }
namespace quantization_field { enum { kMin, kMax, kScale, kZeroPoint, kDetailsType, kDetails, kQuantizedDimension }; }
namespace operator_field { enum { kOpcodeIndex, kInputs, kOutputs, kBuiltinOptionsType, kBuiltinOptions }; }
namespace buffer_field { enum { kData, kOffset, kSize }; }
namespace conv_field { enum { kPadding, kStrideW, kStrideH, kActivation, kDilationW, kDilationH }; }
namespace depthwise_field { enum { kPadding, kStrideW, kStrideH, kDepthMultiplier, kActivation, kDilationW, kDilationH }; }
namespace add_field { enum { kActivation }; }
namespace resize_field { enum { kAlignCorners, kHalfPixelCenters }; }

size_t TypeSize(TfliteType type) {
  switch (type) {
    case TfliteType::kFloat32: case TfliteType::kInt32: return 4;
    case TfliteType::kFloat16: case TfliteType::kInt16: return 2;
    case TfliteType::kUint8: case TfliteType::kInt8: case TfliteType::kBool: return 1;
    case TfliteType::kInt64: case TfliteType::kComplex64: return 8;
    default: return 0;
  }
}

float HalfToFloat(uint16_t half) {
  uint32_t sign = uint32_t(half & 0x8000) << 16;
  int exponent = (half >> 10) & 0x1f;
  uint32_t mantissa = half & 0x3ff;
  uint32_t bits;
  if (exponent == 0) {
    if (mantissa == 0) {
      bits = sign;
    } else {  // subnormal: normalise
      exponent = 1;
      while ((mantissa & 0x400) == 0) { mantissa <<= 1; --exponent; }
      mantissa &= 0x3ff;
      bits = sign | (uint32_t(exponent + 112) << 23) | (mantissa << 13);
    }
  } else if (exponent == 31) {
    bits = sign | 0x7f800000 | (mantissa << 13);
  } else {
    bits = sign | (uint32_t(exponent + 112) << 23) | (mantissa << 13);
  }
  float value;
  std::memcpy(&value, &bits, 4);
  return value;
}

bool IsSupported(int32_t code) {
  switch (TfliteBuiltin(code)) {
    case TfliteBuiltin::kAdd: case TfliteBuiltin::kConv2d: case TfliteBuiltin::kDepthwiseConv2d:
    case TfliteBuiltin::kDequantize: case TfliteBuiltin::kResizeNearestNeighbor: case TfliteBuiltin::kPad:
    case TfliteBuiltin::kQuantize:
      return true;
  }
  return false;
}

std::vector<int> IntVector(const std::optional<FlatVector>& vector) {
  std::vector<int> values;
  if (!vector) return values;
  for (uint32_t i = 0; i < vector->length; ++i) values.push_back(vector->Scalar<int32_t>(i));
  return values;
}

}  // namespace

std::string BuiltinOperatorName(int32_t code) {
  static const std::map<int32_t, std::string> kNames = {
      {0, "ADD"}, {1, "AVERAGE_POOL_2D"}, {2, "CONCATENATION"}, {3, "CONV_2D"}, {4, "DEPTHWISE_CONV_2D"},
      {5, "DEPTH_TO_SPACE"}, {6, "DEQUANTIZE"}, {9, "FULLY_CONNECTED"}, {14, "LOGISTIC"}, {17, "MAX_POOL_2D"},
      {18, "MUL"}, {19, "RELU"}, {21, "RELU6"}, {22, "RESHAPE"}, {23, "RESIZE_BILINEAR"},
      {25, "SOFTMAX"}, {28, "TANH"}, {34, "PAD"}, {39, "TRANSPOSE"}, {40, "MEAN"}, {41, "SUB"},
      {42, "DIV"}, {45, "STRIDED_SLICE"}, {49, "SPLIT"}, {53, "CAST"}, {60, "PADV2"},
      {67, "TRANSPOSE_CONV"}, {77, "PACK"}, {97, "RESIZE_NEAREST_NEIGHBOR"},
      {98, "LEAKY_RELU"}, {114, "QUANTIZE"}, {117, "HARD_SWISH"}};
  auto found = kNames.find(code);
  return found != kNames.end() ? found->second : "builtin code " + std::to_string(code);
}

std::string ToString(TfliteType type) {
  static const char* kNames[] = {"FLOAT32", "FLOAT16", "INT32", "UINT8", "INT64", "STRING",
                                 "BOOL", "INT16", "COMPLEX64", "INT8"};
  int index = int(type);
  return index >= 0 && index < 10 ? kNames[index] : "type " + std::to_string(index);
}

int TfliteModel::SizeMultiple() const {
  int product = 1;
  for (const TfliteOperator& op : operators) {
    if (op.builtin == TfliteBuiltin::kConv2d || op.builtin == TfliteBuiltin::kDepthwiseConv2d) {
      product *= std::max(op.stride_h, op.stride_w);
    }
  }
  return product;
}

bool TfliteModel::HasData(int tensor) const {
  int buffer = tensors.at(size_t(tensor)).buffer;
  return buffer > 0 && size_t(buffer) < buffers.size() && !buffers[size_t(buffer)].empty();
}

std::vector<float> TfliteModel::DequantizedData(int index) const {
  const TfliteTensor& tensor = tensors.at(size_t(index));
  if (!HasData(index)) throw FileError(name, "tensor '" + tensor.name + "' has no constant data");
  const std::string& raw = buffers[size_t(tensor.buffer)];
  size_t element_size = TypeSize(tensor.type);
  if (element_size == 0) throw FileError(name, "tensor '" + tensor.name + "' has unsupported type " + ToString(tensor.type));
  size_t count = 1;
  for (int d : tensor.shape) count *= size_t(d);
  if (raw.size() != count * element_size) {
    throw FileError(name, "tensor '" + tensor.name + "' holds " + std::to_string(raw.size()) + " bytes, its shape needs " +
                              std::to_string(count * element_size));
  }
  std::vector<float> values(count);
  // Elements between successive steps of the quantised dimension.
  size_t inner = 1;
  size_t channels = 1;
  if (tensor.scales.size() > 1) {
    int dim = tensor.quantized_dimension;
    if (dim < 0 || size_t(dim) >= tensor.shape.size() || size_t(tensor.shape[size_t(dim)]) != tensor.scales.size()) {
      throw FileError(name, "tensor '" + tensor.name + "' has " + std::to_string(tensor.scales.size()) +
                                " scales that do not match its quantized dimension");
    }
    for (size_t d = size_t(dim) + 1; d < tensor.shape.size(); ++d) inner *= size_t(tensor.shape[d]);
    channels = tensor.scales.size();
  }
  const char* data = raw.data();
  for (size_t i = 0; i < count; ++i) {
    double q;
    switch (tensor.type) {
      case TfliteType::kFloat32: { float f; std::memcpy(&f, data + 4 * i, 4); q = f; break; }
      case TfliteType::kFloat16: { uint16_t h; std::memcpy(&h, data + 2 * i, 2); q = HalfToFloat(h); break; }
      case TfliteType::kInt32: { int32_t v; std::memcpy(&v, data + 4 * i, 4); q = v; break; }
      case TfliteType::kInt16: { int16_t v; std::memcpy(&v, data + 2 * i, 2); q = v; break; }
      case TfliteType::kInt8: q = int8_t(data[i]); break;
      case TfliteType::kUint8: q = uint8_t(data[i]); break;
      case TfliteType::kInt64: { int64_t v; std::memcpy(&v, data + 8 * i, 8); q = double(v); break; }
      default: throw FileError(name, "tensor '" + tensor.name + "' has unsupported type " + ToString(tensor.type));
    }
    bool is_float = tensor.type == TfliteType::kFloat32 || tensor.type == TfliteType::kFloat16;
    if (!tensor.scales.empty() && !is_float) {
      size_t channel = channels > 1 ? (i / inner) % channels : 0;
      int64_t zero = tensor.zero_points.empty() ? 0 : tensor.zero_points[std::min(channel, tensor.zero_points.size() - 1)];
      q = double(tensor.scales[channel]) * (q - double(zero));
    }
    values[i] = float(q);
  }
  return values;
}

std::vector<int32_t> TfliteModel::Int32Data(int index) const {
  const TfliteTensor& tensor = tensors.at(size_t(index));
  if (!HasData(index)) throw FileError(name, "tensor '" + tensor.name + "' has no constant data");
  const std::string& raw = buffers[size_t(tensor.buffer)];
  std::vector<int32_t> values;
  if (tensor.type == TfliteType::kInt32) {
    values.resize(raw.size() / 4);
    std::memcpy(values.data(), raw.data(), values.size() * 4);
  } else if (tensor.type == TfliteType::kInt64) {
    for (size_t i = 0; i + 8 <= raw.size(); i += 8) {
      int64_t v;
      std::memcpy(&v, raw.data() + i, 8);
      values.push_back(int32_t(v));
    }
  } else {
    throw FileError(name, "tensor '" + tensor.name + "' should hold integers, has " + ToString(tensor.type));
  }
  return values;
}

namespace {

// The builtin code of every operator code table; custom operators are refused.
std::vector<int32_t> ParseOperatorCodes(const FlatTable& root, const std::string& name) {
  std::vector<int32_t> builtins;
  if (auto codes = root.Vector(model_field::kOperatorCodes)) {
    for (uint32_t i = 0; i < codes->length; ++i) {
      FlatTable code = codes->Table(i);
      // Newer files store the code in builtin_code; older ones only in the
      // deprecated int8 field (the larger of the two is the real one).
      int32_t deprecated = code.Scalar<int8_t>(operator_code_field::kDeprecatedBuiltinCode, 0);
      int32_t builtin = code.Scalar<int32_t>(operator_code_field::kBuiltinCode, 0);
      int32_t value = std::max(deprecated, builtin);
      if (value == 32 /* CUSTOM */) {
        std::string custom = code.String(operator_code_field::kCustomCode);
        throw FileError(name, "uses the custom operator '" + custom + "', which depthforge cannot import");
      }
      builtins.push_back(value);
    }
  }
  return builtins;
}

std::vector<std::string> ParseBuffers(const FlatTable& root, const std::string& name) {
  std::vector<std::string> result;
  if (auto buffers = root.Vector(model_field::kBuffers)) {
    for (uint32_t i = 0; i < buffers->length; ++i) {
      FlatTable buffer = buffers->Table(i);
      if (buffer.Has(buffer_field::kOffset) && buffer.Scalar<uint64_t>(buffer_field::kOffset, 0) > 1) {
        throw FileError(name, "buffer " + std::to_string(i) + " is stored outside the flatbuffer (>2 GB model format), not supported");
      }
      auto data = buffer.Vector(buffer_field::kData);
      result.emplace_back(data ? std::string(data->Bytes()) : std::string());
    }
  }
  return result;
}

TfliteTensor ParseTensor(const FlatTable& table, size_t buffer_count, const std::string& name) {
  TfliteTensor tensor;
  tensor.name = table.String(tensor_field::kName);
  tensor.shape = IntVector(table.Vector(tensor_field::kShape));
  for (int d : tensor.shape) {
    if (d < 0) throw FileError(name, "tensor '" + tensor.name + "' has a dynamic or negative dimension");
  }
  tensor.type = TfliteType(table.Scalar<int8_t>(tensor_field::kType, 0));
  tensor.buffer = int(table.Scalar<uint32_t>(tensor_field::kBuffer, 0));
  if (tensor.buffer < 0 || size_t(tensor.buffer) >= std::max<size_t>(buffer_count, 1)) {
    throw FileError(name, "tensor '" + tensor.name + "' refers to missing buffer " + std::to_string(tensor.buffer));
  }
  if (auto quantization = table.Table(tensor_field::kQuantization)) {
    if (auto scales = quantization->Vector(quantization_field::kScale)) {
      for (uint32_t k = 0; k < scales->length; ++k) tensor.scales.push_back(scales->Scalar<float>(k));
    }
    if (auto zeros = quantization->Vector(quantization_field::kZeroPoint)) {
      for (uint32_t k = 0; k < zeros->length; ++k) tensor.zero_points.push_back(zeros->Scalar<int64_t>(k));
    }
    tensor.quantized_dimension = quantization->Scalar<int32_t>(quantization_field::kQuantizedDimension, 0);
  }
  return tensor;
}

// The builtin options of the operators depthforge imports.
void ParseOperatorOptions(const FlatTable& options, TfliteOperator& op) {
  switch (op.builtin) {
    case TfliteBuiltin::kConv2d:
      op.padding_same = options.Scalar<int8_t>(conv_field::kPadding, 0) == 0;
      op.stride_w = options.Scalar<int32_t>(conv_field::kStrideW, 0);
      op.stride_h = options.Scalar<int32_t>(conv_field::kStrideH, 0);
      op.activation = TfliteActivation(options.Scalar<int8_t>(conv_field::kActivation, 0));
      op.dilation_w = options.Scalar<int32_t>(conv_field::kDilationW, 1);
      op.dilation_h = options.Scalar<int32_t>(conv_field::kDilationH, 1);
      break;
    case TfliteBuiltin::kDepthwiseConv2d:
      op.padding_same = options.Scalar<int8_t>(depthwise_field::kPadding, 0) == 0;
      op.stride_w = options.Scalar<int32_t>(depthwise_field::kStrideW, 0);
      op.stride_h = options.Scalar<int32_t>(depthwise_field::kStrideH, 0);
      op.depth_multiplier = options.Scalar<int32_t>(depthwise_field::kDepthMultiplier, 0);
      op.activation = TfliteActivation(options.Scalar<int8_t>(depthwise_field::kActivation, 0));
      op.dilation_w = options.Scalar<int32_t>(depthwise_field::kDilationW, 1);
      op.dilation_h = options.Scalar<int32_t>(depthwise_field::kDilationH, 1);
      break;
    case TfliteBuiltin::kAdd:
      op.activation = TfliteActivation(options.Scalar<int8_t>(add_field::kActivation, 0));
      break;
    case TfliteBuiltin::kResizeNearestNeighbor:
      op.align_corners = options.Scalar<uint8_t>(resize_field::kAlignCorners, 0) != 0;
      op.half_pixel_centers = options.Scalar<uint8_t>(resize_field::kHalfPixelCenters, 0) != 0;
      break;
    default:
      break;
  }
}

TfliteOperator ParseOperator(const FlatTable& table, uint32_t i, const std::vector<int32_t>& opcode_builtins,
                             size_t tensor_count, const std::string& name) {
  uint32_t opcode = table.Scalar<uint32_t>(operator_field::kOpcodeIndex, 0);
  if (opcode >= opcode_builtins.size()) {
    throw FileError(name, "operator " + std::to_string(i) + " refers to missing operator code " + std::to_string(opcode));
  }
  int32_t code = opcode_builtins[opcode];
  if (!IsSupported(code)) {
    throw FileError(name, "operator " + std::to_string(i) + " is " + BuiltinOperatorName(code) +
                              ", which depthforge cannot import (supported: ADD, CONV_2D, DEPTHWISE_CONV_2D, "
                              "DEQUANTIZE, PAD, QUANTIZE, RESIZE_NEAREST_NEIGHBOR)");
  }
  TfliteOperator op;
  op.index = int(i);
  op.builtin = TfliteBuiltin(code);
  op.inputs = IntVector(table.Vector(operator_field::kInputs));
  op.outputs = IntVector(table.Vector(operator_field::kOutputs));
  for (const std::vector<int>* list : {&op.inputs, &op.outputs}) {
    for (int t : *list) {
      if (t < -1 || t >= int(tensor_count)) {
        throw FileError(name, "operator " + std::to_string(i) + " refers to missing tensor " + std::to_string(t));
      }
    }
  }
  if (auto options = table.Table(operator_field::kBuiltinOptions)) ParseOperatorOptions(*options, op);
  bool is_conv = op.builtin == TfliteBuiltin::kConv2d || op.builtin == TfliteBuiltin::kDepthwiseConv2d;
  if (is_conv && (op.stride_h <= 0 || op.stride_w <= 0 || op.dilation_h <= 0 || op.dilation_w <= 0)) {
    throw FileError(name, "operator " + std::to_string(i) + " (" + BuiltinOperatorName(code) + ") has a non-positive stride or dilation");
  }
  if (int(op.activation) < 0 || int(op.activation) > 4) {
    throw FileError(name, "operator " + std::to_string(i) + " has unsupported fused activation " + std::to_string(int(op.activation)));
  }
  return op;
}

}  // namespace

TfliteModel ParseTflite(const std::string& bytes, const std::string& name) {
  FlatBufferReader reader(bytes, name);
  if (bytes.size() < 8) throw FileError(name, "not a TFLite model: file is only " + std::to_string(bytes.size()) + " bytes");
  if (reader.Identifier() != "TFL3") throw FileError(name, "not a TFLite model (file identifier is not TFL3)");
  FlatTable root = reader.Root();

  TfliteModel model;
  model.name = name;
  model.description = root.String(model_field::kDescription);
  std::vector<int32_t> opcode_builtins = ParseOperatorCodes(root, name);
  model.buffers = ParseBuffers(root, name);

  auto subgraphs = root.Vector(model_field::kSubgraphs);
  if (!subgraphs || subgraphs->length == 0) throw FileError(name, "not a TFLite model: it has no subgraph");
  if (subgraphs->length > 1) {
    throw FileError(name, "has " + std::to_string(subgraphs->length) + " subgraphs; depthforge imports single-graph models");
  }
  FlatTable graph = subgraphs->Table(0);
  model.inputs = IntVector(graph.Vector(subgraph_field::kInputs));
  model.outputs = IntVector(graph.Vector(subgraph_field::kOutputs));
  if (auto tensors = graph.Vector(subgraph_field::kTensors)) {
    for (uint32_t i = 0; i < tensors->length; ++i) model.tensors.push_back(ParseTensor(tensors->Table(i), model.buffers.size(), name));
  }
  for (const std::vector<int>* list : {&model.inputs, &model.outputs}) {
    for (int index : *list) {
      if (index < -1 || index >= int(model.tensors.size())) {
        throw FileError(name, "the graph's input or output refers to missing tensor " + std::to_string(index));
      }
    }
  }
  if (auto operators = graph.Vector(subgraph_field::kOperators)) {
    for (uint32_t i = 0; i < operators->length; ++i) {
      model.operators.push_back(ParseOperator(operators->Table(i), i, opcode_builtins, model.tensors.size(), name));
    }
  }
  if (model.operators.empty()) throw FileError(name, "not a usable TFLite model: it has no operators");
  if (model.inputs.size() != 1 || model.outputs.size() != 1) {
    throw FileError(name, "expected one input and one output tensor, found " + std::to_string(model.inputs.size()) +
                              " and " + std::to_string(model.outputs.size()));
  }
  return model;
}

TfliteModel ReadTflite(const std::string& path) {
  return ParseTflite(ReadFileBytes(path), path);
}

}  // namespace depthforge
