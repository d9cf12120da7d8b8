// Whole videos to stereo 3D, streaming: decode a frame, estimate its depth,
// steady it over time, render the eyes with the photo renderer, encode every
// output. Memory does not grow with the film.
//
// The work is kept in segments (segment_seconds of the source each, every
// segment a closed group of pictures with its own encoder) in a hidden
// folder beside the outputs, `.<stem>.depthforge-work/`. When every segment
// is done they are joined by stream copy, with the source's audio and
// subtitles, into the final files, which appear together. After Ctrl-C,
// kill -9 or a power cut, `resume` continues at the first unfinished
// segment with the steadying state saved at its start.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "depthforge/core/enum_names.h"
#include "depthforge/render/parallax.h"
#include "depthforge/render/view_synthesis.h"
#include "depthforge/video/depth_stabilizer.h"
#include "depthforge/video/video_encoder_options.h"

namespace depthforge {

class DepthEstimator;

enum class VideoOutput {
  kSideBySide, kHalfSideBySide, kTopBottom, kHalfTopBottom, kCrossEyed,
  kAnaglyph, kAnaglyphColor, kAnaglyphHalfColor, kAnaglyphGrey,
  kRgbd,     // colour | depth (grey, near = bright) side by side
  kDepth,    // colour-mapped depth preview (H.264)
  kDepth16,  // 16-bit depth, FFV1 gray16le in Matroska: metric models in mm (0 = unknown),
             // relative models as inverse depth normalised over the steadied range (1..65535)
};
const EnumNames<VideoOutput>& VideoOutputNames();  // sbs, hsbs, tb, htb, cross, anaglyph[-color|-half|-grey], rgbd, depth, depth16
// "sbs,anaglyph" -> outputs; throws OptionError naming an unknown entry.
std::vector<VideoOutput> ParseVideoOutputs(const std::string& list);
// The names iw3 gives, by which players switch to 3D: <stem>_LRF_Full_SBS.mp4,
// <stem>_LR.mp4 (half SBS), <stem>_TBF_fulltb.mp4, <stem>_TB.mp4,
// <stem>_RLF_cross.mp4, <stem>_redcyan_dubois.mp4, <stem>_RGBD.mp4,
// <stem>_depth.mp4, <stem>_depth16.mkv.
std::string VideoOutputFileName(const std::string& stem, VideoOutput output);
// Whether a file name is one of those (so a folder scan does not convert
// the outputs of an earlier run again).
bool IsVideoOutputName(const std::string& file_name);

struct VideoConvertOptions {
  std::vector<VideoOutput> outputs = {VideoOutput::kHalfSideBySide};
  ParallaxOptions parallax;
  ViewSynthesisOptions view;
  VideoEncoderOptions encoder;
  StabilizerOptions stabilizer;
  double start = 0;    // seconds from the start of the source where the output begins
  double end = 0;      // seconds from the start of the source where it ends; 0 = the end
  double max_fps = 0;  // frames above this rate are dropped (timing kept); 0 = every frame
  // Length of a resumable piece of work (each starts with a key frame).
  // Shorter loses less on a crash and costs more key frames.
  double segment_seconds = 10;
  bool resume = false;  // continue an interrupted conversion; skip videos already converted
  bool show_progress = true;
  // For callers that show progress themselves (the web studio): called from
  // the depth stage with the fraction of frames done, 0..1 (0 while unknown).
  std::function<void(double)> on_progress;
  // Asked between frames, besides InterruptRequested(): true stops the
  // conversion the same way (Interrupted; finished segments kept for resume).
  std::function<bool()> stop_requested;
  void Check() const;
};

struct VideoConvertResult {
  std::vector<std::string> written;
  int64_t frames = 0;          // frames converted by this run
  int64_t resumed_frames = 0;  // frames found done by an earlier run (resume)
  bool already_done = false;   // resume found every output written: nothing was done
  bool truncated = false;      // the input ended early; what decoded was converted
  int scene_cuts = 0;
  int alignment_fits = 0;  // --align-to: fits of the relative model to the metric one (one per scene)
  std::vector<std::string> copied_streams, reencoded_streams, dropped_streams;  // audio and subtitles
  double seconds = 0;
  double frame_rate = 0;  // of the outputs
  // Busy time of each stage (they overlap): where the time goes.
  double decode_seconds = 0, depth_seconds = 0, render_seconds = 0, encode_seconds = 0;
};

// Converts one video. The outputs appear together when the last segment is
// joined. Throws FileError naming the input (not a video, no video stream,
// ...), and Interrupted when InterruptRequested() turns true: the finished
// segments stay for `resume`, nothing else is left.
class VideoConverter {
 public:
  VideoConverter(const DepthEstimator& estimator, VideoConvertOptions options);
  VideoConvertResult Run(const std::string& input, const std::string& output_dir, const std::string& stem) const;
  // The folder where the segments of 'stem' are kept until the outputs are written.
  static std::string WorkFolder(const std::string& output_dir, const std::string& stem);

  // The two halves of Run, for a video converted in parts by several
  // workers at once (the web studio): each converts its part (options'
  // start and end) into its own work folder, continuing what an earlier
  // run with the same settings left there; then one joins the folders, in
  // time order, with the source's audio and subtitles from the options'
  // start to end. The steadying starts afresh at each part.
  VideoConvertResult EncodeSegments(const std::string& input, const std::string& work) const;
  // 'result' supplies the frame rate and receives the streams' report and
  // the files written.
  void JoinSegments(const std::string& input, const std::vector<std::string>& works, const std::string& output_dir,
                    const std::string& stem, VideoConvertResult& result) const;

 private:
  const DepthEstimator& estimator_;
  VideoConvertOptions options_;
};

}  // namespace depthforge
