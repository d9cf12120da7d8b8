// The models depthforge knows by name, from models/registry.json (compiled
// into the program).
#pragma once

#include <array>
#include <string>
#include <vector>

#include "depthforge/core/depth_map.h"

namespace depthforge {

struct ModelInputSpec {
  int width = 224;
  int height = 224;
  std::string color = "rgb";         // channel order the network expects
  float range_min = 0.f, range_max = 1.f;  // pixel values map 0..255 to this range
  // How the training images were framed: resize to this height, then
  // centre-crop (crop_height × crop_width), then resize to width × height.
  int train_resize_height = 0;       // 0 = the whole image was resized
  int train_crop_height = 0, train_crop_width = 0;
  // Then per channel (in the network's colour order): (value - mean) / std.
  std::array<float, 3> mean{0.f, 0.f, 0.f};
  std::array<float, 3> std{1.f, 1.f, 1.f};
  // > 0: the network takes any size that is a multiple of this. A photo
  // keeps its aspect ratio, its shorter side at min(width, height) rounded
  // up to the multiple (DPT's "lower bound" resize). 0: exactly width × height.
  int multiple_of = 0;
};

struct ModelSpec {
  std::string name;
  std::string description;
  std::string file;    // file name in the cache and the mirror
  std::string url;
  std::string sha256;
  int64_t size = 0;    // bytes
  std::string licence;
  std::string paper;
  std::string format;  // "tflite" | "onnx"
  ModelInputSpec input;
  DepthKind output_kind = DepthKind::kMetricDepth;
  float output_min = 0.f, output_max = 0.f;  // plausible output range in the unit of output_kind
  float output_scale = 1.f;  // the network's output times this is in the unit of output_kind
  std::string card;          // what the model is good and bad at, for `models list`
};

// The description of an ONNX model's input and output: the sidecar JSON
// beside a user's model.onnx (model.json), or an ONNX entry's "sidecar" in
// the registry. Keys (docs/MODELS.md):
//   "input_size": [W, H]        the training size (required unless multiple_of)
//   "multiple_of": M            any size that is a multiple of M, aspect kept
//   "color": "RGB" | "BGR"      default RGB
//   "scale": s                  pixel values 0..255 times s (default 1/255)
//   "mean", "std": [3 values]   then (value - mean) / std (default 0 and 1)
//   "output": "metric" | "inverse-relative"
//   "output_scale": k           the output times k is metres or inverse depth (default 1)
// Fills spec.input and the output fields; throws FileError(source, ...)
// naming the key that is missing or wrong.
void ParseOnnxSidecar(const std::string& json, const std::string& source, ModelSpec& spec);
// The sidecar of 'onnx_path' (same path, extension .json) as a full spec
// named after the file. Throws FileError when it is missing or malformed.
ModelSpec ReadOnnxSidecar(const std::string& onnx_path);

class ModelRegistry {
 public:
  // Throws Error naming 'source' when the JSON is malformed or incomplete.
  static ModelRegistry Parse(const std::string& json, const std::string& source);
  static const ModelRegistry& Builtin();

  const std::vector<ModelSpec>& models() const { return models_; }
  const std::string& default_model() const { return default_model_; }
  // Throws OptionError listing the known names.
  const ModelSpec& Find(const std::string& name) const;
  bool Contains(const std::string& name) const;

 private:
  std::vector<ModelSpec> models_;
  std::string default_model_;
};

const char* BuiltinRegistryJson();  // generated from models/registry.json

}  // namespace depthforge
