// The training losses of depth networks, masked to pixels with ground truth.
// Implemented on LibTorch tensors in losses.cc; this header is free of torch.
#pragma once

#include <string>

#include <opencv2/core.hpp>

#include "depthforge/core/enum_names.h"
#include "depthforge/models/network_architecture.h"

namespace depthforge {

enum class LossKind {
  kMse,             // mean squared error
  kL1,              // mean absolute error (FastDepth's training loss)
  kL1GradientSsim,  // L1 + gradient + 0.3 × 4×4-grid gradient + SSIM (the attention U-Net report)
  kScaleInvariant,  // Eigen et al.: mean d² − λ (mean d)², d = log p − log g, λ = 0.5
  kSilog,           // 10 · sqrt(mean d² − 0.85 (mean d)²)
  kBerHu,           // reverse Huber, c = 0.2 · max |p − g| (Laina et al. 2016)
};
const EnumNames<LossKind>& LossKindNames();  // mse|l1|l1-grad-ssim|scale-invariant|silog|berhu
LossKind LossKindFromString(const std::string& name);
std::string ToString(LossKind loss);
// Each paper's own loss.
LossKind DefaultLoss(Architecture architecture);

// The masked loss of one prediction/ground-truth pair (metres, 0 = unknown),
// for tests and tools; training uses the same code on batches.
double ComputeLoss(LossKind loss, const cv::Mat1f& prediction, const cv::Mat1f& ground_truth);

}  // namespace depthforge
