// Each subcommand registers its flags and a callback on the app. Callbacks
// parse, call the library and print; depthforge errors propagate to main,
// which prints them as one line. A non-zero exit code is thrown as
// CLI::RuntimeError(code).
#pragma once

#include <CLI/CLI.hpp>

namespace depthforge::cli {

void AddDepthCommand(CLI::App& app);
void AddModelsCommand(CLI::App& app);
void AddConvertCommand(CLI::App& app);
void AddVideoCommand(CLI::App& app);
void AddViewCommand(CLI::App& app);
void AddSynthCommand(CLI::App& app);
void AddEvalCommand(CLI::App& app);
void AddTrainCommand(CLI::App& app);
void AddStereoCommand(CLI::App& app);
void AddStructuredLightCommand(CLI::App& app);
void AddServeCommand(CLI::App& app);
void AddWorkerCommand(CLI::App& app);
void AddLabelCommand(CLI::App& app);

}  // namespace depthforge::cli
