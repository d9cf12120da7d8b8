#include "depthforge/util/torch_library.h"

#include <dlfcn.h>

#include <filesystem>
#include <mutex>
#include <string>
#include <vector>

#include "depthforge/core/error.h"

namespace depthforge {
namespace {

constexpr const char* kLibraryName = "libdepthforge_torch.so";

// The folder of the shared object this function was linked into.
std::string OwnFolder() {
  Dl_info info{};
  if (dladdr(reinterpret_cast<void*>(&OwnFolder), &info) == 0 || info.dli_fname == nullptr) return "";
  return std::filesystem::path(info.dli_fname).parent_path().string();
}

void* OpenLibrary() {
  std::vector<std::string> candidates;
  if (const char* path = std::getenv("DEPTHFORGE_TORCH_LIBRARY"); path && *path) candidates.push_back(path);
  std::string folder = OwnFolder();
  if (!folder.empty()) candidates.push_back((std::filesystem::path(folder) / kLibraryName).string());
  candidates.push_back(kLibraryName);
  std::string reasons;
  for (const std::string& candidate : candidates) {
    // RTLD_GLOBAL: LibTorch's own plugins look up its symbols globally.
    if (void* handle = dlopen(candidate.c_str(), RTLD_NOW | RTLD_GLOBAL)) return handle;
    const char* reason = dlerror();  // names the file
    reasons += "\n  " + (reason ? std::string(reason) : candidate + ": unknown error");
  }
  throw Error("cannot load the LibTorch part of depthforge (needed for training, .pt models and --backend torch):" +
              reasons);
}

}  // namespace

void* TorchLibrarySymbol(const char* name) {
  static std::once_flag once;
  static void* handle = nullptr;
  std::call_once(once, [] { handle = OpenLibrary(); });
  dlerror();
  void* symbol = dlsym(handle, name);
  if (symbol == nullptr) {
    const char* reason = dlerror();
    throw Error(std::string(kLibraryName) + " lacks " + name + ": " + (reason ? reason : "not found") +
                " (is it from another depthforge build?)");
  }
  return symbol;
}

}  // namespace depthforge
