// Depth-image-based rendering of a horizontally shifted camera: the view a
// camera would see after moving sideways along the stereo baseline.
//
// Each image row is treated as a chain of surface pieces between adjacent
// pixels. Pieces whose ends differ by less than a disparity threshold are
// drawn as spans between their warped ends (sub-pixel accurate, no cracks
// where a surface stretches), with a z-buffer so that nearer surfaces win;
// across a larger difference (a depth edge) the chain is cut, leaving a
// disocclusion hole. Holes are filled from the background side of the hole
// only, so the foreground is never smeared into it.
#pragma once

#include <vector>

#include <opencv2/core.hpp>

#include "depthforge/core/depth_map.h"
#include "depthforge/core/enum_names.h"

namespace depthforge {

struct ViewSynthesisOptions {
  bool z_buffer = true;       // false: later pixels overwrite (naive warp)
  bool connect_surfaces = true;  // false: each pixel splats to its nearest target only
  double edge_threshold = 1.0;   // disparity jump (px) that cuts a surface
  // Pixels by which the foreground is grown at depth edges before warping,
  // so mixed-colour boundary pixels move with the object instead of being
  // left behind as a ghost outline.
  int edge_dilation = 1;
  // kBackground: each hole row takes the colour of its background-side
  // edge, smoothed over 'hole_smoothing' rows above and below (filled pixels
  // only); kTelea: OpenCV's inpainting from every side (for comparison).
  enum class HoleFill { kNone, kBackground, kTelea } hole_fill = HoleFill::kBackground;
  int hole_smoothing = 2;
  void Check() const;
};

struct SynthesizedView {
  cv::Mat3b image;
  cv::Mat1b holes;      // 255 where no source pixel was visible (before filling)
  cv::Mat1f disparity;  // disparity of the surface seen at each pixel (NaN in holes)
};

// 'disparity' is the left-image disparity in pixels (Middlebury convention:
// pixel x is seen at x - d in the right camera); NaN or non-finite marks
// unknown pixels. 'shift' is the fraction of the baseline to move:
// 1 renders the right camera, -0.5 half a baseline to the left.
// none | background | telea
const EnumNames<ViewSynthesisOptions::HoleFill>& HoleFillNames();

SynthesizedView SynthesizeView(const cv::Mat3b& image, const cv::Mat1f& disparity, double shift,
                               const ViewSynthesisOptions& options = {});
// Several views of one image (e.g. both eyes), checking and preparing the
// disparity once.
std::vector<SynthesizedView> SynthesizeViews(const cv::Mat3b& image, const cv::Mat1f& disparity,
                                             const std::vector<double>& shifts, const ViewSynthesisOptions& options = {});

// Fills 'holes' (where 'nearness' is unknown: NaN, or -infinity as a z-buffer
// starts; any quantity that grows as
// surfaces come nearer, e.g. disparity or 1/z) row by row from the side of
// each hole that is farther away, smooths the fill over 'smoothing' rows,
// and softens the first pixel next to a nearer object (a jump in nearness
// above 'edge_threshold'). Filled pixels get the background's nearness.
void FillHolesFromBackground(cv::Mat3b& image, cv::Mat1f& nearness, const cv::Mat1b& holes, int smoothing,
                             double edge_threshold);


}  // namespace depthforge
