#include "depthforge/convert/video_convert.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <exception>
#include <memory>
#include <optional>
#include <sstream>
#include <thread>

#include <opencv2/imgproc.hpp>

#include "depthforge/core/error.h"
#include "depthforge/estimate/depth_estimator.h"
#include "depthforge/io/depth_io.h"
#include "depthforge/render/stereo_layout.h"
#include "depthforge/util/atomic_file.h"
#include "depthforge/util/bounded_queue.h"
#include "depthforge/util/interrupt.h"
#include "depthforge/util/paths.h"
#include "depthforge/util/progress.h"
#include "depthforge/video/video_reader.h"

namespace depthforge {

const EnumNames<VideoOutput>& VideoOutputNames() {
  static const EnumNames<VideoOutput> kNames{"video output", {
      {"sbs", VideoOutput::kSideBySide}, {"hsbs", VideoOutput::kHalfSideBySide},
      {"tb", VideoOutput::kTopBottom}, {"htb", VideoOutput::kHalfTopBottom}, {"cross", VideoOutput::kCrossEyed},
      {"anaglyph", VideoOutput::kAnaglyph}, {"anaglyph-color", VideoOutput::kAnaglyphColor},
      {"anaglyph-half", VideoOutput::kAnaglyphHalfColor}, {"anaglyph-grey", VideoOutput::kAnaglyphGrey},
      {"rgbd", VideoOutput::kRgbd}, {"depth", VideoOutput::kDepth}}};
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
  }
  return stem + ".mp4";
}

void VideoConvertOptions::Check() const {
  if (outputs.empty()) throw OptionError("no video output requested");
  parallax.Check();
  view.Check();
  encoder.Check();
  if (!(range_smoothing > 0 && range_smoothing <= 1)) throw OptionError("range smoothing must be in (0, 1]");
  if (!(end >= 0)) throw OptionError("the end time must not be negative");
}

namespace {

cv::Size OutputSize(VideoOutput output, cv::Size frame) {
  switch (output) {
    case VideoOutput::kSideBySide:
    case VideoOutput::kCrossEyed:
    case VideoOutput::kRgbd: return {2 * frame.width, frame.height};
    case VideoOutput::kTopBottom: return {frame.width, 2 * frame.height};
    default: return frame;
  }
}

int FramePacking(VideoOutput output) {
  switch (output) {
    case VideoOutput::kSideBySide:
    case VideoOutput::kHalfSideBySide: return 3;  // H.264 frame packing: side by side
    case VideoOutput::kTopBottom:
    case VideoOutput::kHalfTopBottom: return 4;  // top and bottom
    default: return -1;
  }
}

bool NeedsStereo(VideoOutput output) { return output != VideoOutput::kRgbd && output != VideoOutput::kDepth; }

// Nearness mapped to 0..255 over the smoothed range (near = bright).
cv::Mat1b NearnessImage(const DepthMap& depth, const NearnessRange& range) {
  cv::Mat1b grey(depth.values.size(), uchar(0));
  float span = std::max(1e-12f, range.near - range.far);
  for (int y = 0; y < grey.rows; ++y) {
    for (int x = 0; x < grey.cols; ++x) {
      float v = depth.values(y, x);
      if (!std::isfinite(v) || v <= 0) continue;
      float n = depth.kind == DepthKind::kMetricDepth ? 1.f / v : v;
      grey(y, x) = uchar(std::lround(255.f * std::clamp((n - range.far) / span, 0.f, 1.f)));
    }
  }
  return grey;
}

cv::Mat3b Compose(VideoOutput output, const cv::Mat3b& frame, const StereoPair& pair, const cv::Mat1b& nearness) {
  switch (output) {
    case VideoOutput::kSideBySide: return ComposeStereo(pair.left, pair.right, StereoLayout::kFullSideBySide);
    case VideoOutput::kHalfSideBySide: return ComposeStereo(pair.left, pair.right, StereoLayout::kHalfSideBySide);
    case VideoOutput::kTopBottom: return ComposeStereo(pair.left, pair.right, StereoLayout::kFullTopBottom);
    case VideoOutput::kHalfTopBottom: return ComposeStereo(pair.left, pair.right, StereoLayout::kHalfTopBottom);
    case VideoOutput::kCrossEyed: return ComposeStereo(pair.left, pair.right, StereoLayout::kCrossEyed);
    case VideoOutput::kAnaglyph: return MakeAnaglyph(pair.left, pair.right, AnaglyphMode::kDubois);
    case VideoOutput::kAnaglyphColor: return MakeAnaglyph(pair.left, pair.right, AnaglyphMode::kColor);
    case VideoOutput::kAnaglyphHalfColor: return MakeAnaglyph(pair.left, pair.right, AnaglyphMode::kHalfColor);
    case VideoOutput::kAnaglyphGrey: return MakeAnaglyph(pair.left, pair.right, AnaglyphMode::kGrey);
    case VideoOutput::kRgbd: {
      cv::Mat3b grey, out;
      cv::cvtColor(nearness, grey, cv::COLOR_GRAY2BGR);
      cv::hconcat(frame, grey, out);
      return out;
    }
    case VideoOutput::kDepth: {
      cv::Mat3b colored;
      cv::applyColorMap(nearness, colored, cv::COLORMAP_INFERNO);
      return colored;
    }
  }
  return frame;
}

}  // namespace

VideoConverter::VideoConverter(const DepthEstimator& estimator, VideoConvertOptions options)
    : estimator_(estimator), options_(std::move(options)) {
  options_.Check();
}

