// Whole videos to stereo 3D, streaming: decode a frame, estimate its depth,
// steady the depth range over time, render the eyes, encode every output,
// copy the audio packets beside them. Memory does not grow with the film.
#pragma once

#include <string>
#include <vector>

#include "depthforge/core/enum_names.h"
#include "depthforge/render/parallax.h"
#include "depthforge/render/view_synthesis.h"
#include "depthforge/video/video_writer.h"

namespace depthforge {

class DepthEstimator;

enum class VideoOutput {
  kSideBySide, kHalfSideBySide, kTopBottom, kHalfTopBottom, kCrossEyed,
  kAnaglyph, kAnaglyphColor, kAnaglyphHalfColor, kAnaglyphGrey,
  kRgbd,   // colour | depth (grey, near = bright) side by side
  kDepth,  // colour-mapped depth preview
};
const EnumNames<VideoOutput>& VideoOutputNames();  // sbs, hsbs, tb, htb, cross, anaglyph[-color|-half|-grey], rgbd, depth
// "sbs,anaglyph" -> outputs; throws OptionError naming an unknown entry.
std::vector<VideoOutput> ParseVideoOutputs(const std::string& list);
// The names iw3 gives, by which players switch to 3D: <stem>_LRF_Full_SBS.mp4,
// <stem>_LR.mp4 (half SBS), <stem>_TBF_fulltb.mp4, <stem>_TB.mp4,
// <stem>_RLF_cross.mp4, <stem>_redcyan_dubois.mp4, <stem>_RGBD.mp4, <stem>_depth.mp4.
std::string VideoOutputFileName(const std::string& stem, VideoOutput output);

struct VideoConvertOptions {
  std::vector<VideoOutput> outputs = {VideoOutput::kHalfSideBySide};
  ParallaxOptions parallax;
  ViewSynthesisOptions view;
  VideoEncoderOptions encoder;
  // Weight of the newest frame in the running average of the depth range
  // (1 = per frame, no smoothing). Per-frame ranges make the whole scene
  // pump in and out of the screen; 0.1 follows a change within ~1 s at 24 fps.
  double range_smoothing = 0.1;
  double end = 0;  // stop at this time (seconds from the start); 0 = the whole video
  bool show_progress = true;
  void Check() const;
};

struct VideoConvertResult {
  std::vector<std::string> written;
  int64_t frames = 0;
  bool truncated = false;                 // the input ended early; what decoded was converted
  std::vector<std::string> dropped_audio; // audio codecs the container could not take
  double seconds = 0;
};

// Converts one video. All or nothing: the outputs appear together when the
// last frame is encoded. Throws FileError naming the input (not a video,
// no video stream, ...), and Interrupted when InterruptRequested() turns
// true (nothing is left behind).
class VideoConverter {
 public:
  VideoConverter(const DepthEstimator& estimator, VideoConvertOptions options);
  VideoConvertResult Run(const std::string& input, const std::string& output_dir, const std::string& stem) const;

 private:
  const DepthEstimator& estimator_;
  VideoConvertOptions options_;
};

}  // namespace depthforge
