#include "depthforge/models/model_registry.h"

#include <algorithm>
#include <cmath>
#include <filesystem>

#include <nlohmann/json.hpp>

#include "depthforge/core/error.h"
#include "depthforge/util/atomic_file.h"

namespace depthforge {

ModelRegistry ModelRegistry::Parse(const std::string& text, const std::string& source) {
  ModelRegistry registry;
  try {
    nlohmann::json json = nlohmann::json::parse(text);
    registry.default_model_ = json.at("default").get<std::string>();
    for (const auto& entry : json.at("models")) {
      ModelSpec spec;
      spec.name = entry.at("name").get<std::string>();
      spec.description = entry.value("description", "");
      spec.file = entry.at("file").get<std::string>();
      spec.url = entry.at("url").get<std::string>();
      spec.sha256 = entry.at("sha256").get<std::string>();
      spec.size = entry.at("size").get<int64_t>();
      spec.licence = entry.value("licence", "");
      spec.paper = entry.value("paper", "");
      spec.format = entry.at("format").get<std::string>();
      spec.card = entry.value("card", "");
      if (spec.format == "onnx") {
        ParseOnnxSidecar(entry.at("sidecar").dump(), "model '" + spec.name + "' sidecar", spec);
        if (spec.sha256.size() != 64) throw Error("model '" + spec.name + "' has a malformed sha256");
        registry.models_.push_back(std::move(spec));
        continue;
      }
      const auto& input = entry.at("input");
      spec.input.width = input.at("width").get<int>();
      spec.input.height = input.at("height").get<int>();
      spec.input.color = input.value("color", "rgb");
      if (input.contains("range")) {
        spec.input.range_min = input["range"].at(0).get<float>();
        spec.input.range_max = input["range"].at(1).get<float>();
      }
      spec.input.train_resize_height = input.value("train_resize_height", 0);
      if (input.contains("train_crop")) {
        spec.input.train_crop_height = input["train_crop"].at(0).get<int>();
        spec.input.train_crop_width = input["train_crop"].at(1).get<int>();
      }
      const auto& output = entry.at("output");
      spec.output_kind = DepthKindFromString(output.at("kind").get<std::string>());
      spec.output_min = output.value("min", 0.f);
      spec.output_max = output.value("max", 0.f);
      if (spec.sha256.size() != 64) throw Error("model '" + spec.name + "' has a malformed sha256");
      registry.models_.push_back(std::move(spec));
    }
  } catch (const nlohmann::json::exception& e) {
    throw Error(source + ": invalid model registry: " + e.what());
  } catch (const Error& e) {
    throw Error(source + ": invalid model registry: " + e.what());
  }
  if (!registry.Contains(registry.default_model_)) {
    throw Error(source + ": default model '" + registry.default_model_ + "' is not listed");
  }
  return registry;
}

const ModelRegistry& ModelRegistry::Builtin() {
  static const ModelRegistry registry = Parse(BuiltinRegistryJson(), "models/registry.json");
  return registry;
}

bool ModelRegistry::Contains(const std::string& name) const {
  for (const auto& spec : models_) if (spec.name == name) return true;
  return false;
}

const ModelSpec& ModelRegistry::Find(const std::string& name) const {
  std::string known;
  for (const auto& spec : models_) {
    if (spec.name == name) return spec;
    known += (known.empty() ? "" : ", ") + spec.name;
  }
  throw OptionError("unknown model '" + name + "' (known models: " + known +
                    "; or give the path of a .tflite, .onnx or .pt file)");
}

void ParseOnnxSidecar(const std::string& text, const std::string& source, ModelSpec& spec) {
  nlohmann::json json;
  try {
    json = nlohmann::json::parse(text);
  } catch (const nlohmann::json::exception& e) {
    throw FileError(source, std::string("not valid JSON: ") + e.what());
  }
  if (!json.is_object()) throw FileError(source, "expected a JSON object");
  auto fail = [&](const std::string& key, const std::string& why) { throw FileError(source, "\"" + key + "\" " + why); };
  static const char* kKnown[] = {"input_size", "multiple_of", "color", "scale", "mean", "std", "output", "output_scale", "name", "description"};
  for (const auto& [key, value] : json.items()) {
    if (std::find(std::begin(kKnown), std::end(kKnown), key) == std::end(kKnown)) {
      fail(key, "is not a sidecar key (input_size, multiple_of, color, scale, mean, std, output, output_scale)");
    }
  }
  ModelInputSpec& in = spec.input;
  in = ModelInputSpec{};
  in.multiple_of = 0;
  if (json.contains("multiple_of")) {
    if (!json["multiple_of"].is_number_integer() || json["multiple_of"].get<int>() < 1 || json["multiple_of"].get<int>() > 256) {
      fail("multiple_of", "must be an integer from 1 to 256");
    }
    in.multiple_of = json["multiple_of"].get<int>();
  }
  if (json.contains("input_size")) {
    const auto& size = json["input_size"];
    if (!size.is_array() || size.size() != 2 || !size[0].is_number_integer() || !size[1].is_number_integer() ||
        size[0].get<int>() < 1 || size[1].get<int>() < 1 || size[0].get<int>() > 4096 || size[1].get<int>() > 4096) {
      fail("input_size", "must be [width, height] in pixels (1 to 4096)");
    }
    in.width = size[0].get<int>();
    in.height = size[1].get<int>();
  } else if (in.multiple_of > 0) {
    // Any multiple: run near 384 pixels on the shorter side (a common ViT/DPT training size).
    in.width = in.height = int(std::ceil(384.0 / in.multiple_of)) * in.multiple_of;
  } else {
    fail("input_size", "is missing (give [width, height], or multiple_of)");
  }
  const std::string color = json.value("color", "RGB");
  if (color != "RGB" && color != "BGR") fail("color", "must be \"RGB\" or \"BGR\"");
  in.color = color == "RGB" ? "rgb" : "bgr";
  double scale = 1.0 / 255.0;
  if (json.contains("scale")) {
    if (!json["scale"].is_number() || !(json["scale"].get<double>() > 0)) fail("scale", "must be a positive number");
    scale = json["scale"].get<double>();
  }
  in.range_min = 0.f;
  in.range_max = float(255.0 * scale);
  for (const char* key : {"mean", "std"}) {
    if (!json.contains(key)) continue;
    const auto& v = json[key];
    if (!v.is_array() || v.size() != 3 || !v[0].is_number() || !v[1].is_number() || !v[2].is_number()) {
      fail(key, "must be 3 numbers, one per channel");
    }
    for (int c = 0; c < 3; ++c) (std::string(key) == "mean" ? in.mean : in.std)[size_t(c)] = v[size_t(c)].get<float>();
  }
  for (float s : in.std) if (!(s > 0)) fail("std", "values must be positive");
  if (!json.contains("output")) fail("output", "is missing (\"metric\" or \"inverse-relative\")");
  const std::string output = json["output"].is_string() ? json["output"].get<std::string>() : "";
  if (output == "metric") spec.output_kind = DepthKind::kMetricDepth;
  else if (output == "inverse-relative") spec.output_kind = DepthKind::kRelativeInverseDepth;
  else fail("output", "must be \"metric\" or \"inverse-relative\"");
  spec.output_scale = 1.f;
  if (json.contains("output_scale")) {
    if (!json["output_scale"].is_number() || json["output_scale"].get<double>() == 0) fail("output_scale", "must be a non-zero number");
    spec.output_scale = json["output_scale"].get<float>();
  }
  spec.output_min = spec.output_max = 0.f;
  if (json.contains("name") && json["name"].is_string()) spec.name = json["name"].get<std::string>();
  if (json.contains("description") && json["description"].is_string()) spec.description = json["description"].get<std::string>();
  spec.format = "onnx";
}

ModelSpec ReadOnnxSidecar(const std::string& onnx_path) {
  const std::string sidecar = std::filesystem::path(onnx_path).replace_extension(".json").string();
  std::error_code error;
  if (!std::filesystem::is_regular_file(sidecar, error)) {
    throw FileError(sidecar, "missing: an ONNX model needs a sidecar describing its input and output, e.g. "
                             "{\"input_size\": [256, 256], \"mean\": [0.485, 0.456, 0.406], \"std\": [0.229, 0.224, 0.225], "
                             "\"output\": \"inverse-relative\"} (docs/MODELS.md)");
  }
  ModelSpec spec;
  spec.name = std::filesystem::path(onnx_path).filename().string();
  spec.file = onnx_path;
  ParseOnnxSidecar(ReadFileBytes(sidecar), sidecar, spec);
  return spec;
}

}  // namespace depthforge
