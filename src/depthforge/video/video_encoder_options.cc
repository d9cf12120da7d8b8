#include "depthforge/video/video_encoder_options.h"

#include "depthforge/core/error.h"

namespace depthforge {

void VideoEncoderOptions::Check() const {
  if (codec != "libx264" && codec != "libx265") throw OptionError("video codec must be libx264 or libx265, got '" + codec + "'");
  if (crf < 0 || crf > 51) throw OptionError("crf must be between 0 and 51");
  if (preset.empty()) throw OptionError("an encoder preset is required (e.g. veryfast, medium)");
  if (frame_packing != -1 && (frame_packing < 0 || frame_packing > 5)) throw OptionError("frame packing must be -1 or 0-5");
}

}  // namespace depthforge
