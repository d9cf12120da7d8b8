#include "depthforge/util/paths.h"

#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>

#include "depthforge/core/error.h"

namespace depthforge {
namespace fs = std::filesystem;

namespace {
std::optional<std::string> NonEmptyEnv(const char* name) {
  const char* value = std::getenv(name);
  if (value == nullptr || *value == '\0') return std::nullopt;
  return std::string(value);
}
}  // namespace

std::string DepthforgeHome() {
  if (auto home = NonEmptyEnv("DEPTHFORGE_HOME")) return *home;
  if (auto cache = NonEmptyEnv("XDG_CACHE_HOME")) return (fs::path(*cache) / "depthforge").string();
  if (auto user_home = NonEmptyEnv("HOME")) return (fs::path(*user_home) / ".cache" / "depthforge").string();
  return (fs::temp_directory_path() / "depthforge").string();
}

std::optional<std::string> MirrorDirectory() { return NonEmptyEnv("DEPTHFORGE_MIRROR"); }

void EnsureWritableDirectory(const std::string& path) {
  std::error_code error;
  if (fs::exists(path, error) && !fs::is_directory(path, error)) {
    throw FileError(path, "exists and is not a directory");
  }
  fs::create_directories(path, error);
  if (error) throw FileError(path, "cannot create directory: " + error.message());
  if (access(path.c_str(), W_OK | X_OK) != 0) {
    throw FileError(path, std::string("directory is not writable: ") + std::strerror(errno));
  }
}

std::string FileStem(const std::string& path) { return fs::path(path).stem().string(); }

}  // namespace depthforge
