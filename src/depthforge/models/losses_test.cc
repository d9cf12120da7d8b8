#include "depthforge/models/losses.h"

#include <gtest/gtest.h>

#include <cmath>

#include "depthforge/core/error.h"

namespace depthforge {
namespace {

TEST(Losses, HandComputedValues) {
  cv::Mat1f g(4, 4, 2.f), p = g * 2.f;
  g(0, 0) = 0.f;  // no ground truth: ignored by every loss
  p(0, 0) = 100.f;
  double log2 = std::log(2.0);
  EXPECT_NEAR(ComputeLoss(LossKind::kMse, p, g), 4.0, 1e-5);
  EXPECT_NEAR(ComputeLoss(LossKind::kScaleInvariant, p, g), log2 * log2 - 0.5 * log2 * log2, 1e-5);
  EXPECT_NEAR(ComputeLoss(LossKind::kSilog, p, g), 10 * std::sqrt(0.15) * log2, 1e-4);
  // BerHu: every error is 2 = max, c = 0.4 -> (4 + 0.16) / 0.8.
  EXPECT_NEAR(ComputeLoss(LossKind::kBerHu, p, g), (4 + 0.16) / 0.8, 1e-4);
  for (LossKind loss : {LossKind::kMse, LossKind::kL1GradientSsim, LossKind::kScaleInvariant, LossKind::kBerHu}) {
    EXPECT_NEAR(ComputeLoss(loss, g, g), 0.0, 1e-5) << ToString(loss);
  }
  // The combined loss sees a wrong slope that L1 alone would average away.
  cv::Mat1f ramp(8, 8), flipped(8, 8);
  for (int x = 0; x < 8; ++x) { ramp.col(x).setTo(1.f + 0.2f * x); flipped.col(x).setTo(2.4f - 0.2f * x); }
  EXPECT_GT(ComputeLoss(LossKind::kL1GradientSsim, flipped, ramp), 1.5 * ComputeLoss(LossKind::kMse, flipped, ramp));
}

TEST(Losses, NamesAndEachPapersDefault) {
  for (const auto& [name, loss] : LossKindNames().names) EXPECT_EQ(LossKindFromString(name), loss);
  EXPECT_EQ(DefaultLoss(Architecture::kEigen), LossKind::kScaleInvariant);
  EXPECT_EQ(DefaultLoss(Architecture::kFastDepth), LossKind::kL1);
  EXPECT_THROW(LossKindFromString("l3"), OptionError);
  EXPECT_EQ(ArchitectureFromString("attention-unet"), Architecture::kAttentionUNet);
}

}  // namespace
}  // namespace depthforge
