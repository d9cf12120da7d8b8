// Where depthforge keeps and finds files.
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace depthforge {

// $DEPTHFORGE_HOME, else $XDG_CACHE_HOME/depthforge, else ~/.cache/depthforge.
std::string DepthforgeHome();
// $DEPTHFORGE_MIRROR when set and non-empty: a local folder looked in before downloading.
std::optional<std::string> MirrorDirectory();

// Creates the directory (and parents) and checks that files can be created in
// it; throws FileError naming the directory otherwise. Temporary files that
// a killed run left there are removed (CleanStaleTemporaries).
void EnsureWritableDirectory(const std::string& path);

// For a command that writes one named file: creates its folder (as
// EnsureWritableDirectory) and checks that the path is not a folder and not
// an input, so that the command fails before its work, not after.
void PrepareOutputFile(const std::string& path);

// Inputs are never overwritten: a command registers the files it reads, and
// every atomic write (AtomicFile) checks its destination against them,
// whatever names the outputs were given. Thread-safe.
void ProtectInput(const std::string& path);
// Throws FileError naming both files when 'output' is a protected input.
void CheckNotAnInput(const std::string& output);
void ClearProtectedInputs();  // for tests

// The regular files of 'folder' (not recursive), sorted, whose extension
// (case-insensitive, with the dot: ".jpg") is in 'extensions'.
// The extension of 'path' in lower case, with its dot (".jpg"); "" when none.
std::string LowercaseExtension(const std::string& path);

std::vector<std::string> ListFilesWithExtensions(const std::string& folder, const std::vector<std::string>& extensions);

// File name without directory and last extension: "a/b/photo.jpg" -> "photo".
std::string FileStem(const std::string& path);

}  // namespace depthforge
