// The training losses, all masked to pixels with ground truth (> 0).
#include "depthforge/models/losses.h"
#include "depthforge/models/torch_modules.h"

#include "depthforge/core/error.h"

namespace depthforge {
namespace F = torch::nn::functional;

namespace {

torch::Tensor MaskedMean(const torch::Tensor& values, const torch::Tensor& mask) {
  return (values * mask).sum() / mask.sum().clamp_min(1.0);
}

// Mean |∂p − ∂g| over neighbouring pairs that both have ground truth.
torch::Tensor GradientLoss(const torch::Tensor& p, const torch::Tensor& g, const torch::Tensor& m) {
  using torch::indexing::Slice;
  auto dx = [](const torch::Tensor& t) { return t.index({"...", Slice(1, torch::indexing::None)}) - t.index({"...", Slice(0, -1)}); };
  auto dy = [](const torch::Tensor& t) {
    return t.index({"...", Slice(1, torch::indexing::None), Slice()}) - t.index({"...", Slice(0, -1), Slice()});
  };
  auto mx = m.index({"...", Slice(1, torch::indexing::None)}) * m.index({"...", Slice(0, -1)});
  auto my = m.index({"...", Slice(1, torch::indexing::None), Slice()}) * m.index({"...", Slice(0, -1), Slice()});
  return MaskedMean((dx(p) - dx(g)).abs(), mx) + MaskedMean((dy(p) - dy(g)).abs(), my);
}

// 1 - SSIM over 3×3 windows, halved, on depths scaled to about [0, 1].
torch::Tensor SsimLoss(const torch::Tensor& p, const torch::Tensor& g, const torch::Tensor& m) {
  auto scale = g.max().clamp_min(1e-3).detach();
  auto x = p * m / scale, y = g * m / scale;
  auto pool = [](const torch::Tensor& t) { return F::avg_pool2d(t, F::AvgPool2dFuncOptions(3).stride(1).padding(1)); };
  auto mu_x = pool(x), mu_y = pool(y);
  auto sigma_x = pool(x * x) - mu_x * mu_x, sigma_y = pool(y * y) - mu_y * mu_y, sigma_xy = pool(x * y) - mu_x * mu_y;
  const double c1 = 0.01 * 0.01, c2 = 0.03 * 0.03;
  auto ssim = ((2 * mu_x * mu_y + c1) * (2 * sigma_xy + c2)) / ((mu_x * mu_x + mu_y * mu_y + c1) * (sigma_x + sigma_y + c2));
  return MaskedMean(((1 - ssim) / 2).clamp(0, 1), m);
}

}  // namespace

torch::Tensor MaskedLoss(LossKind loss, const torch::Tensor& prediction, const torch::Tensor& target) {
  auto mask = (target > 0).to(prediction.dtype());
  auto diff = prediction - target;
  switch (loss) {
    case LossKind::kMse: return MaskedMean(diff * diff, mask);
    case LossKind::kL1: return MaskedMean(diff.abs(), mask);
    case LossKind::kL1GradientSsim: {
      // Grid gradient: the gradient loss between the 4×4 maps of mean depth
      // per cell, which ties the coarse layout together.
      auto cells = [&](const torch::Tensor& t) {
        return F::adaptive_avg_pool2d(t * mask, F::AdaptiveAvgPool2dFuncOptions(4)) /
               F::adaptive_avg_pool2d(mask, F::AdaptiveAvgPool2dFuncOptions(4)).clamp_min(1e-6);
      };
      auto cell_mask = (F::adaptive_avg_pool2d(mask, F::AdaptiveAvgPool2dFuncOptions(4)) > 0).to(prediction.dtype());
      return MaskedMean(diff.abs(), mask) + GradientLoss(prediction, target, mask) +
             0.3 * GradientLoss(cells(prediction), cells(target), cell_mask) + SsimLoss(prediction, target, mask);
    }
    case LossKind::kScaleInvariant:
    case LossKind::kSilog: {
      auto d = (torch::log(prediction.clamp_min(1e-6)) - torch::log(target.clamp_min(1e-6))) * mask;
      auto n = mask.sum().clamp_min(1.0);
      auto mean_square = (d * d).sum() / n, square_mean = (d.sum() / n).pow(2);
      if (loss == LossKind::kScaleInvariant) return mean_square - 0.5 * square_mean;
      return 10.0 * torch::sqrt((mean_square - 0.85 * square_mean).clamp_min(1e-12));
    }
    case LossKind::kBerHu: {
      auto x = diff.abs() * mask;
      auto c = (0.2 * x.max()).clamp_min(1e-6).detach();
      auto berhu = torch::where(x <= c, x, (x * x + c * c) / (2 * c));
      return MaskedMean(berhu, mask);
    }
  }
  throw Error("unknown loss");
}

double ComputeLoss(LossKind loss, const cv::Mat1f& prediction, const cv::Mat1f& ground_truth) {
  if (prediction.size() != ground_truth.size()) throw Error("loss needs prediction and ground truth of the same size");
  cv::Mat1f p = prediction.clone(), g = ground_truth.clone();
  auto pt = torch::from_blob(p.data, {1, 1, p.rows, p.cols});
  auto gt = torch::from_blob(g.data, {1, 1, g.rows, g.cols});
  return MaskedLoss(loss, pt, gt).item<double>();
}

}  // namespace depthforge
