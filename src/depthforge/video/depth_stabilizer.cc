#include "depthforge/video/depth_stabilizer.h"

#include <cmath>
#include <cstdio>
#include <limits>
#include <vector>

#include <opencv2/imgproc.hpp>
#include <opencv2/video/tracking.hpp>

#include "depthforge/core/error.h"
#include "depthforge/util/atomic_file.h"
#include "depthforge/util/plugin_library.h"

namespace depthforge {

const EnumNames<Stabilize>& StabilizeNames() {
  static const EnumNames<Stabilize> kNames{"stabiliser", {
      {"none", Stabilize::kNone}, {"range", Stabilize::kRange}, {"flow", Stabilize::kFlow}}};
  return kNames;
}

void StabilizerOptions::Check() const {
  if (!(range_smoothing > 0 && range_smoothing <= 1)) throw OptionError("range smoothing must be in (0, 1]");
  if (!(flow_weight >= 0 && flow_weight < 1)) throw OptionError("flow weight must be in [0, 1)");
  if (!(photometric_sigma > 0 && photometric_sigma < 256)) throw OptionError("photometric sigma must be in (0, 256)");
  if (flow_width < 16 || flow_width > 4096) throw OptionError("flow width must be between 16 and 4096 pixels");
  if (!(cut_share > 0 && cut_share <= 1)) throw OptionError("cut share must be in (0, 1]");
  if (look_ahead < 0 || look_ahead > 300) throw OptionError("range look-ahead must be 0 to 300 frames");
}

namespace {

cv::Size FlowSize(cv::Size frame, int flow_width) {
  if (frame.width <= flow_width) return frame;
  return {flow_width, std::max(8, int(std::lround(double(frame.height) * flow_width / frame.width)))};
}

cv::Mat1b SmallGrey(const cv::Mat3b& image, cv::Size size) {
  cv::Mat3b small;
  cv::resize(image, small, size, 0, 0, cv::INTER_AREA);
  cv::Mat1b grey;
  cv::cvtColor(small, grey, cv::COLOR_BGR2GRAY);
  return grey;
}

// Unknown pixels take the median, so that area averaging and warping stay finite.
cv::Mat1f Finite(const cv::Mat1f& map) {
  std::vector<float> values;
  values.reserve(map.total());
  for (float v : map) if (std::isfinite(v)) values.push_back(v);
  float fill = 0;
  if (!values.empty()) {
    std::nth_element(values.begin(), values.begin() + long(values.size() / 2), values.end());
    fill = values[values.size() / 2];
  }
  cv::Mat1f out = map.clone();
  for (float& v : out) {
    if (!std::isfinite(v)) v = fill;
  }
  return out;
}

cv::Mat1f Small(const cv::Mat1f& map, cv::Size size) {
  cv::Mat1f small;
  if (cv::checkRange(map)) {
    cv::resize(map, small, size, 0, 0, cv::INTER_AREA);
    return small;
  }
  cv::resize(Finite(map), small, size, 0, 0, cv::INTER_AREA);
  return small;
}

// 'flow' maps each pixel of the current frame to where it was in the
// previous one; returns the previous map carried onto the current frame.
cv::Mat1f Warp(const cv::Mat& previous, const cv::Mat2f& flow) {
  cv::Mat2f map(flow.size());
  for (int y = 0; y < flow.rows; ++y) {
    for (int x = 0; x < flow.cols; ++x) map(y, x) = cv::Vec2f(float(x) + flow(y, x)[0], float(y) + flow(y, x)[1]);
  }
  cv::Mat warped;
  cv::remap(previous, warped, map, cv::noArray(), cv::INTER_LINEAR, cv::BORDER_REPLICATE);
  cv::Mat1f out;
  warped.convertTo(out, CV_32F);
  // Pixels whose source lies outside the previous frame have no match.
  for (int y = 0; y < flow.rows; ++y) {
    for (int x = 0; x < flow.cols; ++x) {
      const cv::Vec2f& p = map(y, x);
      if (p[0] < 0 || p[1] < 0 || p[0] > float(flow.cols - 1) || p[1] > float(flow.rows - 1)) {
        out(y, x) = std::numeric_limits<float>::quiet_NaN();
      }
    }
  }
  return out;
}

// OpenCV's DIS flow, made in libdepthforge_opencv.so (video/dis_flow.cc):
// linking OpenCV's video module would load its dnn dependency at every
// start-up; the object's methods are virtual and need no link.
cv::Ptr<cv::DenseOpticalFlow> CreateDisFlow(int preset) {
  using Entry = void (*)(int, cv::Ptr<cv::DenseOpticalFlow>*);
  cv::Ptr<cv::DenseOpticalFlow> flow;
  reinterpret_cast<Entry>(OpenCvLibrarySymbol("depthforge_opencv_create_dis_flow"))(preset, &flow);
  return flow;
}

cv::Ptr<cv::DenseOpticalFlow> MakeFlow() {
  // DIS at its fast preset: a few ms at 256 px, robust to brightness changes
  // through its variational refinement.
  return CreateDisFlow(cv::DISOpticalFlow::PRESET_FAST);
}

// Photometric confidence of a match: 1 where the carried-over photo equals
// the new one, falling with their difference; 0 where there is no match.
cv::Mat1f Confidence(const cv::Mat1b& grey, const cv::Mat1f& warped_grey, double sigma) {
  cv::Mat1f confidence(grey.size());
  const float scale = float(-0.5 / (sigma * sigma));
  for (int y = 0; y < grey.rows; ++y) {
    for (int x = 0; x < grey.cols; ++x) {
      const float w = warped_grey(y, x);
      const float d = float(grey(y, x)) - w;
      confidence(y, x) = std::isfinite(w) ? std::exp(scale * d * d) : 0.f;
    }
  }
  return confidence;
}

}  // namespace

DepthStabilizer::DepthStabilizer(StabilizerOptions options, StabilizerState state)
    : options_(options), state_(std::move(state)) {
  options_.Check();
}

StabilizedFrame DepthStabilizer::Add(const cv::Mat3b& image, const cv::Mat1f& nearness) {
  if (image.size() != nearness.size()) throw Error("stabiliser: the frame and its depth differ in size");
  StabilizedFrame out;
  out.nearness = nearness;
  if (options_.mode == Stabilize::kNone) {
    out.range = MeasureNearnessRange(nearness);
    return out;
  }
  const cv::Size small_size = FlowSize(image.size(), options_.flow_width);
  // The nearness at flow resolution, unknown pixels filled (they stay
  // unknown at full resolution).
  cv::Mat1f current_small = Small(nearness, small_size);
  cv::Mat1b grey = SmallGrey(image, small_size);
  const bool previous_fits = state_.has_previous && state_.grey.size() == small_size;
  cv::Mat1f confidence;
  if (previous_fits && (options_.scene_detect || options_.mode == Stabilize::kFlow)) {
    if (!flow_) flow_ = MakeFlow();
    cv::Mat2f flow;
    flow_->calc(grey, state_.grey, flow);
    confidence = Confidence(grey, Warp(state_.grey, flow), options_.photometric_sigma);
    const double unexplained = double(cv::countNonZero(confidence < 0.5f)) / double(confidence.total());
    out.scene_cut = options_.scene_detect && unexplained > options_.cut_share;
    if (!out.scene_cut && options_.mode == Stabilize::kFlow) {
      cv::Mat1f carried = Warp(state_.nearness, flow);
      // Fit the carried map to the current one (scale and shift, weighted by
      // confidence): relative models change both from frame to frame.
      double sw = 0, sx = 0, sy = 0, sxx = 0, sxy = 0;
      for (int y = 0; y < small_size.height; ++y) {
        for (int x = 0; x < small_size.width; ++x) {
          const double w = confidence(y, x), a = carried(y, x), b = current_small(y, x);
          if (w <= 0.05 || !std::isfinite(a)) continue;
          sw += w, sx += w * a, sy += w * b, sxx += w * a * a, sxy += w * a * b;
        }
      }
      double scale = 1, shift = 0;
      const double det = sw * sxx - sx * sx;
      if (sw > 0 && std::abs(det) > 1e-12 * sw * sw) {
        scale = (sw * sxy - sx * sy) / det;
        shift = (sy - scale * sx) / sw;
      }
      if (!(scale > 0.5 && scale < 2.0)) scale = 1, shift = 0;  // an unsure fit: blend as is
      cv::Mat1f correction(small_size, 0.f);
      for (int y = 0; y < small_size.height; ++y) {
        for (int x = 0; x < small_size.width; ++x) {
          const float a = carried(y, x);
          if (!std::isfinite(a)) continue;
          const float aligned = float(scale * a + shift);
          correction(y, x) = float(options_.flow_weight) * confidence(y, x) * (aligned - current_small(y, x));
        }
      }
      cv::Mat1f full_correction;
      cv::resize(correction, full_correction, image.size(), 0, 0, cv::INTER_LINEAR);
      // A new map: out.nearness still shares the caller's pixels.
      cv::Mat1f steadied;
      cv::add(nearness, full_correction, steadied);  // NaN stays NaN
      out.nearness = steadied;
      current_small += correction;
    }
  }
  // The range of the steadied map, measured at flow resolution (cheaper;
  // area averaging trims only single-pixel extremes, which the 1st and 99th
  // percentiles ignore anyway).
  const NearnessRange range = MeasureNearnessRange(current_small);
  if (state_.has_previous && !out.scene_cut) {
    const float a = float(options_.range_smoothing);
    out.range.far = a * range.far + (1 - a) * state_.range.far;
    out.range.near = a * range.near + (1 - a) * state_.range.near;
  } else {
    out.range = range;
  }
  state_.has_previous = true;
  state_.grey = grey;
  state_.range = out.range;
  if (options_.mode == Stabilize::kFlow) state_.nearness = current_small;
  return out;
}

void StabilizerState::Save(const std::string& path) const {
  WriteAtomically(path, [&](const std::string& temp) {
    std::FILE* f = std::fopen(temp.c_str(), "wb");
    if (f == nullptr) throw FileError(path, "cannot create");
    int32_t header[5] = {has_previous ? 1 : 0, grey.cols, grey.rows, nearness.cols, nearness.rows};
    float range_values[2] = {range.far, range.near};
    bool ok = std::fwrite(header, sizeof header, 1, f) == 1 && std::fwrite(range_values, sizeof range_values, 1, f) == 1;
    for (int y = 0; y < grey.rows && ok; ++y) ok = std::fwrite(grey.ptr(y), 1, size_t(grey.cols), f) == size_t(grey.cols);
    for (int y = 0; y < nearness.rows && ok; ++y) {
      ok = std::fwrite(nearness.ptr(y), sizeof(float), size_t(nearness.cols), f) == size_t(nearness.cols);
    }
    const int32_t aligned = has_alignment ? 1 : 0;
    const double alignment[2] = {alignment_scale, alignment_shift};
    ok = ok && std::fwrite(&aligned, sizeof aligned, 1, f) == 1 && std::fwrite(alignment, sizeof alignment, 1, f) == 1;
    ok = std::fclose(f) == 0 && ok;
    if (!ok) throw FileError(path, "cannot write (disk full?)");
  });
}

StabilizerState StabilizerState::Load(const std::string& path) {
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (f == nullptr) throw FileError(path, "cannot open");
  StabilizerState state;
  int32_t header[5];
  float range_values[2];
  bool ok = std::fread(header, sizeof header, 1, f) == 1 && std::fread(range_values, sizeof range_values, 1, f) == 1;
  for (int i = 1; i < 5 && ok; ++i) ok = header[i] >= 0 && header[i] <= 8192;
  if (ok) {
    state.has_previous = header[0] != 0;
    state.range = {range_values[0], range_values[1]};
    state.grey = cv::Mat1b(header[2], header[1]);
    state.nearness = cv::Mat1f(header[4], header[3]);
    for (int y = 0; y < state.grey.rows && ok; ++y) ok = std::fread(state.grey.ptr(y), 1, size_t(state.grey.cols), f) == size_t(state.grey.cols);
    for (int y = 0; y < state.nearness.rows && ok; ++y) {
      ok = std::fread(state.nearness.ptr(y), sizeof(float), size_t(state.nearness.cols), f) == size_t(state.nearness.cols);
    }
    int32_t aligned = 0;
    double alignment[2] = {1, 0};
    ok = ok && std::fread(&aligned, sizeof aligned, 1, f) == 1 && std::fread(alignment, sizeof alignment, 1, f) == 1;
    state.has_alignment = aligned != 0;
    state.alignment_scale = alignment[0];
    state.alignment_shift = alignment[1];
  }
  std::fclose(f);
  if (!ok) throw FileError(path, "is not a complete stabiliser state");
  return state;
}

void FlickerMeter::Add(const cv::Mat3b& image, const cv::Mat1f& nearness) {
  // Normalised by median and mean absolute deviation, so that a change of
  // scale or shift alone (which the range smoothing handles) is no flicker.
  cv::Mat1f finite = Finite(nearness);
  std::vector<float> values(finite.begin(), finite.end());
  std::nth_element(values.begin(), values.begin() + long(values.size() / 2), values.end());
  const float median = values[values.size() / 2];
  double deviation = 0;
  for (float v : finite) deviation += std::abs(v - median);
  deviation = std::max(1e-12, deviation / double(finite.total()));
  cv::Mat1f normalised = (finite - median) / deviation;
  cv::Mat1b grey;
  cv::cvtColor(image, grey, cv::COLOR_BGR2GRAY);
  if (!previous_grey_.empty() && previous_grey_.size() == grey.size()) {
    if (!flow_) flow_ = CreateDisFlow(cv::DISOpticalFlow::PRESET_MEDIUM);
    cv::Mat2f flow;
    flow_->calc(grey, previous_grey_, flow);
    cv::Mat1f carried = Warp(previous_, flow);
    cv::Mat1f confidence = Confidence(grey, Warp(previous_grey_, flow), 10.0);
    double sum = 0;
    int64_t count = 0;
    for (int y = 0; y < grey.rows; ++y) {
      for (int x = 0; x < grey.cols; ++x) {
        if (confidence(y, x) < 0.5f) continue;  // occluded or a bad match: not counted
        sum += std::abs(normalised(y, x) - carried(y, x));
        ++count;
      }
    }
    if (count > 0) {
      sum_ += sum / double(count);
      ++pairs_;
    }
  }
  previous_grey_ = grey;
  previous_ = normalised;
}

}  // namespace depthforge
