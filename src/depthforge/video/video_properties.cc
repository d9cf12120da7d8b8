#include "depthforge/video/video_properties.h"

#include "depthforge/util/plugin_library.h"

namespace depthforge {

// The reading is VideoReader's, in libdepthforge_ffmpeg.so (video_reader.cc).
VideoProperties ReadVideoProperties(const std::string& path) {
  using Entry = void (*)(const std::string*, VideoProperties*);
  VideoProperties properties;
  reinterpret_cast<Entry>(FfmpegLibrarySymbol("depthforge_ffmpeg_read_video_properties"))(&path, &properties);
  return properties;
}

}  // namespace depthforge
