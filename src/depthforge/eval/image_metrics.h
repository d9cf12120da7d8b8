// Image similarity for judging synthesised views against real photos.
#pragma once

#include <opencv2/core.hpp>

namespace depthforge {

// Over the pixels where 'mask' is non-zero (all pixels when empty), on 8-bit
// BGR images of the same size. PSNR in dB over all channels (peak 255);
// SSIM (Wang et al. 2004; 11×11 Gaussian window, σ = 1.5, on the luma)
// averaged over the masked pixels. Returns NaN when the mask is empty.
double Psnr(const cv::Mat3b& a, const cv::Mat3b& b, const cv::Mat1b& mask = {});
double Ssim(const cv::Mat3b& a, const cv::Mat3b& b, const cv::Mat1b& mask = {});

}  // namespace depthforge
