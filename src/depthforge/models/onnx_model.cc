#include "depthforge/models/onnx_model.h"

#include <algorithm>
#include <cstring>
#include <limits>
#include <set>

#include <onnx/onnx_pb.h>

#include "depthforge/core/error.h"
#include "depthforge/util/atomic_file.h"

namespace depthforge {

std::string ToString(OnnxType type) {
  switch (type) {
    case OnnxType::kUndefined: return "undefined";
    case OnnxType::kFloat: return "float32";
    case OnnxType::kUint8: return "uint8";
    case OnnxType::kInt8: return "int8";
    case OnnxType::kInt32: return "int32";
    case OnnxType::kInt64: return "int64";
    case OnnxType::kBool: return "bool";
    case OnnxType::kFloat16: return "float16";
    case OnnxType::kDouble: return "float64";
  }
  return "type " + std::to_string(int(type));
}

int64_t OnnxTensor::ElementCount() const {
  int64_t count = 1;
  for (int64_t d : dims) count *= d;
  return count;
}

int64_t OnnxNode::Int(const std::string& attribute, int64_t fallback) const {
  auto it = attributes.find(attribute);
  if (it == attributes.end()) return fallback;
  if (it->second.kind != OnnxAttribute::Kind::kInt) throw Error(Describe() + ": attribute " + attribute + " is not an integer");
  return it->second.i;
}

float OnnxNode::Float(const std::string& attribute, float fallback) const {
  auto it = attributes.find(attribute);
  if (it == attributes.end()) return fallback;
  if (it->second.kind == OnnxAttribute::Kind::kInt) return float(it->second.i);
  if (it->second.kind != OnnxAttribute::Kind::kFloat) throw Error(Describe() + ": attribute " + attribute + " is not a number");
  return it->second.f;
}

std::string OnnxNode::String(const std::string& attribute, const std::string& fallback) const {
  auto it = attributes.find(attribute);
  if (it == attributes.end()) return fallback;
  if (it->second.kind != OnnxAttribute::Kind::kString) throw Error(Describe() + ": attribute " + attribute + " is not a string");
  return it->second.s;
}

std::vector<int64_t> OnnxNode::Ints(const std::string& attribute, std::vector<int64_t> fallback) const {
  auto it = attributes.find(attribute);
  if (it == attributes.end()) return fallback;
  if (it->second.kind != OnnxAttribute::Kind::kInts) throw Error(Describe() + ": attribute " + attribute + " is not a list of integers");
  return it->second.ints;
}

std::vector<float> OnnxNode::Floats(const std::string& attribute, std::vector<float> fallback) const {
  auto it = attributes.find(attribute);
  if (it == attributes.end()) return fallback;
  if (it->second.kind != OnnxAttribute::Kind::kFloats) throw Error(Describe() + ": attribute " + attribute + " is not a list of numbers");
  return it->second.floats;
}

const OnnxTensor& OnnxNode::Tensor(const std::string& attribute) const {
  auto it = attributes.find(attribute);
  if (it == attributes.end() || it->second.kind != OnnxAttribute::Kind::kTensor) {
    throw Error(Describe() + ": attribute " + attribute + " is missing or not a tensor");
  }
  return it->second.t;
}

std::string OnnxNode::Describe() const {
  return "node " + std::to_string(index) + " (" + op_type + (name.empty() ? "" : " '" + name + "'") + ")";
}

const std::vector<std::string>& SupportedOnnxOperators() {
  static const std::vector<std::string> kOperators = [] {
    std::vector<std::string> ops = {
        "Abs", "Add", "And", "AveragePool", "BatchNormalization", "Cast", "Ceil", "Clip", "Concat", "Constant",
        "ConstantOfShape", "Conv", "ConvTranspose", "Div", "Dropout", "Elu", "Equal", "Erf", "Exp", "Expand",
        "Flatten", "Floor", "Gather", "Gemm", "GlobalAveragePool", "GlobalMaxPool", "Greater", "HardSigmoid",
        "HardSwish", "Identity", "InstanceNormalization", "LayerNormalization", "LeakyRelu", "Less", "Log",
        "MatMul", "Max", "MaxPool", "Mean", "Min", "Mul", "Neg", "Not", "Or", "Pad", "Pow", "PRelu", "Range",
        "Reciprocal", "ReduceMax", "ReduceMean", "ReduceMin", "ReduceSum", "Relu", "Reshape", "Resize",
        "Shape", "Sigmoid", "Sign", "Slice", "Softmax", "Softplus", "Split", "Sqrt", "Squeeze", "Sub", "Sum",
        "Tanh", "Tile", "Transpose", "Unsqueeze", "Upsample", "Where"};
    std::sort(ops.begin(), ops.end());
    return ops;
  }();
  return kOperators;
}

namespace {

float HalfToFloat(uint16_t h) {
  const uint32_t sign = uint32_t(h & 0x8000) << 16;
  uint32_t exponent = (h >> 10) & 0x1f, mantissa = h & 0x3ff, bits;
  if (exponent == 0x1f) {
    bits = sign | 0x7f800000u | (mantissa << 13);  // inf / NaN
  } else if (exponent != 0) {
    bits = sign | ((exponent + 112) << 23) | (mantissa << 13);
  } else if (mantissa == 0) {
    bits = sign;
  } else {  // subnormal: normalise
    int shift = 0;
    while (!(mantissa & 0x400)) mantissa <<= 1, ++shift;
    mantissa &= 0x3ff;
    bits = sign | (uint32_t(113 - shift) << 23) | (mantissa << 13);
  }
  float f;
  std::memcpy(&f, &bits, sizeof f);
  return f;
}

template <typename T>
std::vector<T> RawValues(const std::string& raw, int64_t count, const std::string& what) {
  if (raw.size() != size_t(count) * sizeof(T)) {
    throw Error(what + " holds " + std::to_string(raw.size()) + " bytes, expected " +
                std::to_string(size_t(count) * sizeof(T)));
  }
  std::vector<T> values(static_cast<size_t>(count));
  if (count > 0) std::memcpy(values.data(), raw.data(), raw.size());
  return values;
}

OnnxTensor ConvertTensor(const onnx::TensorProto& proto, const std::string& what) {
  OnnxTensor tensor;
  tensor.name = proto.name();
  tensor.dims.assign(proto.dims().begin(), proto.dims().end());
  for (int64_t d : tensor.dims) {
    if (d < 0) throw Error(what + " has a negative dimension");
  }
  if (proto.data_location() == onnx::TensorProto::EXTERNAL) {
    throw Error(what + " keeps its data in an external file; save the model with its weights inside (onnx.save with save_as_external_data=False)");
  }
  const int64_t count = tensor.ElementCount();
  const bool raw = proto.has_raw_data();
  auto check_count = [&](size_t n) {
    if (int64_t(n) != count) throw Error(what + " holds " + std::to_string(n) + " values for " + std::to_string(count) + " elements");
  };
  switch (proto.data_type()) {
    case onnx::TensorProto::FLOAT:
      tensor.type = OnnxType::kFloat;
      tensor.floats = raw ? RawValues<float>(proto.raw_data(), count, what)
                          : std::vector<float>(proto.float_data().begin(), proto.float_data().end());
      check_count(tensor.floats.size());
      break;
    case onnx::TensorProto::FLOAT16: {
      // Weights of float16 exports are widened once here; the network runs in float32.
      tensor.type = OnnxType::kFloat16;
      std::vector<uint16_t> halves;
      if (raw) halves = RawValues<uint16_t>(proto.raw_data(), count, what);
      else for (int32_t v : proto.int32_data()) halves.push_back(uint16_t(v));
      check_count(halves.size());
      for (uint16_t h : halves) tensor.floats.push_back(HalfToFloat(h));
      break;
    }
    case onnx::TensorProto::DOUBLE: {
      tensor.type = OnnxType::kDouble;
      std::vector<double> d = raw ? RawValues<double>(proto.raw_data(), count, what)
                                  : std::vector<double>(proto.double_data().begin(), proto.double_data().end());
      check_count(d.size());
      tensor.floats.assign(d.begin(), d.end());
      break;
    }
    case onnx::TensorProto::INT64:
      tensor.type = OnnxType::kInt64;
      tensor.ints = raw ? RawValues<int64_t>(proto.raw_data(), count, what)
                        : std::vector<int64_t>(proto.int64_data().begin(), proto.int64_data().end());
      check_count(tensor.ints.size());
      break;
    case onnx::TensorProto::INT32: {
      tensor.type = OnnxType::kInt32;
      std::vector<int32_t> v = raw ? RawValues<int32_t>(proto.raw_data(), count, what)
                                   : std::vector<int32_t>(proto.int32_data().begin(), proto.int32_data().end());
      check_count(v.size());
      tensor.ints.assign(v.begin(), v.end());
      break;
    }
    case onnx::TensorProto::INT8:
    case onnx::TensorProto::UINT8:
    case onnx::TensorProto::BOOL: {
      const auto type = proto.data_type();
      tensor.type = type == onnx::TensorProto::INT8 ? OnnxType::kInt8 : type == onnx::TensorProto::UINT8 ? OnnxType::kUint8 : OnnxType::kBool;
      if (raw) {
        const std::string& bytes = proto.raw_data();
        check_count(bytes.size());
        for (char c : bytes) tensor.ints.push_back(type == onnx::TensorProto::INT8 ? int64_t(int8_t(c)) : int64_t(uint8_t(c)));
      } else {
        tensor.ints.assign(proto.int32_data().begin(), proto.int32_data().end());
        check_count(tensor.ints.size());
      }
      break;
    }
    default:
      throw Error(what + " has data type " + std::to_string(proto.data_type()) + ", which depthforge does not read");
  }
  return tensor;
}

OnnxValueInfo ConvertValueInfo(const onnx::ValueInfoProto& proto) {
  OnnxValueInfo info;
  info.name = proto.name();
  if (proto.type().has_tensor_type()) {
    const auto& tensor_type = proto.type().tensor_type();
    info.type = OnnxType(tensor_type.elem_type());
    for (const auto& dim : tensor_type.shape().dim()) info.dims.push_back(dim.has_dim_value() ? dim.dim_value() : -1);
  }
  return info;
}

OnnxAttribute ConvertAttribute(const onnx::AttributeProto& proto, const std::string& what) {
  OnnxAttribute a;
  switch (proto.type()) {
    case onnx::AttributeProto::FLOAT: a.kind = OnnxAttribute::Kind::kFloat; a.f = proto.f(); break;
    case onnx::AttributeProto::INT: a.kind = OnnxAttribute::Kind::kInt; a.i = proto.i(); break;
    case onnx::AttributeProto::STRING: a.kind = OnnxAttribute::Kind::kString; a.s = proto.s(); break;
    case onnx::AttributeProto::TENSOR: a.kind = OnnxAttribute::Kind::kTensor; a.t = ConvertTensor(proto.t(), what); break;
    case onnx::AttributeProto::FLOATS:
      a.kind = OnnxAttribute::Kind::kFloats;
      a.floats.assign(proto.floats().begin(), proto.floats().end());
      break;
    case onnx::AttributeProto::INTS:
      a.kind = OnnxAttribute::Kind::kInts;
      a.ints.assign(proto.ints().begin(), proto.ints().end());
      break;
    case onnx::AttributeProto::STRINGS:
      a.kind = OnnxAttribute::Kind::kStrings;
      a.strings.assign(proto.strings().begin(), proto.strings().end());
      break;
    default:
      throw Error(what + " is a graph or a list of tensors, which depthforge does not import");
  }
  return a;
}

}  // namespace

OnnxModel ParseOnnx(const std::string& bytes, const std::string& name) {
  onnx::ModelProto proto;
  if (bytes.size() > size_t(std::numeric_limits<int>::max()) || !proto.ParseFromString(bytes) || !proto.has_graph()) {
    throw FileError(name, "not an ONNX model (the protobuf does not parse as a ModelProto with a graph)");
  }
  OnnxModel model;
  model.name = name;
  model.producer = proto.producer_name() + (proto.producer_version().empty() ? "" : " " + proto.producer_version());
  for (const auto& opset : proto.opset_import()) {
    if (opset.domain().empty() || opset.domain() == "ai.onnx") model.opset = opset.version();
  }
  if (model.opset < kMinOnnxOpset || model.opset > kMaxOnnxOpset) {
    throw FileError(name, "opset " + std::to_string(model.opset) + " is not supported (depthforge imports opsets " +
                              std::to_string(kMinOnnxOpset) + " to " + std::to_string(kMaxOnnxOpset) +
                              "; convert it with onnx.version_converter)");
  }
  const onnx::GraphProto& graph = proto.graph();
  std::set<std::string> constant_names;
  try {
    for (const auto& initializer : graph.initializer()) {
      model.initializers.push_back(ConvertTensor(initializer, "initializer '" + initializer.name() + "'"));
      constant_names.insert(initializer.name());
    }
  } catch (const FileError&) {
    throw;
  } catch (const Error& e) {
    throw FileError(name, e.what());
  }
  for (const auto& input : graph.input()) {
    if (!constant_names.count(input.name())) model.inputs.push_back(ConvertValueInfo(input));
  }
  for (const auto& output : graph.output()) model.outputs.push_back(ConvertValueInfo(output));

  const auto& supported = SupportedOnnxOperators();
  std::vector<std::string> missing;
  for (int i = 0; i < graph.node_size(); ++i) {
    const onnx::NodeProto& n = graph.node(i);
    OnnxNode node;
    node.index = i;
    node.op_type = n.op_type();
    node.name = n.name();
    node.inputs.assign(n.input().begin(), n.input().end());
    node.outputs.assign(n.output().begin(), n.output().end());
    if (!n.domain().empty() && n.domain() != "ai.onnx") {
      throw FileError(name, node.Describe() + ": operator of domain '" + n.domain() + "', which depthforge does not import");
    }
    if (!std::binary_search(supported.begin(), supported.end(), node.op_type)) {
      if (std::find(missing.begin(), missing.end(), node.op_type) == missing.end()) missing.push_back(node.op_type);
      continue;
    }
    try {
      for (const auto& attribute : n.attribute()) {
        node.attributes[attribute.name()] = ConvertAttribute(attribute, node.Describe() + " attribute " + attribute.name());
      }
    } catch (const Error& e) {
      throw FileError(name, e.what());
    }
    model.nodes.push_back(std::move(node));
  }
  if (!missing.empty()) {
    std::string list;
    for (const std::string& op : missing) list += (list.empty() ? "" : ", ") + op;
    throw FileError(name, "operator" + std::string(missing.size() > 1 ? "s " : " ") + list +
                              (missing.size() > 1 ? " are" : " is") + " not supported by depthforge's ONNX importer");
  }
  if (model.inputs.size() != 1) {
    throw FileError(name, "expected one image input, the graph has " + std::to_string(model.inputs.size()));
  }
  if (model.outputs.empty()) throw FileError(name, "the graph has no output");
  return model;
}

OnnxModel ReadOnnx(const std::string& path) { return ParseOnnx(ReadFileBytes(path), path); }

}  // namespace depthforge
