// The training losses of depth networks, masked to pixels with ground truth.
// Implemented on LibTorch tensors in losses.cc; this header is free of torch.
#pragma once

#include <string>

#include <opencv2/core.hpp>

#include "depthforge/models/loss_kind.h"

namespace depthforge {

// The masked loss of one prediction/ground-truth pair (metres, 0 = unknown),
// for tests and tools; training uses the same code on batches.
double ComputeLoss(LossKind loss, const cv::Mat1f& prediction, const cv::Mat1f& ground_truth);

}  // namespace depthforge
