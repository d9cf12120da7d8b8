#include "depthforge/util/atomic_file.h"

#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "depthforge/core/error.h"

namespace depthforge {
namespace fs = std::filesystem;

AtomicFile::AtomicFile(std::string final_path) : final_path_(std::move(final_path)) {
  static std::atomic<unsigned> counter{0};
  fs::path final_fs(final_path_);
  std::string name = ".tmp-" + std::to_string(getpid()) + "-" + std::to_string(counter++) + "-" +
                     final_fs.filename().string();
  temp_path_ = (final_fs.parent_path() / name).string();
}

AtomicFile::~AtomicFile() {
  if (!committed_) {
    std::error_code ignored;
    fs::remove(temp_path_, ignored);
  }
}

void AtomicFile::Commit() {
  if (std::rename(temp_path_.c_str(), final_path_.c_str()) != 0) {
    std::string reason = std::strerror(errno);
    std::error_code ignored;
    fs::remove(temp_path_, ignored);
    committed_ = true;
    throw FileError(final_path_, "cannot move the finished file into place: " + reason);
  }
  committed_ = true;
}

void WriteAtomically(const std::string& path, const std::function<void(const std::string&)>& write) {
  AtomicFile file(path);
  write(file.temp_path());
  std::error_code error;
  if (!fs::exists(file.temp_path(), error)) throw FileError(path, "the writer produced no file");
  file.Commit();
}

std::string ReadFileBytes(const std::string& path) {
  std::error_code error;
  if (fs::is_directory(path, error)) throw FileError(path, "is a directory, not a file");
  std::ifstream in(path, std::ios::binary);
  if (!in) throw FileError(path, errno == ENOENT ? "no such file" : std::string("cannot open: ") + std::strerror(errno));
  std::ostringstream bytes;
  bytes << in.rdbuf();
  if (in.bad()) throw FileError(path, "read error");
  return bytes.str();
}

void WriteFileBytes(const std::string& path, const std::string& bytes) {
  WriteAtomically(path, [&](const std::string& temp) {
    std::ofstream out(temp, std::ios::binary);
    if (!out) throw FileError(path, std::string("cannot create: ") + std::strerror(errno));
    out.write(bytes.data(), std::streamsize(bytes.size()));
    out.close();
    if (!out) throw FileError(path, "write failed (disk full?)");
  });
}

}  // namespace depthforge
