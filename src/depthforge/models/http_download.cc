#include "depthforge/models/http_download.h"

#include <curl/curl.h>

#include <cstdio>
#include <filesystem>
#include <memory>

#include "depthforge/core/error.h"
#include "depthforge/util/progress.h"

namespace depthforge {
namespace fs = std::filesystem;

namespace {

struct Transfer {
  std::FILE* file = nullptr;
  std::unique_ptr<Progress> progress;
  int64_t resumed = 0;
  bool write_failed = false;
};

size_t WriteChunk(char* data, size_t size, size_t count, void* user) {
  auto* transfer = static_cast<Transfer*>(user);
  size_t written = std::fwrite(data, size, count, transfer->file);
  if (written != count) transfer->write_failed = true;
  return written * size;
}

int ReportProgress(void* user, curl_off_t total, curl_off_t now, curl_off_t, curl_off_t) {
  auto* transfer = static_cast<Transfer*>(user);
  if (transfer->progress == nullptr && total > 0) {
    transfer->progress = std::make_unique<Progress>("download", double(total + transfer->resumed), "B");
  }
  if (transfer->progress) transfer->progress->Set(double(now + transfer->resumed));
  return 0;
}

struct CurlGlobal {
  CurlGlobal() { curl_global_init(CURL_GLOBAL_DEFAULT); }
  ~CurlGlobal() { curl_global_cleanup(); }
};

}  // namespace

void DownloadOptions::Check() const {
  if (connect_timeout_seconds <= 0) throw OptionError("connect timeout must be positive");
  if (stall_timeout_seconds <= 0) throw OptionError("stall timeout must be positive");
}

DownloadResult DownloadToFile(const std::string& url, const std::string& partial_path, const DownloadOptions& options) {
  options.Check();
  static CurlGlobal global;
  std::error_code error;
  int64_t existing = fs::exists(partial_path, error) ? int64_t(fs::file_size(partial_path, error)) : 0;

  for (int attempt = 0; attempt < 2; ++attempt) {
    Transfer transfer;
    transfer.resumed = existing;
    transfer.file = std::fopen(partial_path.c_str(), existing > 0 ? "ab" : "wb");
    if (transfer.file == nullptr) throw FileError(partial_path, "cannot open for writing");
    std::unique_ptr<CURL, void (*)(CURL*)> curl(curl_easy_init(), curl_easy_cleanup);
    char error_text[CURL_ERROR_SIZE] = {0};
    curl_easy_setopt(curl.get(), CURLOPT_URL, url.c_str());
    curl_easy_setopt(curl.get(), CURLOPT_FOLLOWLOCATION, 1L);
    curl_easy_setopt(curl.get(), CURLOPT_FAILONERROR, 1L);
    curl_easy_setopt(curl.get(), CURLOPT_ERRORBUFFER, error_text);
    curl_easy_setopt(curl.get(), CURLOPT_CONNECTTIMEOUT, options.connect_timeout_seconds);
    curl_easy_setopt(curl.get(), CURLOPT_LOW_SPEED_LIMIT, 1000L);
    curl_easy_setopt(curl.get(), CURLOPT_LOW_SPEED_TIME, options.stall_timeout_seconds);
    curl_easy_setopt(curl.get(), CURLOPT_USERAGENT, "depthforge/" DEPTHFORGE_VERSION);
    curl_easy_setopt(curl.get(), CURLOPT_WRITEFUNCTION, WriteChunk);
    curl_easy_setopt(curl.get(), CURLOPT_WRITEDATA, &transfer);
    if (existing > 0) curl_easy_setopt(curl.get(), CURLOPT_RESUME_FROM_LARGE, curl_off_t(existing));
    if (options.show_progress) {
      curl_easy_setopt(curl.get(), CURLOPT_NOPROGRESS, 0L);
      curl_easy_setopt(curl.get(), CURLOPT_XFERINFOFUNCTION, ReportProgress);
      curl_easy_setopt(curl.get(), CURLOPT_XFERINFODATA, &transfer);
    }
    CURLcode code = curl_easy_perform(curl.get());
    long status = 0;
    curl_easy_getinfo(curl.get(), CURLINFO_RESPONSE_CODE, &status);
    bool closed_ok = std::fclose(transfer.file) == 0;
    if (transfer.progress) transfer.progress->Finish();
    if (transfer.write_failed || !closed_ok) throw FileError(partial_path, "write failed (disk full?)");
    if (code == CURLE_OK && existing > 0 && status == 200) {
      // The server ignored the Range request and sent the whole file after
      // the part we had: start again from zero.
      fs::remove(partial_path, error);
      existing = 0;
      continue;
    }
    if ((code == CURLE_HTTP_RETURNED_ERROR && status == 416) || code == CURLE_RANGE_ERROR) {
      // Range not satisfiable: the partial file is not a prefix of this one.
      fs::remove(partial_path, error);
      existing = 0;
      continue;
    }
    if (code != CURLE_OK) {
      std::string reason = error_text[0] ? error_text : curl_easy_strerror(code);
      throw Error("cannot download " + url + ": " + reason);
    }
    DownloadResult result;
    result.bytes_resumed = existing;
    result.bytes_total = int64_t(fs::file_size(partial_path, error));
    return result;
  }
  throw Error("cannot download " + url + ": the server does not resume downloads consistently");
}

}  // namespace depthforge
