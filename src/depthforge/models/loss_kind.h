// The training losses by name, without LibTorch (the CLI parses --loss
// before anything loads it); their definitions are models/losses.h.
#pragma once

#include <string>

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

}  // namespace depthforge
