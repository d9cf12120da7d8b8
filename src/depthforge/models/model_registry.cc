#include "depthforge/models/model_registry.h"

#include <nlohmann/json.hpp>

#include "depthforge/core/error.h"

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
                    "; or give the path of a .tflite file)");
}

}  // namespace depthforge
