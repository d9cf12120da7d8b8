// depthforge: photos and videos to 3D. One file per subcommand in apps/.
#include <cstdio>
#include <map>

#include "apps/commands.h"
#include "depthforge/core/error.h"

int main(int argc, char** argv) {
  CLI::App app{"depthforge: depth maps and 3D from ordinary photos"};
  app.require_subcommand(1);
  app.set_version_flag("--version", std::string("depthforge ") + DEPTHFORGE_VERSION);
  std::map<CLI::App*, depthforge::cli::Run> commands;
  auto add = [&](depthforge::cli::Run (*adder)(CLI::App&)) {
    size_t before = app.get_subcommands({}).size();
    depthforge::cli::Run run = adder(app);
    commands[app.get_subcommands({})[before]] = run;
  };
  add(depthforge::cli::AddDepthCommand);
  add(depthforge::cli::AddModelsCommand);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }
  try {
    for (auto* sub : app.get_subcommands()) return commands.at(sub)();
  } catch (const depthforge::Error& e) {
    std::fprintf(stderr, "depthforge: error: %s\n", e.what());
    return 1;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "depthforge: internal error: %s\n", e.what());
    return 2;
  }
  return 0;
}
