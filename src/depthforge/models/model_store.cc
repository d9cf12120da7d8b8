#include "depthforge/models/model_store.h"

#include <sys/stat.h>

#include <filesystem>

#include "depthforge/core/error.h"
#include "depthforge/util/atomic_file.h"
#include "depthforge/util/paths.h"
#include "depthforge/util/sha256.h"

namespace depthforge {
namespace fs = std::filesystem;

ModelStoreOptions ModelStoreOptions::FromEnvironment() {
  ModelStoreOptions options;
  options.cache_dir = (fs::path(DepthforgeHome()) / "models").string();
  options.mirror_dir = MirrorDirectory();
  return options;
}

std::string ToString(ModelSource source) {
  switch (source) {
    case ModelSource::kCache: return "cache";
    case ModelSource::kMirror: return "mirror";
    case ModelSource::kDownload: return "download";
  }
  return "";
}

ModelStore::ModelStore(ModelStoreOptions options) : options_(std::move(options)) {
  if (options_.cache_dir.empty()) options_.cache_dir = ModelStoreOptions::FromEnvironment().cache_dir;
}

std::string ModelStore::CachePath(const ModelSpec& spec) const {
  return (fs::path(options_.cache_dir) / spec.file).string();
}

namespace {

// "<sha256> <size> <mtime in ns>": the state of a file when it was hashed.
std::string FileState(const std::string& path, const std::string& sha256) {
  struct stat info {};
  if (stat(path.c_str(), &info) != 0) return "";
  int64_t mtime = int64_t(info.st_mtim.tv_sec) * 1000000000 + info.st_mtim.tv_nsec;
  return sha256 + " " + std::to_string(int64_t(info.st_size)) + " " + std::to_string(mtime);
}

}  // namespace

std::string ModelStore::StampPath(const ModelSpec& spec) const { return CachePath(spec) + ".verified"; }

void ModelStore::WriteStamp(const ModelSpec& spec) const {
  WriteFileBytes(StampPath(spec), FileState(CachePath(spec), spec.sha256) + "\n");
}

bool ModelStore::IsCached(const ModelSpec& spec) const {
  std::error_code error;
  std::string path = CachePath(spec);
  if (!fs::is_regular_file(path, error) || int64_t(fs::file_size(path, error)) != spec.size) return false;
  std::string stamp;
  try {
    stamp = ReadFileBytes(StampPath(spec));
  } catch (const FileError&) {
    return false;
  }
  return stamp == FileState(path, spec.sha256) + "\n";
}

std::optional<std::string> ModelStore::FindInMirror(const ModelSpec& spec) const {
  if (!options_.mirror_dir) return std::nullopt;
  for (const fs::path& candidate : {fs::path(*options_.mirror_dir) / "models" / spec.file,
                                    fs::path(*options_.mirror_dir) / spec.file}) {
    std::error_code error;
    if (fs::is_regular_file(candidate, error)) return candidate.string();
  }
  return std::nullopt;
}

void ModelStore::PlaceVerified(const ModelSpec& spec, const std::string& source, bool move) const {
  std::error_code error;
  int64_t size = int64_t(fs::file_size(source, error));
  if (error) throw FileError(source, "cannot read: " + error.message());
  if (size != spec.size) {
    throw FileError(source, "has " + std::to_string(size) + " bytes, model '" + spec.name + "' should have " +
                                std::to_string(spec.size));
  }
  std::string digest = Sha256OfFile(source);
  if (digest != spec.sha256) {
    throw FileError(source, "sha256 " + digest + " does not match model '" + spec.name + "' (expected " +
                                spec.sha256 + ")");
  }
  EnsureWritableDirectory(options_.cache_dir);
  if (move) {
    if (std::rename(source.c_str(), CachePath(spec).c_str()) != 0) {
      throw FileError(CachePath(spec), "cannot move the downloaded file into place");
    }
  } else {
    WriteAtomically(CachePath(spec), [&](const std::string& temp) {
      fs::copy_file(source, temp, fs::copy_options::overwrite_existing, error);
      if (error) throw FileError(CachePath(spec), "cannot copy from the mirror: " + error.message());
    });
  }
  WriteStamp(spec);
}

ModelFile ModelStore::Ensure(const ModelSpec& spec, bool rehash) const {
  const std::string path = CachePath(spec);
  std::error_code error;
  if (fs::exists(path, error) && !fs::is_regular_file(path, error)) {
    throw FileError(path, "is where model '" + spec.name + "' belongs in the cache, but it is not a file (a folder?); "
                          "remove it and try again");
  }
  if (!rehash && IsCached(spec)) return {path, ModelSource::kCache};
  std::string cache_problem;
  if (fs::is_regular_file(path, error)) {
    std::string problem = VerifyCached(spec);
    if (problem.empty()) {
      WriteStamp(spec);
      return {path, ModelSource::kCache};
    }
    // A damaged cache entry is never used: it is replaced below.
    cache_problem = " The cached copy was damaged (" + problem + ") and was removed.";
    fs::remove(path, error);
    fs::remove(StampPath(spec), error);
  }
  std::string mirror_problem = cache_problem;
  if (auto mirrored = FindInMirror(spec)) {
    try {
      PlaceVerified(spec, *mirrored, /*move=*/false);
      return {CachePath(spec), ModelSource::kMirror};
    } catch (const FileError& e) {
      mirror_problem += std::string(" The mirror copy was rejected: ") + e.what() + ".";
    }
  }
  std::string hint = "Download " + spec.url + " and save it as " + CachePath(spec) +
                     " (or put it in a folder named by DEPTHFORGE_MIRROR)." + mirror_problem;
  if (!options_.allow_download) throw Error("model '" + spec.name + "' is not cached. " + hint);
  EnsureWritableDirectory(options_.cache_dir);
  std::string partial = CachePath(spec) + ".part";
  try {
    DownloadToFile(spec.url, partial, options_.download);
  } catch (const Error& e) {
    // An empty partial file helps no later resume; a non-empty one does.
    std::string kept;
    if (fs::exists(partial, error) && fs::file_size(partial, error) == 0) fs::remove(partial, error);
    else if (fs::exists(partial, error)) kept = " The partial download " + partial + " is kept; the next pull resumes it.";
    throw Error(std::string(e.what()) + ". " + hint + kept);
  }
  try {
    PlaceVerified(spec, partial, /*move=*/true);
  } catch (const FileError&) {
    std::error_code ignored;
    fs::remove(partial, ignored);  // a corrupt download must not be resumed
    throw;
  }
  return {CachePath(spec), ModelSource::kDownload};
}

std::string ModelStore::VerifyCached(const ModelSpec& spec) const {
  std::error_code error;
  std::string path = CachePath(spec);
  if (!fs::is_regular_file(path, error)) return "not in the cache (" + path + ")";
  int64_t size = int64_t(fs::file_size(path, error));
  if (size != spec.size) return "size " + std::to_string(size) + " bytes, expected " + std::to_string(spec.size);
  std::string digest = Sha256OfFile(path);
  if (digest != spec.sha256) return "sha256 " + digest + ", expected " + spec.sha256;
  return "";
}

}  // namespace depthforge
