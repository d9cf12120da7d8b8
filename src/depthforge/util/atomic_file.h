// Writing outputs so that a reader never sees a half-written file: write to a
// temporary name in the same directory, then rename over the final name.
#pragma once

#include <functional>
#include <string>

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
  bool committed_ = false;
};

// Calls write(temp_path) and commits. If write throws, nothing is left behind.
void WriteAtomically(const std::string& path, const std::function<void(const std::string&)>& write);

// Whole-file helpers with clear errors.
std::string ReadFileBytes(const std::string& path);
void WriteFileBytes(const std::string& path, const std::string& bytes);  // atomic

}  // namespace depthforge
