// FFmpeg's error codes as text, for messages that name the file and the reason.
#pragma once

#include <string>

namespace depthforge {

std::string AvErrorText(int code);

// FFmpeg's own log (encoder statistics, warnings) is silenced to errors:
// depthforge reports what matters itself. Idempotent.
void QuietFfmpegLog();

}  // namespace depthforge