VideoConvertResult VideoConverter::Run(const std::string& input, const std::string& output_dir,
                                       const std::string& stem) const {
  auto start = std::chrono::steady_clock::now();
  ProtectInput(input);
  VideoReader reader(input);
  // 4:2:0 video needs even sides: an odd last row or column is dropped.
  const cv::Size frame_size(reader.size().width & ~1, reader.size().height & ~1);
  if (frame_size.width < 2 || frame_size.height < 2) throw FileError(input, "video frames are too small to convert");
  const double rate = reader.frame_rate() > 0 ? reader.frame_rate() : 25.0;
  EnsureWritableDirectory(output_dir);
  StagingDirectory stage(output_dir);
  std::vector<std::unique_ptr<VideoFileWriter>> writers;
  for (VideoOutput output : options_.outputs) {
    VideoEncoderOptions encoder = options_.encoder;
    encoder.frame_packing = FramePacking(output);
    writers.push_back(std::make_unique<VideoFileWriter>(stage.PathFor(VideoOutputFileName(stem, output)),
                                                        OutputSize(output, frame_size), rate, reader.audio_streams(),
                                                        encoder));
  }
  const bool stereo = std::any_of(options_.outputs.begin(), options_.outputs.end(), NeedsStereo);
  const bool shows_depth = !std::all_of(options_.outputs.begin(), options_.outputs.end(), NeedsStereo);
  Progress progress("video " + stem, double(reader.estimated_frames()), "frame",
                    options_.show_progress ? stderr : nullptr);
  VideoConvertResult result;

  // Three stages overlap: decoding (a thread), depth and rendering (this
  // thread, where the network uses the cores it was given), encoding (a
  // thread). Small bounded queues keep memory flat however long the film.
  struct Decoded {
    VideoFrame frame;  // an empty image: only the audio after the last frame
    std::vector<AudioPacket> audio;
  };
  struct Rendered {
    std::vector<cv::Mat3b> images;  // one per output; empty: audio only
    double time = 0;
    std::vector<AudioPacket> audio;
  };
  BoundedQueue<Decoded> decoded(4);
  BoundedQueue<Rendered> rendered(4);
  std::exception_ptr decode_error, encode_error;
  std::atomic<bool> encode_failed{false};
  std::thread decoder([&] {
    try {
      VideoFrame frame;
      std::vector<AudioPacket> audio;
      while (reader.Read(frame, audio)) {
        if (options_.end > 0 && frame.time >= options_.end) {
          audio.clear();
          break;
        }
        if (!decoded.Push({std::move(frame), std::move(audio)})) return;
        audio.clear();  // moved from: make it empty again
      }
      if (!audio.empty()) decoded.Push({VideoFrame{}, std::move(audio)});
    } catch (...) {
      decode_error = std::current_exception();
    }
    decoded.Close();
  });
  std::thread encoder([&] {
    try {
      while (auto item = rendered.Pop()) {
        for (AudioPacket& packet : item->audio) {
          for (size_t w = 0; w < writers.size(); ++w) {
            AudioPacket copy = w + 1 == writers.size() ? std::move(packet) : packet.Clone();
            writers[w]->WriteAudio(copy);
          }
        }
        for (size_t w = 0; w < item->images.size(); ++w) writers[w]->WriteFrame(item->images[w], item->time);
      }
    } catch (...) {
      encode_error = std::current_exception();
      encode_failed = true;
      rendered.Abandon();
    }
  });
  auto stop_stages = [&] {
    decoded.Abandon();
    rendered.Abandon();
    decoder.join();
    encoder.join();
  };
  try {
    std::optional<NearnessRange> smoothed;
    while (auto item = decoded.Pop()) {
      if (InterruptRequested()) throw Interrupted();
      if (encode_failed) break;
      Rendered out;
      out.audio = std::move(item->audio);
      if (!item->frame.image.empty()) {
        const cv::Mat3b& source = item->frame.image;
        cv::Mat3b image = source.size() == frame_size ? source : cv::Mat3b(source(cv::Rect({0, 0}, frame_size)).clone());
        DepthMap depth = estimator_.Estimate(image);
        NearnessRange range = MeasureNearnessRange(depth);
        if (smoothed) {
          const float a = float(options_.range_smoothing);
          smoothed->far = a * range.far + (1 - a) * smoothed->far;
          smoothed->near = a * range.near + (1 - a) * smoothed->near;
        } else {
          smoothed = range;
        }
        StereoPair pair;
        if (stereo) pair = RenderStereoPair(image, DisparityFromDepth(depth, options_.parallax, *smoothed), options_.view);
        cv::Mat1b nearness;  // only for the rgbd and depth outputs
        if (shows_depth) nearness = NearnessImage(depth, *smoothed);
        for (VideoOutput output : options_.outputs) out.images.push_back(Compose(output, image, pair, nearness));
        out.time = item->frame.time;
        ++result.frames;
        progress.Set(double(result.frames));
      }
      if (!rendered.Push(std::move(out))) break;
    }
  } catch (...) {
    stop_stages();
    throw;
  }
  decoded.Abandon();  // releases the decoder if this loop stopped early
  rendered.Close();
  decoder.join();
  encoder.join();
  if (decode_error) std::rethrow_exception(decode_error);
  if (encode_error) std::rethrow_exception(encode_error);
  if (result.frames == 0) throw FileError(input, "no video frame could be decoded");
  for (auto& writer : writers) writer->Finish();
  progress.Finish();
  result.dropped_audio = writers.front()->dropped_audio();
  result.truncated = reader.truncated();
  result.written = stage.Commit();
  result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return result;
}

}  // namespace depthforge
