#include "depthforge/util/paths.h"

#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <map>
#include <mutex>

#include "depthforge/core/error.h"
#include "depthforge/util/atomic_file.h"

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
  CleanStaleTemporaries(path);
}

namespace {

std::mutex protected_mutex;
std::map<std::string, std::string>& ProtectedInputs() {  // canonical path -> as given
  static std::map<std::string, std::string> inputs;
  return inputs;
}

std::string Canonical(const std::string& path) {
  std::error_code error;
  fs::path canonical = fs::weakly_canonical(fs::absolute(path, error), error);
  return error ? fs::absolute(path).lexically_normal().string() : canonical.string();
}

}  // namespace

void ProtectInput(const std::string& path) {
  std::string key = Canonical(path);
  std::lock_guard<std::mutex> lock(protected_mutex);
  ProtectedInputs().emplace(key, path);
}

void CheckNotAnInput(const std::string& output) {
  std::string key = Canonical(output);
  std::lock_guard<std::mutex> lock(protected_mutex);
  auto found = ProtectedInputs().find(key);
  if (found != ProtectedInputs().end()) {
    throw FileError(output, "would overwrite the input " + found->second +
                                "; inputs are never overwritten (choose another output folder or name)");
  }
}

void PrepareOutputFile(const std::string& path) {
  if (path.empty()) throw OptionError("an output file name is required");
  std::error_code error;
  if (fs::is_directory(path, error)) throw FileError(path, "is a folder; give a file name");
  fs::path parent = fs::path(path).parent_path();
  EnsureWritableDirectory(parent.empty() ? "." : parent.string());
  CheckNotAnInput(path);
}

void ClearProtectedInputs() {
  std::lock_guard<std::mutex> lock(protected_mutex);
  ProtectedInputs().clear();
}

std::string LowercaseExtension(const std::string& path) {
  std::string extension = fs::path(path).extension().string();
  std::transform(extension.begin(), extension.end(), extension.begin(), ::tolower);
  return extension;
}

std::vector<std::string> ListFilesWithExtensions(const std::string& folder, const std::vector<std::string>& extensions) {
  std::vector<std::string> found;
  std::error_code error;
  for (const auto& entry : fs::directory_iterator(folder, error)) {
    const std::string extension = LowercaseExtension(entry.path().string());
    if (entry.is_regular_file(error) && std::find(extensions.begin(), extensions.end(), extension) != extensions.end()) {
      found.push_back(entry.path().string());
    }
  }
  std::sort(found.begin(), found.end());
  return found;
}

std::string FileStem(const std::string& path) { return fs::path(path).stem().string(); }

}  // namespace depthforge
