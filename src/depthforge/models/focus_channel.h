// The extra input of the attention U-Net: where the photo is in focus.
#pragma once

#include <opencv2/core.hpp>

namespace depthforge {

// The focus channel of the attention U-Net report: split the image into a
// 6×6 grid, score the inner 4×4 cells by local variance (sharpness), take the
// two sharpest, use the difference of their scores as sigma (at least
// 'min_sigma'), and return the difference of Gaussians (sigma, 2·sigma) of
// the image, scaled to [0, 1]: a 3-channel float image.
cv::Mat3f FocusChannel(const cv::Mat3b& image, double min_sigma = 1.0);

}  // namespace depthforge
