// The models depthforge knows by name, from models/registry.json (compiled
// into the program).
#pragma once

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
  std::string format;  // "tflite"
  ModelInputSpec input;
  DepthKind output_kind = DepthKind::kMetricDepth;
  float output_min = 0.f, output_max = 0.f;  // plausible output range in the unit of output_kind
};

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
