#include "depthforge/models/loss_kind.h"

namespace depthforge {

const EnumNames<LossKind>& LossKindNames() {
  static const EnumNames<LossKind> kNames{"loss", {{"mse", LossKind::kMse}, {"l1", LossKind::kL1},
      {"l1-grad-ssim", LossKind::kL1GradientSsim}, {"scale-invariant", LossKind::kScaleInvariant},
      {"silog", LossKind::kSilog}, {"berhu", LossKind::kBerHu}}};
  return kNames;
}
LossKind LossKindFromString(const std::string& name) { return LossKindNames().Parse(name); }

std::string ToString(LossKind loss) { return LossKindNames().Name(loss); }

LossKind DefaultLoss(Architecture architecture) {
  switch (architecture) {
    case Architecture::kUNet: return LossKind::kBerHu;
    case Architecture::kAttentionUNet: return LossKind::kL1GradientSsim;
    case Architecture::kEigen: return LossKind::kScaleInvariant;
    case Architecture::kFastDepth: return LossKind::kL1;
  }
  return LossKind::kMse;
}

}  // namespace depthforge
