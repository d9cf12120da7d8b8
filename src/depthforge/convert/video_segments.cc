// The FFmpeg half of convert/video_convert.h: the segments of a conversion
// encoded and joined, in libdepthforge_ffmpeg.so (plugin_library.h), so
// that only commands that convert videos load FFmpeg. VideoConverter's
// EncodeSegments and JoinSegments call the two entry points at the end.
#include "depthforge/convert/video_convert.h"

extern "C" {
#include <libavcodec/avcodec.h>
}

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <exception>
#include <filesystem>
#include <memory>
#include <optional>
#include <sstream>
#include <thread>

#include <opencv2/imgproc.hpp>

#include "depthforge/core/error.h"
#include "depthforge/estimate/depth_estimator.h"
#include "depthforge/estimate/metric_alignment.h"
#include "depthforge/render/stereo_layout.h"
#include "depthforge/util/atomic_file.h"
#include "depthforge/util/bounded_queue.h"
#include "depthforge/util/interrupt.h"
#include "depthforge/util/paths.h"
#include "depthforge/util/progress.h"
#include "depthforge/video/packet_file.h"
#include "depthforge/video/segment_muxer.h"
#include "depthforge/video/video_encoder.h"
#include "depthforge/video/video_reader.h"

namespace depthforge {

namespace fs = std::filesystem;

namespace {

double SecondsSince(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

bool NeedsStereo(VideoOutput output) {
  return output != VideoOutput::kRgbd && output != VideoOutput::kDepth && output != VideoOutput::kDepth16;
}

cv::Size OutputSize(VideoOutput output, cv::Size frame) {
  switch (output) {
    case VideoOutput::kSideBySide:
    case VideoOutput::kCrossEyed:
    case VideoOutput::kRgbd: return {2 * frame.width, frame.height};
    case VideoOutput::kTopBottom: return {frame.width, 2 * frame.height};
    default: return frame;
  }
}

// The size the eyes are rendered at: what the outputs show of them. Half
// side by side alone needs half-width eyes, which halves the work of
// upsampling and rendering; any output showing full eyes needs full ones.
cv::Size EyeSize(const std::vector<VideoOutput>& outputs, cv::Size frame) {
  cv::Size eye(0, 0);
  for (VideoOutput output : outputs) {
    if (!NeedsStereo(output)) continue;
    cv::Size need = frame;
    if (output == VideoOutput::kHalfSideBySide) need.width = frame.width / 2;
    if (output == VideoOutput::kHalfTopBottom) need.height = frame.height / 2;
    eye.width = std::max(eye.width, need.width);
    eye.height = std::max(eye.height, need.height);
  }
  return eye.width > 0 ? eye : frame;
}

// Area averaging, by plain bilinear sampling where a side halves exactly
// (the same average of two pixels, at a quarter of INTER_AREA's cost for a
// 2:1 squeeze of one side).
void Downscale(const cv::Mat3b& source, cv::Mat3b& target, cv::Size size) {
  auto halves_or_keeps = [](int from, int to) { return to == from || 2 * to == from; };
  const bool linear = halves_or_keeps(source.cols, size.width) && halves_or_keeps(source.rows, size.height);
  cv::resize(source, target, size, 0, 0, linear ? cv::INTER_LINEAR : cv::INTER_AREA);
}

// Depth is estimated on the frame at the eyes' resolution but its own
// shape: the network sees undistorted geometry, and half-width eyes need no
// more depth detail than that (their rows are stretched from it).
cv::Size DepthSize(cv::Size eye, cv::Size frame) {
  const double scale = std::min(double(eye.width) / frame.width, double(eye.height) / frame.height);
  return {std::max(2, int(std::lround(frame.width * scale))), std::max(2, int(std::lround(frame.height * scale)))};
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

// Nearness over the steadied range as 0..1 (near = 1); NaN stays NaN.
cv::Mat1f UnitNearness(const cv::Mat1f& nearness, const NearnessRange& range, cv::Size size) {
  const float span = std::max(1e-12f, range.near - range.far);
  cv::Mat1f unit = (nearness - range.far) / span;
  cv::Mat1f sized;
  if (unit.size() == size) sized = unit;
  else cv::resize(unit, sized, size, 0, 0, cv::INTER_LINEAR);
  return sized;
}

cv::Mat1b NearnessImage(const cv::Mat1f& unit) {
  cv::Mat1b grey(unit.size(), uchar(0));
  for (int y = 0; y < unit.rows; ++y) {
    for (int x = 0; x < unit.cols; ++x) {
      const float v = unit(y, x);
      if (std::isfinite(v)) grey(y, x) = uchar(std::lround(255.f * std::clamp(v, 0.f, 1.f)));
    }
  }
  return grey;
}

// 16-bit depth: millimetres for metric models, normalised inverse depth
// (1..65535) for relative ones; 0 = unknown.
cv::Mat1w Depth16(const cv::Mat1f& nearness, const NearnessRange& range, bool metric, cv::Size size) {
  cv::Mat1f sized;
  if (nearness.size() == size) sized = nearness;
  else cv::resize(nearness, sized, size, 0, 0, cv::INTER_LINEAR);
  cv::Mat1w out(size, uint16_t(0));
  const float span = std::max(1e-12f, range.near - range.far);
  for (int y = 0; y < size.height; ++y) {
    for (int x = 0; x < size.width; ++x) {
      const float n = sized(y, x);
      if (!std::isfinite(n) || n <= 0) continue;
      const float value = metric ? 1000.f / n : 1.f + 65534.f * std::clamp((n - range.far) / span, 0.f, 1.f);
      out(y, x) = uint16_t(std::clamp(std::lround(value), 1L, 65535L));
    }
  }
  return out;
}

cv::Mat Compose(VideoOutput output, const cv::Mat3b& frame, const StereoPair& pair, const cv::Mat1f& unit_nearness,
                const cv::Mat1f& nearness, const NearnessRange& range, bool metric) {
  auto side_by_side = [](const cv::Mat3b& a, const cv::Mat3b& b) {
    cv::Mat3b out;
    cv::hconcat(a, b, out);
    return out;
  };
  switch (output) {
    case VideoOutput::kSideBySide: return ComposeStereo(pair.left, pair.right, StereoLayout::kFullSideBySide);
    case VideoOutput::kHalfSideBySide:
      // Eyes rendered at half width already are the half side-by-side picture.
      if (2 * pair.left.cols == frame.cols) return side_by_side(pair.left, pair.right);
      return ComposeStereo(pair.left, pair.right, StereoLayout::kHalfSideBySide);
    case VideoOutput::kTopBottom: return ComposeStereo(pair.left, pair.right, StereoLayout::kFullTopBottom);
    case VideoOutput::kHalfTopBottom:
      if (2 * pair.left.rows == frame.rows) {
        cv::Mat3b out;
        cv::vconcat(pair.left, pair.right, out);
        return out;
      }
      return ComposeStereo(pair.left, pair.right, StereoLayout::kHalfTopBottom);
    case VideoOutput::kCrossEyed: return ComposeStereo(pair.left, pair.right, StereoLayout::kCrossEyed);
    case VideoOutput::kAnaglyph: return MakeAnaglyph(pair.left, pair.right, AnaglyphMode::kDubois);
    case VideoOutput::kAnaglyphColor: return MakeAnaglyph(pair.left, pair.right, AnaglyphMode::kColor);
    case VideoOutput::kAnaglyphHalfColor: return MakeAnaglyph(pair.left, pair.right, AnaglyphMode::kHalfColor);
    case VideoOutput::kAnaglyphGrey: return MakeAnaglyph(pair.left, pair.right, AnaglyphMode::kGrey);
    case VideoOutput::kRgbd: {
      cv::Mat3b grey;
      cv::cvtColor(NearnessImage(unit_nearness), grey, cv::COLOR_GRAY2BGR);
      return side_by_side(frame, grey);
    }
    case VideoOutput::kDepth: {
      cv::Mat3b colored;
      cv::applyColorMap(NearnessImage(unit_nearness), colored, cv::COLORMAP_INFERNO);
      return colored;
    }
    case VideoOutput::kDepth16: return Depth16(nearness, range, metric, frame.size());
  }
  return frame;
}

// What makes the frames of a conversion: a resumed run continues only work
// done with the same settings on the same file.
std::string Fingerprint(const std::string& input, const VideoConvertOptions& o, const std::string& model) {
  std::error_code error;
  std::ostringstream s;
  s.precision(17);
  s << "depthforge video work 1\ninput " << fs::absolute(input, error).string() << ' ' << fs::file_size(input, error)
    << ' ' << fs::last_write_time(input, error).time_since_epoch().count() << "\nmodel " << model << "\noutputs";
  for (VideoOutput output : o.outputs) s << ' ' << VideoOutputNames().Name(output);
  s << "\nparallax " << o.parallax.strength << ' ' << o.parallax.convergence << "\nview " << o.view.edge_threshold << ' '
    << o.view.edge_dilation << ' ' << int(o.view.hole_fill) << ' ' << o.view.hole_smoothing << "\nencoder "
    << o.encoder.codec << ' ' << o.encoder.crf << ' ' << o.encoder.preset << "\nstabilizer "
    << StabilizeNames().Name(o.stabilizer.mode) << ' ' << o.stabilizer.range_smoothing << ' ' << o.stabilizer.look_ahead << ' ' << o.stabilizer.flow_weight
    << ' ' << o.stabilizer.photometric_sigma << ' ' << o.stabilizer.flow_width << ' ' << o.stabilizer.scene_detect << ' '
    << o.stabilizer.cut_share << "\ntime " << o.start << ' ' << o.end << ' ' << o.max_fps << ' ' << o.segment_seconds << '\n';
  return s.str();
}

std::string SegmentName(int64_t segment) {
  char name[32];
  std::snprintf(name, sizeof name, "%06lld", static_cast<long long>(segment));
  return name;
}

// Encoders of one segment, one per output, writing packet files.
class SegmentEncoders {
 public:
  SegmentEncoders(const std::string& work, int64_t segment, const std::vector<VideoOutput>& outputs,
                  const std::vector<cv::Size>& sizes, double rate, const VideoEncoderOptions& options)
      : work_(work), segment_(segment) {
    for (size_t i = 0; i < outputs.size(); ++i) {
      const std::string path = PacketPath(work, segment, outputs[i]);
      VideoEncoderOptions encoder = options;
      encoder.frame_packing = FramePacking(outputs[i]);
      auto kind = outputs[i] == VideoOutput::kDepth16 ? VideoEncoder::Input::kGray16 : VideoEncoder::Input::kBgr8;
      auto slot = std::make_unique<Slot>();
      Slot* raw = slot.get();
      slot->encoder = std::make_unique<VideoEncoder>(path, sizes[i], rate, kind, encoder, /*global_header=*/true,
                                                     [raw](AVPacket* packet) { raw->file->Write(packet); });
      slot->file = std::make_unique<PacketFileWriter>(path, slot->encoder->parameters());
      slots_.push_back(std::move(slot));
    }
  }
  int64_t segment() const { return segment_; }
  void Encode(const std::vector<cv::Mat>& images, double time) {
    for (size_t i = 0; i < slots_.size(); ++i) slots_[i]->encoder->Encode(images[i], time);
  }
  // Flushes every encoder and commits the packet files, then the state:
  // a segment with a state file is complete.
  void Finish(const StabilizerState& state) {
    for (auto& slot : slots_) {
      slot->encoder->Flush();
      slot->file->Commit();
    }
    state.Save(StatePath(work_, segment_));
  }
  static std::string PacketPath(const std::string& work, int64_t segment, VideoOutput output) {
    return (fs::path(work) / (SegmentName(segment) + "." + VideoOutputNames().Name(output) + ".pkt")).string();
  }
  static std::string StatePath(const std::string& work, int64_t segment) {
    return (fs::path(work) / (SegmentName(segment) + ".state")).string();
  }

 private:
  struct Slot {
    std::unique_ptr<PacketFileWriter> file;
    std::unique_ptr<VideoEncoder> encoder;
  };
  std::string work_;
  int64_t segment_;
  std::vector<std::unique_ptr<Slot>> slots_;
};

// Steadied relative nearness to inverse metres with the scene's fit.
void ApplyAlignment(double scale, double shift, StabilizedFrame& frame) {
  const float nearest_inverse = 1.f / kFarthestAlignedDepth;
  frame.nearness = AlignedInverseDepth(frame.nearness, scale, shift);
  frame.range.far = std::max(nearest_inverse, float(frame.range.far * scale + shift));
  frame.range.near = std::max(frame.range.far, float(frame.range.near * scale + shift));
}

VideoConvertResult EncodeSegments(const DepthEstimator& estimator, const VideoConvertOptions& options,
                                  const std::string& input, const std::string& work) {
  VideoConvertResult result;
  ProtectInput(input);
  VideoReader reader(input);
  // 4:2:0 video needs even sides: an odd last row or column is dropped.
  const cv::Size frame_size(reader.size().width & ~1, reader.size().height & ~1);
  if (frame_size.width < 2 || frame_size.height < 2) throw FileError(input, "video frames are too small to convert");
  const double source_rate = reader.frame_rate() > 0 ? reader.frame_rate() : 25.0;
  const double rate = options.max_fps > 0 ? std::min(source_rate, options.max_fps) : source_rate;
  result.frame_rate = rate;
  const std::string stem = fs::path(input).stem().string();

  // The work folder: kept segments when resuming the same work, else new.
  const std::string fingerprint = Fingerprint(input, options, estimator.name());
  const std::string settings_path = (fs::path(work) / "settings").string();
  std::error_code error;
  int64_t first_segment = 0;
  StabilizerState state;
  if (options.resume && fs::is_regular_file(settings_path, error) && ReadFileBytes(settings_path) == fingerprint) {
    CleanStaleTemporaries(work);
    while (fs::exists(SegmentEncoders::StatePath(work, first_segment), error)) ++first_segment;
    if (first_segment > 0) state = StabilizerState::Load(SegmentEncoders::StatePath(work, first_segment - 1));
    AVPacket* packet = av_packet_alloc();
    for (int64_t s = 0; s < first_segment; ++s) {
      PacketFileReader done(SegmentEncoders::PacketPath(work, s, options.outputs.front()));
      while (done.Read(packet)) ++result.resumed_frames;
    }
    av_packet_free(&packet);
  } else {
    fs::remove_all(work, error);
    fs::create_directories(work, error);
    if (error) throw FileError(work, "cannot create the work folder: " + error.message());
    WriteFileBytes(settings_path, fingerprint);
  }
  const double begin_time = options.start + double(first_segment) * options.segment_seconds;
  if (begin_time > 0) reader.SeekBefore(begin_time);

  const cv::Size eye_size = EyeSize(options.outputs, frame_size);
  const cv::Size depth_size = DepthSize(eye_size, frame_size);
  std::vector<cv::Size> output_sizes;
  for (VideoOutput output : options.outputs) output_sizes.push_back(OutputSize(output, frame_size));
  const bool stereo = std::any_of(options.outputs.begin(), options.outputs.end(), NeedsStereo);
  const bool metric = estimator.kind() == DepthKind::kMetricDepth;
  double expected = reader.duration() > 0 ? std::max(0.0, (options.end > 0 ? std::min(options.end, reader.duration())
                                                                            : reader.duration()) - begin_time)
                                          : 0.0;
  Progress progress("video " + stem, expected * rate, "frame", options.show_progress ? stderr : nullptr);
  auto stopping = [&options] { return InterruptRequested() || (options.stop_requested && options.stop_requested()); };
  const double expected_frames = expected * rate;
  auto report_progress = [&](double done) {
    progress.Set(done);
    if (options.on_progress) {
      options.on_progress(expected_frames > 0 ? std::min(1.0, (double(result.resumed_frames) + done) /
                                                                   std::max(1.0, expected_frames + double(result.resumed_frames)))
                                               : 0.0);
    }
  };

  // Four stages overlap: decoding and scaling (a thread), depth and its
  // steadying (this thread, where the network runs), rendering (a thread),
  // encoding (a thread). Small bounded queues keep memory flat however long
  // the film.
  struct Decoded {
    cv::Mat3b frame, eye, depth_image;
    double time = 0;
    int64_t segment = 0;
  };
  struct WithDepth {
    Decoded decoded;
    cv::Mat1f nearness;
    NearnessRange range;
    std::shared_ptr<const StabilizerState> state;  // after this frame
  };
  struct Rendered {
    std::vector<cv::Mat> images;  // one per output
    double time = 0;
    int64_t segment = 0;
    std::shared_ptr<const StabilizerState> state;
  };
  BoundedQueue<Decoded> decoded(3);
  BoundedQueue<WithDepth> with_depth(3);
  BoundedQueue<Rendered> rendered(3);
  std::exception_ptr decode_error, render_error, encode_error;
  std::atomic<bool> failed{false};
  auto fail = [&](std::exception_ptr& slot) {
    slot = std::current_exception();
    failed = true;
    decoded.Abandon();
    with_depth.Abandon();
    rendered.Abandon();
  };

  std::thread decoder([&] {
    try {
      VideoFrame frame;
      int64_t last_slot = -1;
      while (true) {
        auto busy = std::chrono::steady_clock::now();
        if (!reader.Read(frame)) break;
        if (frame.time < begin_time - 1e-6) continue;  // before the start (after a seek to a key frame)
        if (options.end > 0 && frame.time >= options.end) break;
        if (options.max_fps > 0) {
          const int64_t slot = int64_t(std::floor((frame.time - options.start) * options.max_fps + 1e-6));
          if (slot <= last_slot) continue;
          last_slot = slot;
        }
        Decoded item;
        item.frame = frame.image.size() == frame_size ? frame.image : cv::Mat3b(frame.image(cv::Rect({0, 0}, frame_size)));
        if (eye_size == frame_size) item.eye = item.frame;
        else Downscale(item.frame, item.eye, eye_size);
        if (depth_size == eye_size) item.depth_image = item.eye;
        else Downscale(item.frame, item.depth_image, depth_size);
        item.time = frame.time;
        item.segment = std::max<int64_t>(first_segment, int64_t(std::floor((frame.time - options.start) / options.segment_seconds)));
        result.decode_seconds += SecondsSince(busy);
        if (!decoded.Push(std::move(item))) return;
      }
    } catch (...) {
      fail(decode_error);
    }
    decoded.Close();
  });
  std::thread renderer([&] {
    try {
      while (auto item = with_depth.Pop()) {
        auto busy = std::chrono::steady_clock::now();
        Rendered out;
        StereoPair pair;
        if (stereo) {
          cv::Mat1f eye_nearness;
          if (item->nearness.size() == eye_size) eye_nearness = item->nearness;
          else cv::resize(item->nearness, eye_nearness, eye_size, 0, 0, cv::INTER_LINEAR);
          pair = RenderStereoPair(item->decoded.eye, DisparityFromNearness(eye_nearness, options.parallax, item->range),
                                  options.view);
        }
        cv::Mat1f unit;
        for (VideoOutput output : options.outputs) {
          if ((output == VideoOutput::kRgbd || output == VideoOutput::kDepth) && unit.empty()) {
            unit = UnitNearness(item->nearness, item->range, frame_size);
          }
          out.images.push_back(Compose(output, item->decoded.frame, pair, unit, item->nearness, item->range, metric));
        }
        out.time = item->decoded.time;
        out.segment = item->decoded.segment;
        out.state = std::move(item->state);
        result.render_seconds += SecondsSince(busy);
        if (!rendered.Push(std::move(out))) return;
      }
    } catch (...) {
      fail(render_error);
    }
    rendered.Close();
  });
  std::atomic<int64_t> encoded{0};
  std::thread encoder([&] {
    try {
      std::unique_ptr<SegmentEncoders> segment;
      std::shared_ptr<const StabilizerState> last_state;
      while (auto item = rendered.Pop()) {
        auto busy = std::chrono::steady_clock::now();
        if (segment && segment->segment() != item->segment) {
          segment->Finish(*last_state);
          segment.reset();
        }
        if (!segment) {
          segment = std::make_unique<SegmentEncoders>(work, item->segment, options.outputs, output_sizes, rate, options.encoder);
        }
        segment->Encode(item->images, item->time);
        last_state = std::move(item->state);
        ++encoded;
        result.encode_seconds += SecondsSince(busy);
      }
      if (segment && !failed && !stopping()) segment->Finish(*last_state);
    } catch (...) {
      fail(encode_error);
    }
  });
  auto stop_stages = [&] {
    decoded.Abandon();
    with_depth.Abandon();
    rendered.Abandon();
    decoder.join();
    renderer.join();
    encoder.join();
  };
  // A relative model aligned to a metric one (--align-to) runs here in two
  // parts: the relative network per frame, the fit once per scene.
  const auto* aligned = dynamic_cast<const AlignedDepthEstimator*>(&estimator);
  try {
    DepthStabilizer stabilizer(options.stabilizer, state);
    // Without a running range there is nothing to look ahead for.
    RangeLookAhead<WithDepth> look_ahead(options.stabilizer.mode == Stabilize::kNone ? 0 : options.stabilizer.look_ahead);
    std::vector<std::pair<WithDepth, NearnessRange>> ready;
    auto pass_on = [&]() -> bool {
      for (auto& [item, range] : ready) {
        item.range = range;
        if (!with_depth.Push(std::move(item))) return false;
      }
      ready.clear();
      return true;
    };
    bool open = true;
    while (auto item = decoded.Pop()) {
      // Ctrl-C: no new frame; those already past this stage are still
      // rendered and encoded, so that a segment they complete is kept.
      if (stopping()) break;
      auto busy = std::chrono::steady_clock::now();
      WithDepth out;
      DepthMap depth = aligned ? aligned->relative().Estimate(item->depth_image) : estimator.Estimate(item->depth_image);
      StabilizedFrame steady = stabilizer.Add(item->depth_image, NearnessMap(depth));
      result.scene_cuts += steady.scene_cut ? 1 : 0;
      if (aligned) {
        // A relative model in metres: one fit to the metric model per scene
        // (at its first frame), not per frame, so depth does not pump with
        // each fit's noise and the metric model runs once per shot.
        if (steady.scene_cut || !stabilizer.state().has_alignment) {
          const ScaleShiftFit fit = aligned->Fit(item->depth_image, depth);
          stabilizer.SetAlignment(fit.scale, fit.shift);
          ++result.alignment_fits;
        }
        ApplyAlignment(stabilizer.state().alignment_scale, stabilizer.state().alignment_shift, steady);
      }
      out.nearness = std::move(steady.nearness);
      out.state = std::make_shared<const StabilizerState>(stabilizer.state());
      out.decoded = std::move(*item);
      look_ahead.Add(std::move(out), steady.range, steady.scene_cut, ready);
      result.depth_seconds += SecondsSince(busy);
      ++result.frames;
      report_progress(double(encoded));
      if (!(open = pass_on())) break;
    }
    if (open && !stopping()) {
      look_ahead.Finish(ready);
      pass_on();
    }
  } catch (...) {
    stop_stages();
    throw;
  }
  decoded.Abandon();  // releases the decoder if this stage stopped early
  with_depth.Close();
  decoder.join();
  renderer.join();
  encoder.join();
  if (stopping()) throw Interrupted();
  for (auto* e : {&decode_error, &render_error, &encode_error}) {
    if (*e) std::rethrow_exception(*e);
  }
  report_progress(double(encoded));
  progress.Finish();
  result.truncated = reader.truncated();
  return result;
}

void JoinSegments(const VideoConvertOptions& options, const std::string& input,
                  const std::vector<std::string>& works, const std::string& output_dir, const std::string& stem,
                  VideoConvertResult& result) {
  // Every segment of every work folder, in time order.
  std::vector<std::vector<std::string>> packets(options.outputs.size());
  std::error_code error;
  for (const std::string& work : works) {
    for (int64_t s = 0; fs::exists(SegmentEncoders::StatePath(work, s), error); ++s) {
      for (size_t i = 0; i < options.outputs.size(); ++i) {
        packets[i].push_back(SegmentEncoders::PacketPath(work, s, options.outputs[i]));
      }
    }
  }
  if (packets.front().empty()) {
    for (const std::string& work : works) fs::remove_all(work, error);  // nothing to resume
    throw FileError(input, "no video frame could be decoded" + std::string(options.start > 0 ? " after the start time" : ""));
  }
  StagingDirectory stage(output_dir);
  for (size_t i = 0; i < options.outputs.size(); ++i) {
    MuxInput mux;
    mux.segments = packets[i];
    mux.source = input;
    mux.start = options.start;
    mux.end = options.end;
    mux.frame_rate = result.frame_rate;
    MuxReport report = MuxSegments(stage.PathFor(VideoOutputFileName(stem, options.outputs[i])), mux);
    if (i == 0) {
      result.copied_streams = report.copied;
      result.reencoded_streams = report.reencoded;
      result.dropped_streams = report.dropped;
    }
  }
  result.written = stage.Commit();
}

}  // namespace
}  // namespace depthforge

extern "C" void depthforge_ffmpeg_encode_video_segments(const depthforge::DepthEstimator* estimator,
                                                        const depthforge::VideoConvertOptions* options,
                                                        const std::string* input, const std::string* work,
                                                        depthforge::VideoConvertResult* result) {
  *result = depthforge::EncodeSegments(*estimator, *options, *input, *work);
}

extern "C" void depthforge_ffmpeg_join_video_segments(const depthforge::VideoConvertOptions* options,
                                                      const std::string* input, const std::vector<std::string>* works,
                                                      const std::string* output_dir, const std::string* stem,
                                                      depthforge::VideoConvertResult* result) {
  depthforge::JoinSegments(*options, *input, *works, *output_dir, *stem, *result);
}
