#include "depthforge/studio/http_responses.h"

#include <httplib.h>

#include <fstream>
#include <memory>
#include <vector>

namespace depthforge {
using nlohmann::json;

void SendJson(httplib::Response& response, int status, const json& body) {
  response.status = status;
  response.set_content(body.dump(), "application/json");
}

void SendError(httplib::Response& response, int status, const std::string& message) {
  SendJson(response, status, {{"error", message}});
}

void SendFile(httplib::Response& response, const std::string& path, uintmax_t size, const std::string& content_type) {
  auto file = std::make_shared<std::ifstream>(path, std::ios::binary);
  response.set_content_provider(size_t(size), content_type, [file](size_t offset, size_t length, httplib::DataSink& sink) {
    std::vector<char> buffer(64 * 1024);
    file->seekg(std::streamoff(offset));
    while (length > 0) {
      const size_t chunk = std::min(length, buffer.size());
      if (!file->read(buffer.data(), std::streamsize(chunk))) return false;
      if (!sink.write(buffer.data(), chunk)) return false;
      length -= chunk;
    }
    return true;
  });
}

}  // namespace depthforge
