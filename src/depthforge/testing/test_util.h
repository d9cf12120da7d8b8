// Helpers shared by the unit tests.
#pragma once

#include <string>

#include <opencv2/core.hpp>

#include "depthforge/core/depth_map.h"
#include "depthforge/render/camera.h"

namespace depthforge::testing {

// A fresh directory removed (with its contents) at scope exit.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  const std::string& path() const { return path_; }
  std::string File(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

// The shared data mirror ($DEPTHFORGE_MIRROR, else ../shared beside the
// checkout). Empty when absent: tests that need it call GTEST_SKIP.
std::string MirrorDir();
std::string MirrorFile(const std::string& relative);  // "" when missing

// Whether the studio's page assets are installed (web/node_modules, from
// `npm ci` in web/, as scripts/test.sh does): the server refuses to start without them.
bool StudioPageInstalled();

// Number of regular files in a directory (to check nothing was left behind).
int CountFiles(const std::string& directory);

struct CommandResult {
  int exit_code;
  std::string output;  // stdout and stderr together
};
// Runs a shell command line, capturing stdout and stderr together.
CommandResult RunCommand(const std::string& command_line);
// Depth of the plane n·X = d seen through each pixel of camera k:
// z = d / (n·ray), ray = K⁻¹(u, v, 1).
DepthMap PlaneDepth(const Intrinsics& k, cv::Vec3f normal, float distance);

// Runs the depthforge CLI with the given arguments through the shell.
CommandResult RunCli(const std::string& arguments);

// The ONNX graphs of testing/onnx_fixtures.py (NAME.onnx, NAME.input.npy,
// NAME.expected.npy, and metric_net.{onnx,json,png,expected.npy}), made in
// the build tree by the first test that asks and reused while the script is
// unchanged (Debian's python3-torch and python3-onnx).
const std::string& OnnxFixtureDir();

}  // namespace depthforge::testing

#define DEPTHFORGE_REQUIRE_MIRROR_FILE(var, relative)                       \
  std::string var = ::depthforge::testing::MirrorFile(relative);           \
  if (var.empty()) GTEST_SKIP() << "shared data not found: " << (relative)
