// Where depthforge keeps and finds files.
#pragma once

#include <optional>
#include <string>

namespace depthforge {

// $DEPTHFORGE_HOME, else $XDG_CACHE_HOME/depthforge, else ~/.cache/depthforge.
std::string DepthforgeHome();
// $DEPTHFORGE_MIRROR when set and non-empty: a local folder looked in before downloading.
std::optional<std::string> MirrorDirectory();

// Creates the directory (and parents) and checks that files can be created in
// it; throws FileError naming the directory otherwise.
void EnsureWritableDirectory(const std::string& path);

// File name without directory and last extension: "a/b/photo.jpg" -> "photo".
std::string FileStem(const std::string& path);

}  // namespace depthforge
