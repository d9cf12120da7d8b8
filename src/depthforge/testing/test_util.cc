#include "depthforge/testing/test_util.h"

#include <unistd.h>

#include <array>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <stdexcept>

namespace depthforge::testing {
namespace fs = std::filesystem;

TempDir::TempDir() {
  std::string pattern = (fs::temp_directory_path() / "depthforge-test-XXXXXX").string();
  if (mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
  path_ = pattern;
}

TempDir::~TempDir() {
  std::error_code ignored;
  fs::permissions(path_, fs::perms::owner_all, fs::perm_options::add, ignored);
  for (auto& entry : fs::recursive_directory_iterator(path_, ignored)) {
    fs::permissions(entry.path(), fs::perms::owner_all, fs::perm_options::add, ignored);
  }
  fs::remove_all(path_, ignored);
}

std::string MirrorDir() {
  const char* env = std::getenv("DEPTHFORGE_MIRROR");
  fs::path dir = (env && *env) ? fs::path(env) : fs::path(DEPTHFORGE_SOURCE_DIR) / ".." / "shared";
  std::error_code error;
  if (!fs::is_directory(dir, error)) return "";
  return fs::absolute(dir).lexically_normal().string();
}

std::string MirrorFile(const std::string& relative) {
  std::string dir = MirrorDir();
  if (dir.empty()) return "";
  fs::path path = fs::path(dir) / relative;
  std::error_code error;
  return fs::exists(path, error) ? path.string() : "";
}

int CountFiles(const std::string& directory) {
  int count = 0;
  std::error_code error;
  for (auto& entry : fs::directory_iterator(directory, error)) {
    if (entry.is_regular_file()) ++count;
  }
  return count;
}

CommandResult RunCli(const std::string& arguments) {
  return RunCommand(std::string(DEPTHFORGE_CLI_PATH) + " " + arguments);
}

CommandResult RunCommand(const std::string& command_line) {
  std::string command = command_line + " 2>&1";
  FILE* pipe = popen(command.c_str(), "r");
  if (pipe == nullptr) throw std::runtime_error("popen failed");
  std::string output;
  std::array<char, 4096> buffer;
  size_t n;
  while ((n = fread(buffer.data(), 1, buffer.size(), pipe)) > 0) output.append(buffer.data(), n);
  int status = pclose(pipe);
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, output};
}

DepthMap PlaneDepth(const Intrinsics& k, cv::Vec3f normal, float distance) {
  DepthMap depth;
  depth.values = cv::Mat1f(k.height, k.width);
  for (int v = 0; v < k.height; ++v) {
    for (int u = 0; u < k.width; ++u) {
      cv::Vec3f ray(float((u - k.cx) / k.fx), float((v - k.cy) / k.fy), 1.f);
      depth.values(v, u) = distance / normal.dot(ray);
    }
  }
  return depth;
}

bool StudioPageInstalled() {
  return std::filesystem::exists(std::string(DEPTHFORGE_SOURCE_DIR) + "/web/node_modules/three/build/three.module.js");
}

}  // namespace depthforge::testing
