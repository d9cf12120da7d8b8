// Finding model files: the cache first, then a local mirror, then the
// model's public URL. Every file is checked against its registry sha256
// before it is put in the cache, and only a complete, verified file is
// ever renamed into place.
#pragma once

#include <optional>
#include <string>

#include "depthforge/models/http_download.h"
#include "depthforge/models/model_registry.h"

namespace depthforge {

struct ModelStoreOptions {
  std::string cache_dir;                   // default: DepthforgeHome()/models
  std::optional<std::string> mirror_dir;   // default: $DEPTHFORGE_MIRROR
  bool allow_download = true;
  DownloadOptions download;
  static ModelStoreOptions FromEnvironment();
};

enum class ModelSource { kCache, kMirror, kDownload };
std::string ToString(ModelSource source);

struct ModelFile {
  std::string path;
  ModelSource source;
};

class ModelStore {
 public:
  explicit ModelStore(ModelStoreOptions options);

  std::string CachePath(const ModelSpec& spec) const;
  // The cache holds the file as it was when its sha256 was last verified
  // (same size and modification time as recorded in '<file>.verified').
  bool IsCached(const ModelSpec& spec) const;
  // The mirror copy of the model, if there is one.
  std::optional<std::string> FindInMirror(const ModelSpec& spec) const;

  // Returns a verified local file, fetching it if needed. A cached file that
  // changed since it was verified is hashed again ('rehash': always), and a
  // corrupt one is replaced from the mirror or the URL. Throws Error that
  // says which URL to fetch and where to put the file when all sources fail.
  ModelFile Ensure(const ModelSpec& spec, bool rehash = false) const;

  // Re-hashes the cached file. Returns an explanation of the problem, or "" if OK.
  std::string VerifyCached(const ModelSpec& spec) const;

 private:
  // Copies or moves 'source' into the cache after checking size and hash.
  void PlaceVerified(const ModelSpec& spec, const std::string& source, bool move) const;
  std::string StampPath(const ModelSpec& spec) const;
  // Records that the cached file (as it is now) matched its sha256.
  void WriteStamp(const ModelSpec& spec) const;

  ModelStoreOptions options_;
};

}  // namespace depthforge
