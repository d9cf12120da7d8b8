// Stereo pairs in the layouts that 3D TVs, headsets, viewers and glasses take.
#pragma once

#include <string>

#include <opencv2/core.hpp>

#include "depthforge/render/view_synthesis.h"

namespace depthforge {

enum class StereoLayout {
  kFullSideBySide,  // L | R, twice the width
  kHalfSideBySide,  // L | R, each squeezed to half width (TVs, most players)
  kFullTopBottom,   // L over R, twice the height
  kHalfTopBottom,   // L over R, each squeezed to half height
  kCrossEyed,       // R | L, for free viewing with crossed eyes
};
cv::Mat3b ComposeStereo(const cv::Mat3b& left, const cv::Mat3b& right, StereoLayout layout);

enum class AnaglyphMode {
  kDubois,     // least-squares red-cyan (Dubois 2001): least ghosting, fair colours
  kColor,      // red from the left view, green and blue from the right
  kHalfColor,  // red = left luminance, green and blue from the right
  kGrey,       // red = left luminance, green and blue = right luminance
};
cv::Mat3b MakeAnaglyph(const cv::Mat3b& left, const cv::Mat3b& right, AnaglyphMode mode);

struct StereoPair {
  cv::Mat3b left, right;
};
// Both eyes are rendered from the centre photo, half a baseline each way,
// which halves the size of every disocclusion compared with keeping the
// photo as one eye.
StereoPair RenderStereoPair(const cv::Mat3b& image, const cv::Mat1f& disparity, const ViewSynthesisOptions& options = {});

}  // namespace depthforge
