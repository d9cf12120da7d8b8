// An int8-quantised TFLite graph run natively in int8 by XNNPACK, the
// engine behind TensorFlow Lite on CPUs (Debian's libxnnpack).
//
// Arithmetic as TFLite defines it for int8 models: activations are int8
// with one scale and zero point per tensor (real = scale × (q − zero)),
// convolution weights int8 with one scale per output channel and zero
// point 0, biases int32 at scale input_scale × weight_scale; each operator
// requantises its int32 sums to its output tensor's scale and clamps to its
// fused activation. XNNPACK's requantisation rounds in single precision
// where TFLite's reference kernels use a fixed-point multiplier, so single
// values may differ by one step (xnnpack_network_test measures this against
// a reference written from TFLite's definition).
//
// Convolutions, depthwise convolutions and additions are XNNPACK
// operators; a PAD that feeds a convolution is folded into the
// convolution's own padding (both pad with the zero point, real 0);
// nearest-neighbour resizing, other padding and QUANTIZE are done here.
// Like the LibTorch backend the graph is fully convolutional: any input
// size that is a multiple of the model's stride product runs.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include <opencv2/core.hpp>

#include "depthforge/models/network.h"
#include "depthforge/models/tflite_model.h"

namespace depthforge {

// True when every operator of 'model' works on int8 tensors this backend
// runs (so --backend auto picks it); otherwise '*why' says what is not.
bool IsInt8Graph(const TfliteModel& model, std::string* why = nullptr);

class XnnpackNetwork : public Network {
 public:
  // threads: worker threads for one forward pass (1 = the calling thread
  // only; 0 = every core). Throws FileError naming the model and the
  // operator it cannot run.
  XnnpackNetwork(const TfliteModel& model, int threads);
  ~XnnpackNetwork() override;
  XnnpackNetwork(const XnnpackNetwork&) = delete;
  XnnpackNetwork& operator=(const XnnpackNetwork&) = delete;

  // Same contract as TorchNetwork::Forward: float images of real input
  // values in, the dequantised one-channel output per image. Calls from
  // several threads are serialised.
  std::vector<cv::Mat> Forward(const std::vector<cv::Mat>& images) const override;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace depthforge
