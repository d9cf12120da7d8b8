// Writing outputs so that a reader never sees a half-written file: write to a
// temporary name in the same directory, then rename over the final name.
#pragma once

#include <functional>
#include <string>
#include <vector>

namespace depthforge {

class AtomicFile {
 public:
  // The temporary name keeps the final extension so encoders that pick the
  // format by extension (cv::imwrite) work on it.
  explicit AtomicFile(std::string final_path);
  ~AtomicFile();  // removes the temporary file unless committed
  AtomicFile(const AtomicFile&) = delete;
  AtomicFile& operator=(const AtomicFile&) = delete;

  const std::string& temp_path() const { return temp_path_; }
  const std::string& final_path() const { return final_path_; }
  // Renames the temporary file into place; throws FileError on failure.
  void Commit();

 private:
  std::string final_path_;
  std::string temp_path_;
  int slot_ = -1;  // in the registry of live temporaries
  bool committed_ = false;
};

// All the files one item produces (a photo's depth formats, its 3D
// outputs), made visible together: they are written inside a hidden
// staging folder in the output folder, with their final names (so files
// that name each other, like OBJ and MTL, stay consistent), and Commit()
// moves them out. Until then nothing appears; a killed run leaves only the
// staging folder, which the next run removes.
class StagingDirectory {
 public:
  explicit StagingDirectory(std::string output_dir);
  ~StagingDirectory();  // removes the folder and what is left in it
  StagingDirectory(const StagingDirectory&) = delete;
  StagingDirectory& operator=(const StagingDirectory&) = delete;

  // Where to write the file that will be 'output_dir/file_name'.
  std::string PathFor(const std::string& file_name) const;
  // The final path of a file written at PathFor(file_name).
  std::string FinalPath(const std::string& file_name) const;
  // Moves every file written here into the output folder (after checking
  // that none replaces an input) and returns their final paths, sorted.
  std::vector<std::string> Commit();

 private:
  std::string output_dir_;
  std::string path_;
  int slot_ = -1;
};

// The temporary files of this process that are not yet committed are
// removed by RemoveLiveTemporaries(), which is async-signal-safe: the
// interrupt handler calls it before the process ends on SIGTERM or a second
// Ctrl-C. What kill -9 leaves is removed by CleanStaleTemporaries().
void RemoveLiveTemporaries();

// Removes ".tmp-<pid>-..." files in 'directory' whose process no longer
// runs (left by kill -9 or a power cut). Returns how many were removed.
int CleanStaleTemporaries(const std::string& directory);

// Calls write(temp_path) and commits. If write throws, nothing is left behind.
void WriteAtomically(const std::string& path, const std::function<void(const std::string&)>& write);

// Whole-file helpers with clear errors. Only regular files are read: a
// FIFO, device or socket is refused before it is opened for reading, so a
// pipe given as a photo cannot block the program.
std::string ReadFileBytes(const std::string& path);
void WriteFileBytes(const std::string& path, const std::string& bytes);  // atomic

}  // namespace depthforge
