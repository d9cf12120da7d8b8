#include "depthforge/util/plugin_library.h"

#include <dlfcn.h>

#include <cstdlib>
#include <filesystem>
#include <mutex>
#include <string>
#include <vector>

#include "depthforge/core/error.h"

namespace depthforge {
namespace {

struct Plugin {
  const char* file;         // "libdepthforge_torch.so"
  const char* environment;  // variable naming another path
  const char* purpose;      // for the error: what needs it
  std::once_flag opened;
  void* handle = nullptr;
};

// The folder of the shared object this function was linked into.
std::string OwnFolder() {
  Dl_info info{};
  if (dladdr(reinterpret_cast<void*>(&OwnFolder), &info) == 0 || info.dli_fname == nullptr) return "";
  return std::filesystem::path(info.dli_fname).parent_path().string();
}

void* OpenPlugin(const Plugin& plugin) {
  std::vector<std::string> candidates;
  if (const char* path = std::getenv(plugin.environment); path && *path) candidates.push_back(path);
  std::string folder = OwnFolder();
  if (!folder.empty()) candidates.push_back((std::filesystem::path(folder) / plugin.file).string());
  candidates.push_back(plugin.file);
  std::string reasons;
  for (const std::string& candidate : candidates) {
    // RTLD_GLOBAL: LibTorch's own plugins look up its symbols globally.
    if (void* handle = dlopen(candidate.c_str(), RTLD_NOW | RTLD_GLOBAL)) return handle;
    const char* reason = dlerror();  // names the file
    reasons += "\n  " + (reason ? std::string(reason) : candidate + ": unknown error");
  }
  throw Error(std::string("cannot load ") + plugin.purpose + ":" + reasons);
}

void* Symbol(Plugin& plugin, const char* name) {
  std::call_once(plugin.opened, [&] { plugin.handle = OpenPlugin(plugin); });
  dlerror();
  void* symbol = dlsym(plugin.handle, name);
  if (symbol == nullptr) {
    const char* reason = dlerror();
    throw Error(std::string(plugin.file) + " lacks " + name + ": " + (reason ? reason : "not found") +
                " (is it from another depthforge build?)");
  }
  return symbol;
}

}  // namespace

void* TorchLibrarySymbol(const char* name) {
  static Plugin torch{"libdepthforge_torch.so", "DEPTHFORGE_TORCH_LIBRARY",
                      "the LibTorch part of depthforge (needed for training, .pt and .onnx models and --backend torch)"};
  return Symbol(torch, name);
}

void* OpenCvLibrarySymbol(const char* name) {
  static Plugin opencv{"libdepthforge_opencv.so", "DEPTHFORGE_OPENCV_LIBRARY",
                       "the OpenCV part of depthforge (needed for images other than JPEG and PNG, "
                       "--backend opencv and stereo filtering)"};
  return Symbol(opencv, name);
}

void* FfmpegLibrarySymbol(const char* name) {
  static Plugin ffmpeg{"libdepthforge_ffmpeg.so", "DEPTHFORGE_FFMPEG_LIBRARY",
                       "the FFmpeg part of depthforge (needed for video input and output)"};
  return Symbol(ffmpeg, name);
}

}  // namespace depthforge
