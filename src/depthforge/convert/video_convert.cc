#include "depthforge/convert/video_convert.h"

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <sstream>

#include "depthforge/core/error.h"
#include "depthforge/util/paths.h"
#include "depthforge/util/plugin_library.h"

namespace depthforge {

namespace fs = std::filesystem;

const EnumNames<VideoOutput>& VideoOutputNames() {
  static const EnumNames<VideoOutput> kNames{"video output", {
      {"sbs", VideoOutput::kSideBySide}, {"hsbs", VideoOutput::kHalfSideBySide},
      {"tb", VideoOutput::kTopBottom}, {"htb", VideoOutput::kHalfTopBottom}, {"cross", VideoOutput::kCrossEyed},
      {"anaglyph", VideoOutput::kAnaglyph}, {"anaglyph-color", VideoOutput::kAnaglyphColor},
      {"anaglyph-half", VideoOutput::kAnaglyphHalfColor}, {"anaglyph-grey", VideoOutput::kAnaglyphGrey},
      {"rgbd", VideoOutput::kRgbd}, {"depth", VideoOutput::kDepth}, {"depth16", VideoOutput::kDepth16}}};
  return kNames;
}

std::vector<VideoOutput> ParseVideoOutputs(const std::string& list) {
  std::vector<VideoOutput> outputs;
  std::stringstream stream(list);
  std::string item;
  while (std::getline(stream, item, ',')) {
    if (item.empty()) continue;
    VideoOutput output = VideoOutputNames().Parse(item);
    if (std::find(outputs.begin(), outputs.end(), output) == outputs.end()) outputs.push_back(output);
  }
  if (outputs.empty()) throw OptionError("--as needs at least one output (" + VideoOutputNames().List() + ")");
  return outputs;
}

std::string VideoOutputFileName(const std::string& stem, VideoOutput output) {
  switch (output) {
    case VideoOutput::kSideBySide: return stem + "_LRF_Full_SBS.mp4";
    case VideoOutput::kHalfSideBySide: return stem + "_LR.mp4";
    case VideoOutput::kTopBottom: return stem + "_TBF_fulltb.mp4";
    case VideoOutput::kHalfTopBottom: return stem + "_TB.mp4";
    case VideoOutput::kCrossEyed: return stem + "_RLF_cross.mp4";
    case VideoOutput::kAnaglyph: return stem + "_redcyan_dubois.mp4";
    case VideoOutput::kAnaglyphColor: return stem + "_redcyan_color.mp4";
    case VideoOutput::kAnaglyphHalfColor: return stem + "_redcyan_half_color.mp4";
    case VideoOutput::kAnaglyphGrey: return stem + "_redcyan_gray.mp4";
    case VideoOutput::kRgbd: return stem + "_RGBD.mp4";
    case VideoOutput::kDepth: return stem + "_depth.mp4";
    case VideoOutput::kDepth16: return stem + "_depth16.mkv";
  }
  return stem + ".mp4";
}

bool IsVideoOutputName(const std::string& file_name) {
  for (const auto& entry : VideoOutputNames().names) {
    const std::string suffix = VideoOutputFileName("", entry.second);
    if (file_name.size() > suffix.size() && file_name.compare(file_name.size() - suffix.size(), suffix.size(), suffix) == 0) {
      return true;
    }
  }
  return false;
}

void VideoConvertOptions::Check() const {
  if (outputs.empty()) throw OptionError("no video output requested");
  parallax.Check();
  view.Check();
  encoder.Check();
  stabilizer.Check();
  if (!(start >= 0)) throw OptionError("the start time must not be negative");
  if (!(end >= 0)) throw OptionError("the end time must not be negative");
  if (end > 0 && end <= start) throw OptionError("the end time must come after the start time");
  if (!(max_fps >= 0 && max_fps <= 1000)) throw OptionError("the largest frame rate must be between 0 (no limit) and 1000");
  if (!(segment_seconds >= 0.5 && segment_seconds <= 3600)) throw OptionError("segments must last 0.5 s to 1 hour");
}

std::string VideoConverter::WorkFolder(const std::string& output_dir, const std::string& stem) {
  return (fs::path(output_dir) / ("." + stem + ".depthforge-work")).string();
}

VideoConverter::VideoConverter(const DepthEstimator& estimator, VideoConvertOptions options)
    : estimator_(estimator), options_(std::move(options)) {
  options_.Check();
}

VideoConvertResult VideoConverter::Run(const std::string& input, const std::string& output_dir,
                                       const std::string& stem) const {
  const auto started = std::chrono::steady_clock::now();
  ProtectInput(input);
  EnsureWritableDirectory(output_dir);
  if (options_.resume) {
    std::vector<std::string> names;
    for (VideoOutput output : options_.outputs) names.push_back(VideoOutputFileName(stem, output));
    if (std::all_of(names.begin(), names.end(), [&](const std::string& name) {
          std::error_code error;
          return fs::is_regular_file(fs::path(output_dir) / name, error);
        })) {
      VideoConvertResult result;
      result.already_done = true;
      for (const std::string& name : names) result.written.push_back((fs::path(output_dir) / name).string());
      return result;
    }
  }
  const std::string work = WorkFolder(output_dir, stem);
  VideoConvertResult result = EncodeSegments(input, work);
  JoinSegments(input, {work}, output_dir, stem, result);
  std::error_code error;
  fs::remove_all(work, error);
  result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  return result;
}

// The segments are FFmpeg's work: libdepthforge_ffmpeg.so (video_segments.cc).
VideoConvertResult VideoConverter::EncodeSegments(const std::string& input, const std::string& work) const {
  using Entry = void (*)(const DepthEstimator*, const VideoConvertOptions*, const std::string*, const std::string*,
                         VideoConvertResult*);
  VideoConvertResult result;
  reinterpret_cast<Entry>(FfmpegLibrarySymbol("depthforge_ffmpeg_encode_video_segments"))(&estimator_, &options_, &input,
                                                                                          &work, &result);
  return result;
}

void VideoConverter::JoinSegments(const std::string& input, const std::vector<std::string>& works,
                                  const std::string& output_dir, const std::string& stem,
                                  VideoConvertResult& result) const {
  using Entry = void (*)(const VideoConvertOptions*, const std::string*, const std::vector<std::string>*,
                         const std::string*, const std::string*, VideoConvertResult*);
  reinterpret_cast<Entry>(FfmpegLibrarySymbol("depthforge_ffmpeg_join_video_segments"))(&options_, &input, &works,
                                                                                        &output_dir, &stem, &result);
}

}  // namespace depthforge
