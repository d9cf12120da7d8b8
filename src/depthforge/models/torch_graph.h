// Internal to torch translation units: an imported TFLite graph as LibTorch
// operations, shared by the inference network and the trainable FastDepth.
#pragma once

#include <torch/torch.h>

#include <opencv2/core.hpp>

#include <string>
#include <vector>

#include "depthforge/models/tflite_model.h"

namespace depthforge {

struct TorchStep {
  TfliteOperator op;
  torch::Tensor weight, bias;  // convolutions: [out, in/groups, kh, kw], [out]
  int groups = 1;
  int kernel_h = 1, kernel_w = 1;
  std::vector<int64_t> pad;         // PAD: torch order (w0, w1, h0, h1, c0, c1)
  double scale_h = 1, scale_w = 1;  // RESIZE_NEAREST_NEIGHBOR
};

struct TorchGraph {
  std::string name;
  std::vector<TorchStep> steps;
  size_t tensor_count = 0;
  int input_tensor = 0, output_tensor = 0;
  int input_h = 0, input_w = 0, input_c = 0, output_c = 0, multiple = 1;
  std::vector<int> last_use;  // last step reading each tensor, to free activations early
};

TorchGraph BuildTorchGraph(const TfliteModel& model);  // throws FileError

// A batch of same-size H×W×C float32 images as one N×C×H×W tensor; throws
// Error naming 'name' when the images differ in size or type, or do not
// have 'channels' channels (0 = any, the same for all).
torch::Tensor ImagesToBatch(const std::vector<cv::Mat>& images, int channels, const std::string& name);
// One float32 map per image of an N×H×W tensor.
std::vector<cv::Mat> BatchToMaps(const torch::Tensor& maps);
// NCHW input of real values; returns the output tensor (N×C×H×W). Runs with
// autograd unless the caller disables it.
torch::Tensor RunTorchGraph(const TorchGraph& graph, torch::Tensor input);

}  // namespace depthforge
