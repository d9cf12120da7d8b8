// Steadying per-frame depth over time. A network sees each frame alone, so
// its depth flickers: the whole scene pumps when its range changes, and
// surfaces shimmer. Three remedies, each on top of the one before:
//  - range: the nearness range that strength and convergence are spread
//    over is a running average over frames (iw3's EMA normalisation), so
//    the scene stops pumping;
//  - flow: optical flow (OpenCV DIS) carries the previous steadied map onto
//    the current frame; fitted to it by scale and shift and blended in
//    where the photo confirms the match (a photometric confidence), so
//    static surfaces stop shimmering and moving objects do not ghost;
//  - scene cuts: where the flow cannot explain most of the new frame, the
//    state is dropped, so no range or depth bleeds across a cut.
// Maps are nearness (render/parallax.h: NearnessMap), NaN = unknown.
#pragma once

#include <deque>
#include <string>
#include <utility>
#include <vector>

#include <opencv2/core.hpp>
#include <opencv2/video/tracking.hpp>

#include "depthforge/core/enum_names.h"
#include "depthforge/render/parallax.h"

namespace depthforge {

enum class Stabilize { kNone, kRange, kFlow };
const EnumNames<Stabilize>& StabilizeNames();  // none | range | flow

struct StabilizerOptions {
  Stabilize mode = Stabilize::kFlow;  // the best measured (docs/VIDEO.md)
  // Weight of the newest frame in the running nearness range (1 = per
  // frame). 0.1 follows a change within ~1 s at 24 fps.
  double range_smoothing = 0.1;
  // Frames each range looks ahead (RangeLookAhead): a running average lags
  // (1 - w) / w frames behind, 9 at w = 0.1; looking as far ahead centres it,
  // so the stereo effect changes with the picture, not after it. 0 = none.
  int look_ahead = 9;
  // Largest weight of the carried-over map where the match is certain;
  // higher is steadier and lags more behind real changes of depth.
  double flow_weight = 0.8;
  // Grey-level difference (0-255) at which a flow match counts as unsure
  // (confidence exp(-d²/2σ²)): larger trusts the flow on worse matches.
  double photometric_sigma = 10.0;
  int flow_width = 256;  // flow and blending work at this width; the correction is upsampled
  bool scene_detect = true;
  // A cut: more than this share of the new frame unexplained by the flow
  // from the previous one (confidence below one half).
  double cut_share = 0.6;
  void Check() const;
};

// The state carried from one frame to the next; small (flow resolution),
// shared by reference, and saved with each finished segment of a video so
// that a resumed conversion continues steadily.
struct StabilizerState {
  bool has_previous = false;
  cv::Mat1b grey;         // previous frame at flow resolution
  cv::Mat1f nearness;     // previous steadied nearness at flow resolution (NaN replaced)
  NearnessRange range;    // running range
  // The scene's fit of a relative model's output to inverse metres (made
  // once per scene by the converter, kept here so a resumed conversion
  // goes on with it); unset when the model is not aligned.
  bool has_alignment = false;
  double alignment_scale = 1, alignment_shift = 0;
  void Save(const std::string& path) const;  // atomically
  static StabilizerState Load(const std::string& path);  // throws FileError
};

struct StabilizedFrame {
  cv::Mat1f nearness;  // steadied, at the frame's size
  NearnessRange range; // to spread the parallax over
  bool scene_cut = false;
};

class DepthStabilizer {
 public:
  explicit DepthStabilizer(StabilizerOptions options, StabilizerState state = {});
  // 'image' is the frame (BGR) the 'nearness' map belongs to, same size.
  StabilizedFrame Add(const cv::Mat3b& image, const cv::Mat1f& nearness);
  const StabilizerState& state() const { return state_; }
  void SetAlignment(double scale, double shift) {
    state_.has_alignment = true;
    state_.alignment_scale = scale;
    state_.alignment_shift = shift;
  }

 private:
  StabilizerOptions options_;
  StabilizerState state_;
  cv::Ptr<cv::DenseOpticalFlow> flow_;
};

// The look-ahead of the running range: frames are held back 'frames'
// frames, and each leaves with the running range of the newest frame held,
// never one from beyond a scene cut (a cut releases everything before it
// with the range they had reached). Items carry whatever the caller needs.
template <typename Item>
class RangeLookAhead {
 public:
  explicit RangeLookAhead(int frames) : frames_(frames) {}
  // 'range': the running (causal) range after this frame. Items that are
  // ready, with the range to use, are appended to 'ready'.
  void Add(Item item, const NearnessRange& range, bool scene_cut, std::vector<std::pair<Item, NearnessRange>>& ready) {
    if (scene_cut) Finish(ready);
    held_.push_back(std::move(item));
    newest_ = range;
    while (int(held_.size()) > frames_) Release(ready);
  }
  void Finish(std::vector<std::pair<Item, NearnessRange>>& ready) {
    while (!held_.empty()) Release(ready);
  }

 private:
  void Release(std::vector<std::pair<Item, NearnessRange>>& ready) {
    ready.emplace_back(std::move(held_.front()), newest_);
    held_.pop_front();
  }
  int frames_;
  std::deque<Item> held_;
  NearnessRange newest_;
};

// Temporal flicker of a sequence of nearness maps (for measurements): the
// mean absolute difference between each map and the previous one carried
// onto it by optical flow of the frames, both normalised by median and
// mean absolute deviation, over pixels whose photo matches (OPW, as in
// NVDS, Wang et al. 2023). Lower is steadier.
class FlickerMeter {
 public:
  void Add(const cv::Mat3b& image, const cv::Mat1f& nearness);
  double opw() const { return pairs_ > 0 ? sum_ / pairs_ : 0.0; }
  int pairs() const { return pairs_; }
  void ResetAtCut() { previous_grey_.release(); }

 private:
  cv::Ptr<cv::DenseOpticalFlow> flow_;
  cv::Mat1b previous_grey_;
  cv::Mat1f previous_;
  double sum_ = 0;
  int pairs_ = 0;
};

}  // namespace depthforge
