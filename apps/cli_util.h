// Small pieces shared by the subcommands: binding flags to option-struct
// fields, parsing sizes and reporting a batch's outcome. No algorithm lives
// here. Flags bind straight to the fields, so each default lives once, in
// the struct, and --help shows it.
#pragma once

#include <string>

#include <CLI/CLI.hpp>

#include <opencv2/core.hpp>

#include "depthforge/core/enum_names.h"
#include "depthforge/estimate/depth_batch.h"
#include "depthforge/render/view_synthesis.h"

namespace depthforge::cli {

// "640x480" -> size; throws OptionError naming the flag.
cv::Size ParseSize(const std::string& text, const std::string& flag);
std::string FormatSize(cv::Size size);  // "640x480"
// "120,80" -> point; throws OptionError naming the flag.
cv::Point ParsePoint(const std::string& text, const std::string& flag);

// A flag that sets an enum field by name (the enum's one name table); its
// help lists the names and the field's current value as the default.
template <typename Enum>
CLI::Option* AddEnumOption(CLI::App* command, const std::string& flag, Enum& field, const EnumNames<Enum>& names,
                           const std::string& help) {
  return command
      ->add_option_function<std::string>(flag, [&field, &names](const std::string& name) { field = names.Parse(name); },
                                         help + ": " + names.List())
      ->default_str(names.Name(field))
      ->type_name("NAME");
}

// A WxH flag bound to a cv::Size field ("0x0" shows as no default).
CLI::Option* AddSizeOption(CLI::App* command, const std::string& flag, cv::Size& field, const std::string& help);

// --model and --align-to [MODEL] (alone: the registry's default metric
// model), bound to the estimator options' fields.
void AddModelOptions(CLI::App* command, std::string& model, std::string& align_to);

// The edge controls of stereo rendering, shared by convert and video:
// --edge-threshold, --edge-dilation, --hole-fill.
void AddViewSynthesisOptions(CLI::App* command, ViewSynthesisOptions& view);

// Prints "<label>: interrupted ..." or the failures of a batch to stderr and
// throws CLI::RuntimeError with the exit code (130 interrupted, 1 failures).
void FinishBatch(const std::string& label, const DepthBatchReport& report, const std::string& unit = "image");

}  // namespace depthforge::cli
