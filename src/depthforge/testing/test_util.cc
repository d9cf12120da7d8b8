#include "depthforge/testing/test_util.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <stdexcept>

#include <gtest/gtest.h>

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

// The graphs of testing/onnx_fixtures.py (PyTorch exports and hand-written
// graphs) with their independent outputs. ctest runs each test in its own
// process: the first makes them into the build tree (under a file lock),
// the others reuse them while the script is unchanged.
const std::string& OnnxFixtureDir() {
  static const std::string dir = [] {
    const std::string script = DEPTHFORGE_SOURCE_DIR "/src/depthforge/testing/onnx_fixtures.py";
    const std::string target = DEPTHFORGE_BINARY_DIR "/onnx_fixtures";
    const std::string stamp_text = std::to_string(fs::file_size(script)) + " " +
                                   std::to_string(fs::last_write_time(script).time_since_epoch().count());
    const std::string lock_path = target + ".lock";
    int lock = ::open(lock_path.c_str(), O_CREAT | O_RDWR, 0644);
    if (lock >= 0) ::flock(lock, LOCK_EX);
    std::ifstream stamp_in(target + "/stamp");
    std::string stamp((std::istreambuf_iterator<char>(stamp_in)), std::istreambuf_iterator<char>());
    if (stamp != stamp_text) {
      const std::string fresh = target + ".new";
      fs::remove_all(fresh);
      const std::string command = "/usr/bin/python3 " + script + " " + fresh + " > " + target + ".log 2>&1";
      if (std::system(command.c_str()) != 0) {
        std::ifstream log(target + ".log");
        std::string text((std::istreambuf_iterator<char>(log)), std::istreambuf_iterator<char>());
        ADD_FAILURE() << "onnx_fixtures.py failed (python3-torch and python3-onnx come from scripts/deps.sh):\n"
                      << text.substr(text.size() > 3000 ? text.size() - 3000 : 0);
      } else {
        std::ofstream(fresh + "/stamp") << stamp_text;
        fs::remove_all(target);
        fs::rename(fresh, target);
      }
    }
    if (lock >= 0) ::close(lock);
    return target;
  }();
  return dir;
}

}  // namespace depthforge::testing
