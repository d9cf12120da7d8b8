#include "apps/cli_util.h"

#include <cstdio>

#include <CLI/CLI.hpp>

#include "depthforge/core/error.h"
#include "depthforge/models/model_registry.h"

namespace depthforge::cli {

cv::Size ParseSize(const std::string& text, const std::string& flag) {
  int width = 0, height = 0;
  char x = 0;
  if (std::sscanf(text.c_str(), "%d%c%d", &width, &x, &height) != 3 || (x != 'x' && x != 'X') || width <= 0 || height <= 0) {
    throw OptionError(flag + " must look like 640x480, got '" + text + "'");
  }
  return {width, height};
}

cv::Point ParsePoint(const std::string& text, const std::string& flag) {
  int x = 0, y = 0;
  char comma = 0;
  if (std::sscanf(text.c_str(), "%d%c%d", &x, &comma, &y) != 3 || comma != ',') {
    throw OptionError(flag + " must look like X,Y (a pixel), got '" + text + "'");
  }
  return {x, y};
}

std::string FormatSize(cv::Size size) { return std::to_string(size.width) + "x" + std::to_string(size.height); }

CLI::Option* AddSizeOption(CLI::App* command, const std::string& flag, cv::Size& field, const std::string& help) {
  CLI::Option* option = command->add_option_function<std::string>(
      flag, [&field, flag](const std::string& text) { field = ParseSize(text, flag); }, help);
  option->type_name("WxH");
  if (field.area() > 0) option->default_str(FormatSize(field));
  return option;
}

void AddModelOptions(CLI::App* command, std::string& model, std::string& align_to) {
  const ModelRegistry& registry = ModelRegistry::Builtin();
  command->add_option("--model", model,
                      "Model name from 'depthforge models list', or a .tflite, .onnx (with its sidecar .json) or .pt file")
      ->default_str(registry.default_model())
      ->type_name("NAME|FILE");
  const std::string metric = registry.default_model();
  command
      ->add_option_function<std::string>(
          "--align-to", [&align_to, metric](const std::string& name) { align_to = name.empty() ? metric : name; },
          "Fit a relative model (midas-small, depth-anything-v2-small) to this metric model per photo, one fit per "
          "video scene, for depth in metres (alone: " + metric + ")")
      ->expected(0, 1)
      ->type_name("[MODEL]");
}

void AddViewSynthesisOptions(CLI::App* command, ViewSynthesisOptions& view) {
  command->add_option("--edge-threshold", view.edge_threshold, "Stereo: disparity jump (px) that cuts a surface at a depth edge")
      ->capture_default_str();
  command->add_option("--edge-dilation", view.edge_dilation,
                      "Stereo: pixels the foreground grows at depth edges (keeps outlines with their object)")
      ->capture_default_str();
  AddEnumOption(command, "--hole-fill", view.hole_fill, HoleFillNames(), "Stereo: how disoccluded pixels are filled");
}

void FinishBatch(const std::string& label, const DepthBatchReport& report, const std::string& unit) {
  if (report.interrupted) {
    std::fprintf(stderr, "%s: interrupted; %d %s%s not finished or not started (everything written is complete)\n",
                 label.c_str(), report.not_started, unit.c_str(), report.not_started == 1 ? "" : "s");
    throw CLI::RuntimeError(130);
  }
  if (report.failures.empty()) return;
  std::fprintf(stderr, "%s: %zu failed:\n", label.c_str(), report.failures.size());
  for (const auto& [input, reason] : report.failures) {
    bool names_input = reason.compare(0, input.size(), input) == 0;
    std::fprintf(stderr, "  %s%s%s\n", names_input ? "" : input.c_str(), names_input ? "" : ": ", reason.c_str());
  }
  throw CLI::RuntimeError(1);
}

}  // namespace depthforge::cli
