// Each subcommand registers its flags on the app and returns the function
// that runs it. The functions parse, call the library and print; depthforge
// errors propagate to main, which prints them as one line.
#pragma once

#include <functional>

#include <CLI/CLI.hpp>

namespace depthforge::cli {

using Run = std::function<int()>;

Run AddDepthCommand(CLI::App& app);
Run AddModelsCommand(CLI::App& app);

}  // namespace depthforge::cli
