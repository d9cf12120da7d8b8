#include "depthforge/util/atomic_file.h"

#include <fcntl.h>
#include <signal.h>
#include <dirent.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "depthforge/core/error.h"
#include "depthforge/util/paths.h"

namespace depthforge {
namespace fs = std::filesystem;

namespace {

// Live temporary files, readable from a signal handler: a fixed table of
// paths whose slots are claimed and released atomically. Writers beyond
// the table's size still work; only their prompt removal on a signal is lost
// (CleanStaleTemporaries removes them on the next run).
constexpr int kSlots = 64;
constexpr size_t kPathBytes = 4096;
struct TemporarySlot {
  std::atomic<int> state{0};  // 0 free, 1 being written, 2 live file, 3 live folder
  char path[kPathBytes];
};
std::array<TemporarySlot, kSlots> live_temporaries;

int ClaimSlot(const std::string& path, bool folder = false) {
  if (path.size() + 1 > kPathBytes) return -1;
  for (int i = 0; i < kSlots; ++i) {
    int expected = 0;
    if (live_temporaries[size_t(i)].state.compare_exchange_strong(expected, 1)) {
      std::memcpy(live_temporaries[size_t(i)].path, path.c_str(), path.size() + 1);
      live_temporaries[size_t(i)].state.store(folder ? 3 : 2);
      return i;
    }
  }
  return -1;
}

void ReleaseSlot(int slot) {
  if (slot >= 0) live_temporaries[size_t(slot)].state.store(0);
}

const char kTemporaryPrefix[] = ".tmp-";

}  // namespace

std::string TemporaryName(const std::string& name);

// A flat folder's files, then the folder, with system calls only (safe in a
// signal handler).
void RemoveFlatFolder(const char* path) {
  int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd >= 0) {
    alignas(8) char buffer[4096];
    while (true) {
      long n = syscall(SYS_getdents64, fd, buffer, sizeof buffer);
      if (n <= 0) break;
      for (long offset = 0; offset < n;) {
        auto* entry = reinterpret_cast<struct dirent64*>(buffer + offset);
        const char* name = entry->d_name;
        bool dot = name[0] == '.' && (name[1] == 0 || (name[1] == '.' && name[2] == 0));
        if (!dot) unlinkat(fd, name, 0);
        offset += entry->d_reclen;
      }
    }
    close(fd);
  }
  rmdir(path);
}

void RemoveLiveTemporaries() {
  for (auto& slot : live_temporaries) {
    int state = slot.state.load();
    if (state == 2) unlink(slot.path);
    if (state == 3) RemoveFlatFolder(slot.path);
  }
}

int CleanStaleTemporaries(const std::string& directory) {
  int removed = 0;
  std::error_code error;
  for (const auto& entry : fs::directory_iterator(directory, error)) {
    std::string name = entry.path().filename().string();
    if (name.rfind(kTemporaryPrefix, 0) != 0) continue;
    // ".tmp-<pid>-<counter>-<name>": only a file whose process is gone is stale.
    char* end = nullptr;
    long pid = std::strtol(name.c_str() + sizeof kTemporaryPrefix - 1, &end, 10);
    if (end == nullptr || *end != '-' || pid <= 0) continue;
    if (pid == long(getpid())) continue;
    if (kill(pid_t(pid), 0) == 0 || errno == EPERM) continue;
    std::error_code ignored;
    if (fs::remove_all(entry.path(), ignored) > 0) ++removed;
  }
  return removed;
}

std::string TemporaryName(const std::string& name) {
  static std::atomic<unsigned> counter{0};
  return kTemporaryPrefix + std::to_string(getpid()) + "-" + std::to_string(counter++) + "-" + name;
}

StagingDirectory::StagingDirectory(std::string output_dir) : output_dir_(std::move(output_dir)) {
  path_ = (fs::path(output_dir_) / TemporaryName("stage")).string();
  std::error_code error;
  fs::create_directory(path_, error);
  if (error) throw FileError(output_dir_, "cannot create a staging folder: " + error.message());
  slot_ = ClaimSlot(path_, /*folder=*/true);
}

StagingDirectory::~StagingDirectory() {
  std::error_code ignored;
  fs::remove_all(path_, ignored);
  ReleaseSlot(slot_);
}

std::string StagingDirectory::PathFor(const std::string& file_name) const {
  return (fs::path(path_) / file_name).string();
}

std::string StagingDirectory::FinalPath(const std::string& file_name) const {
  return (fs::path(output_dir_) / file_name).string();
}

std::vector<std::string> StagingDirectory::Commit() {
  std::vector<std::string> names;
  std::error_code error;
  for (const auto& entry : fs::directory_iterator(path_, error)) {
    std::string name = entry.path().filename().string();
    if (name.rfind(kTemporaryPrefix, 0) != 0) names.push_back(name);
  }
  std::sort(names.begin(), names.end());
  // Everything that can be checked is checked before the first file moves.
  for (const auto& name : names) {
    CheckNotAnInput(FinalPath(name));
    if (fs::is_directory(FinalPath(name), error)) throw FileError(FinalPath(name), "is a folder; cannot write the output there");
  }
  std::vector<std::string> moved;
  for (const auto& name : names) {
    if (std::rename(PathFor(name).c_str(), FinalPath(name).c_str()) != 0) {
      std::string reason = std::strerror(errno);
      for (const auto& path : moved) fs::remove(path, error);  // all or nothing
      throw FileError(FinalPath(name), "cannot move the finished file into place: " + reason);
    }
    moved.push_back(FinalPath(name));
  }
  return moved;
}

AtomicFile::AtomicFile(std::string final_path) : final_path_(std::move(final_path)) {
  CheckNotAnInput(final_path_);
  fs::path final_fs(final_path_);
  temp_path_ = (final_fs.parent_path() / TemporaryName(final_fs.filename().string())).string();
  slot_ = ClaimSlot(temp_path_);
}

AtomicFile::~AtomicFile() {
  if (!committed_) {
    std::error_code ignored;
    fs::remove(temp_path_, ignored);
  }
  ReleaseSlot(slot_);
}

void AtomicFile::Commit() {
  CheckNotAnInput(final_path_);
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
  // Opened without blocking (a FIFO would otherwise wait for a writer), then
  // checked to be a regular file before anything is read.
  int fd = open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) throw FileError(path, "no such file");
    if (errno == EISDIR) throw FileError(path, "is a directory, not a file");
    throw FileError(path, std::string("cannot open: ") + std::strerror(errno));
  }
  struct stat info {};
  if (fstat(fd, &info) != 0 || !S_ISREG(info.st_mode)) {
    bool directory = S_ISDIR(info.st_mode);
    close(fd);
    throw FileError(path, directory ? "is a directory, not a file"
                                    : "is not a regular file (a pipe, device or socket); give a file");
  }
  std::string bytes;
  bytes.resize(size_t(info.st_size));
  size_t done = 0;
  // A file that grew since fstat is read on in small steps: growing the
  // string itself would copy it into fresh pages, and a fresh page costs
  // ~12 µs to fault in on this project's VMs (a 1.6 MB model: 5 ms).
  char more[4096];
  while (true) {
    const bool at_size = done >= bytes.size();
    ssize_t n = at_size ? read(fd, more, sizeof more) : read(fd, bytes.data() + done, bytes.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      std::string reason = std::strerror(errno);
      close(fd);
      throw FileError(path, "read error: " + reason);
    }
    if (n == 0) break;
    if (at_size) bytes.append(more, size_t(n));
    done += size_t(n);
  }
  close(fd);
  bytes.resize(done);
  return bytes;
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
