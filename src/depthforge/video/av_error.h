// FFmpeg's error codes as text, for messages that name the file and the reason.
#pragma once

#include <string>

namespace depthforge {

std::string AvErrorText(int code);

}  // namespace depthforge
