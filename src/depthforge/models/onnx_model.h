// The parts of an ONNX model (.onnx protobuf) that depthforge imports: the
// main graph's nodes in order, its constant tensors, inputs and outputs, and
// the opset. Parsed with Debian's libonnx (its generated protobuf classes);
// nothing of protobuf shows in this header. The graph runs in LibTorch
// (onnx_torch_network.cc); this side has no torch.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace depthforge {

// ONNX TensorProto data types that depthforge reads (onnx.proto numbering).
enum class OnnxType : int32_t {
  kUndefined = 0, kFloat = 1, kUint8 = 2, kInt8 = 3, kInt32 = 6, kInt64 = 7, kBool = 9,
  kFloat16 = 10, kDouble = 11,
};
std::string ToString(OnnxType type);

// A constant tensor. Floating point data (float, float16, double) is held
// as float, integer and boolean data as int64: every network we import
// computes in float32, and shapes and indices are int64 in ONNX.
struct OnnxTensor {
  std::string name;
  std::vector<int64_t> dims;  // empty = scalar
  OnnxType type = OnnxType::kFloat;
  std::vector<float> floats;   // when IsFloating(type)
  std::vector<int64_t> ints;   // otherwise
  int64_t ElementCount() const;
  bool IsFloating() const { return type == OnnxType::kFloat || type == OnnxType::kFloat16 || type == OnnxType::kDouble; }
};

struct OnnxAttribute {
  enum class Kind { kFloat, kInt, kString, kTensor, kFloats, kInts, kStrings };
  Kind kind = Kind::kInt;
  float f = 0;
  int64_t i = 0;
  std::string s;
  OnnxTensor t;
  std::vector<float> floats;
  std::vector<int64_t> ints;
  std::vector<std::string> strings;
};

struct OnnxNode {
  int index = 0;  // position in the graph, for messages
  std::string op_type, name;
  std::vector<std::string> inputs;   // "" = an optional input left out
  std::vector<std::string> outputs;
  std::map<std::string, OnnxAttribute> attributes;

  bool Has(const std::string& attribute) const { return attributes.count(attribute) > 0; }
  // An attribute's value, or 'fallback' when absent; throws when it has another kind.
  int64_t Int(const std::string& attribute, int64_t fallback) const;
  float Float(const std::string& attribute, float fallback) const;
  std::string String(const std::string& attribute, const std::string& fallback) const;
  std::vector<int64_t> Ints(const std::string& attribute, std::vector<int64_t> fallback = {}) const;
  std::vector<float> Floats(const std::string& attribute, std::vector<float> fallback = {}) const;
  const OnnxTensor& Tensor(const std::string& attribute) const;
  // "node 12 (Conv 'conv1')", for messages.
  std::string Describe() const;
};

struct OnnxValueInfo {
  std::string name;
  std::vector<int64_t> dims;  // -1 = named or unknown dimension
  OnnxType type = OnnxType::kFloat;
};

struct OnnxModel {
  std::string name;  // file name, for messages
  std::string producer;
  int64_t opset = 0;  // of the default ("ai.onnx") domain
  std::vector<OnnxNode> nodes;  // topologically sorted, as ONNX requires
  std::vector<OnnxTensor> initializers;
  std::vector<OnnxValueInfo> inputs;  // graph inputs that are not initializers
  std::vector<OnnxValueInfo> outputs;
};

// The opsets whose operator semantics the importer implements.
constexpr int64_t kMinOnnxOpset = 9, kMaxOnnxOpset = 17;

// The operators the importer runs, sorted.
const std::vector<std::string>& SupportedOnnxOperators();

// Parses and validates; throws FileError naming the file and the problem:
// not an ONNX model, an opset outside 9..17, data kept in external files,
// an operator of another domain or one the importer lacks (named, with the
// node), or a graph without exactly one image input.
OnnxModel ParseOnnx(const std::string& bytes, const std::string& name);
OnnxModel ReadOnnx(const std::string& path);

}  // namespace depthforge
