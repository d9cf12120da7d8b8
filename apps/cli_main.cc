// depthforge: photos and videos to 3D. One file per subcommand in apps/.
// This is libdepthforge_cli.so; the program build/depthforge (launcher.cc)
// opens it for every command but --version.
#include <cstdio>

#include "apps/commands.h"
#include "depthforge/core/error.h"

extern "C" int depthforge_cli_main(int argc, char** argv) {
  CLI::App app{"depthforge: depth maps and 3D from ordinary photos"};
  app.require_subcommand(1);
  app.set_version_flag("--version", std::string("depthforge ") + DEPTHFORGE_VERSION);
  depthforge::cli::AddDepthCommand(app);
  depthforge::cli::AddConvertCommand(app);
  depthforge::cli::AddVideoCommand(app);
  depthforge::cli::AddViewCommand(app);
  depthforge::cli::AddStereoCommand(app);
  depthforge::cli::AddStructuredLightCommand(app);
  depthforge::cli::AddTrainCommand(app);
  depthforge::cli::AddEvalCommand(app);
  depthforge::cli::AddSynthCommand(app);
  depthforge::cli::AddModelsCommand(app);
  depthforge::cli::AddServeCommand(app);
  depthforge::cli::AddWorkerCommand(app);
  depthforge::cli::AddLabelCommand(app);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  } catch (const depthforge::Error& e) {
    std::fprintf(stderr, "depthforge: error: %s\n", e.what());
    return 1;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "depthforge: internal error: %s\n", e.what());
    return 2;
  }
  return 0;
}
