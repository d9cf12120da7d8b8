// Downloading a URL to a file with libcurl: resumable, with progress.
#pragma once

#include <cstdint>
#include <string>

namespace depthforge {

struct DownloadOptions {
  bool show_progress = true;
  long connect_timeout_seconds = 15;
  // Abort when slower than 1 kB/s for this long (a stalled connection).
  long stall_timeout_seconds = 60;
  void Check() const;
};

struct DownloadResult {
  int64_t bytes_total = 0;     // size of the file now on disk
  int64_t bytes_resumed = 0;   // bytes that were already there and kept
};

// Appends to 'partial_path' when it exists (an HTTP Range request), so an
// interrupted download continues where it stopped. Throws Error with the
// URL and the reason (DNS, connection, HTTP status) on failure; what was
// received is kept for the next attempt.
DownloadResult DownloadToFile(const std::string& url, const std::string& partial_path,
                              const DownloadOptions& options = {});

}  // namespace depthforge
