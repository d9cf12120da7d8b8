// Answers the studio's HTTP routes share (internal to studio/): JSON bodies,
// errors as {"error": ...}, files with byte ranges, and the id patterns.
#pragma once

#include <cstdint>
#include <string>

#include <nlohmann/json.hpp>

namespace httplib {
class Response;
}

namespace depthforge {

inline constexpr const char* kJobPattern = "([0-9a-f]{32})";
inline constexpr const char* kTaskPattern = "([0-9a-f]{32}(?:\\.[0-9]{1,5})?)";
// A file a worker sends: a plain name, never hidden, never a path.
inline constexpr const char* kFilePattern = "([A-Za-z0-9_][A-Za-z0-9_.-]{0,127})";

void SendJson(httplib::Response& response, int status, const nlohmann::json& body);
void SendError(httplib::Response& response, int status, const std::string& message);
// Streams a file; httplib answers byte ranges from the provider.
void SendFile(httplib::Response& response, const std::string& path, uintmax_t size, const std::string& content_type);

}  // namespace depthforge
