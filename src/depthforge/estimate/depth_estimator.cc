#include "depthforge/estimate/depth_estimator.h"

#include <filesystem>

#include "depthforge/core/error.h"
#include "depthforge/estimate/fixed_depth.h"
#include "depthforge/estimate/metric_alignment.h"
#include "depthforge/estimate/network_estimator.h"
#include "depthforge/models/model_registry.h"
#include "depthforge/models/model_store.h"
#include "depthforge/models/onnx_model.h"
#include "depthforge/models/tflite_model.h"
#include "depthforge/util/plugin_library.h"

namespace depthforge {

const EnumNames<Framing>& FramingNames() {
  static const EnumNames<Framing> kNames{"framing", {{"crop", Framing::kTrainingCrop}, {"full", Framing::kFullImage}}};
  return kNames;
}
Framing FramingFromString(const std::string& name) { return FramingNames().Parse(name); }

std::string ToString(Framing framing) { return FramingNames().Name(framing); }

void EstimatorOptions::Check() const {
  if (inference_width < 0 || inference_height < 0 || inference_width > 4096 || inference_height > 4096) {
    throw OptionError("inference size must be between 1 and 4096 pixels (or 0 for automatic)");
  }
  if ((inference_width == 0) != (inference_height == 0)) {
    throw OptionError("give both inference width and height, or neither");
  }
  if (inference_width > 0 && framing != Framing::kFullImage) {
    throw OptionError("an explicit inference size needs the full framing (--framing full)");
  }
  if (!(border_resolution >= 0.25 && border_resolution <= 1.0)) {
    throw OptionError("border resolution must be between 0.25 and 1");
  }
  if (threads < 0) throw OptionError("threads must be 0 (all cores) or positive");
  if (expected_images < 0) throw OptionError("expected images must be 0 (many) or positive");
  upsample.Check();
}

namespace {

std::unique_ptr<DepthEstimator> CreateModelEstimator(const EstimatorOptions& options, const ModelStore& store) {
  const ModelRegistry& registry = ModelRegistry::Builtin();
  std::string model = options.model.empty() ? registry.default_model() : options.model;
  if (model.rfind("constant:", 0) == 0) {
    try {
      return std::make_unique<ConstantDepthEstimator>(std::stof(model.substr(9)));
    } catch (const std::logic_error&) {
      throw OptionError("'" + model + "' is not constant:METRES");
    }
  }
  if (registry.Contains(model)) {
    const ModelSpec& spec = registry.Find(model);
    ModelFile file = store.Ensure(spec);
    if (spec.format == "onnx") return std::make_unique<NetworkDepthEstimator>(ReadOnnx(file.path), spec, options);
    return std::make_unique<NetworkDepthEstimator>(ReadTflite(file.path), spec, options);
  }
  std::error_code error;
  if (std::filesystem::is_regular_file(model, error) && std::filesystem::path(model).extension() == ".pt") {
    // LoadTrainedEstimator (trained_estimator.h), in libdepthforge_torch.so.
    using Entry = DepthEstimator* (*)(const std::string*, const EstimatorOptions*);
    auto load = reinterpret_cast<Entry>(TorchLibrarySymbol("depthforge_torch_load_trained_estimator"));
    return std::unique_ptr<DepthEstimator>(load(&model, &options));
  }
  if (std::filesystem::is_regular_file(model, error) && std::filesystem::path(model).extension() == ".onnx") {
    ModelSpec spec = ReadOnnxSidecar(model);  // throws when missing or malformed
    return std::make_unique<NetworkDepthEstimator>(ReadOnnx(model), spec, options);
  }
  if (std::filesystem::is_regular_file(model, error)) {
    // A user's own .tflite: assume FastDepth-like metric output unless told.
    ModelSpec spec = registry.Find(registry.default_model());
    spec.name = std::filesystem::path(model).filename().string();
    spec.file = model;
    TfliteModel tflite = ReadTflite(model);
    return std::make_unique<NetworkDepthEstimator>(std::move(tflite), spec, options);
  }
  registry.Find(model);  // throws with the list of known names
  return nullptr;
}

}  // namespace

std::unique_ptr<DepthEstimator> CreateDepthEstimator(const EstimatorOptions& options, const ModelStore& store) {
  options.Check();
  if (options.align_to.empty()) return CreateModelEstimator(options, store);
  EstimatorOptions relative = options;
  relative.normalise_relative = false;
  std::unique_ptr<DepthEstimator> estimator = CreateModelEstimator(relative, store);
  EstimatorOptions reference = options;
  reference.model = options.align_to;
  reference.align_to.clear();
  // The reference only sets the metres: its own default framing, any size.
  reference.framing = Framing::kTrainingCrop;
  reference.inference_width = reference.inference_height = 0;
  reference.backend = Backend::kAuto;
  return std::make_unique<AlignedDepthEstimator>(std::move(estimator), CreateModelEstimator(reference, store));
}

}  // namespace depthforge
