// An imported ONNX graph run by LibTorch, node by node, in float32: weights
// stored as float16 or float64 are widened at load, and a Cast to either
// gives float32. Nodes whose inputs are all constant (shape arithmetic on
// initializers, Constant nodes) are computed once at load. Torch stays out
// of this header; the class lives in libdepthforge_torch.so and is created
// through CreateOnnxNetwork (network.h).
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include <opencv2/core.hpp>

#include "depthforge/models/network.h"
#include "depthforge/models/onnx_model.h"

namespace depthforge {

// A dense float32 tensor crossing the torch boundary (tests, benchmarks).
struct FloatTensor {
  std::vector<int64_t> shape;
  std::vector<float> values;  // row-major
};

class OnnxTorchNetwork : public Network {
 public:
  // Builds the network; throws FileError(model.name, ...) naming the node
  // when an operator's attributes or constant inputs are not supported.
  explicit OnnxTorchNetwork(const OnnxModel& model);
  ~OnnxTorchNetwork() override;
  OnnxTorchNetwork(const OnnxTorchNetwork&) = delete;
  OnnxTorchNetwork& operator=(const OnnxTorchNetwork&) = delete;

  // A batch of same-size H×W×C float32 images as the N×C×H×W input; the
  // first output, N×1×H'×W' or N×H'×W', as one map per image.
  std::vector<cv::Mat> Forward(const std::vector<cv::Mat>& images) const override;
  // The graph on any float input; returns the first output as float32.
  // Throws Error naming the node that failed.
  FloatTensor Run(const FloatTensor& input) const;
  // Nodes left to run per call after folding the constant ones.
  size_t RuntimeNodeCount() const;

  struct Impl;  // defined in the .cc

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace depthforge
