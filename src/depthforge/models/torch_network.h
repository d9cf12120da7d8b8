// A float LibTorch network equivalent to an imported TFLite graph. Quantised
// weights are dequantised once at load; the graph runs in float32 on the
// CPU (or another LibTorch device later). Torch stays out of this header.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include <opencv2/core.hpp>

#include "depthforge/models/network.h"
#include "depthforge/models/tflite_model.h"

namespace depthforge {

// Makes LibTorch use this many threads (0 = every core). Called once at
// start-up: Debian's libtorch defaults to one thread.
void ConfigureTorchThreads(int threads = 0);
int TorchThreads();
// Re-applies the configured count on the calling thread (OpenMP keeps its
// count per thread); called by each Forward.
void UseConfiguredTorchThreads();

class TorchNetwork : public Network {
 public:
  // Builds the network; throws FileError(model.name, ...) for graphs it cannot run.
  explicit TorchNetwork(const TfliteModel& model);
  ~TorchNetwork() override;
  TorchNetwork(const TorchNetwork&) = delete;
  TorchNetwork& operator=(const TorchNetwork&) = delete;

  // Nominal input size from the model (it is fully convolutional: other
  // sizes that are multiples of 'size_multiple()' work too).
  int input_height() const;
  int input_width() const;
  int input_channels() const;
  int size_multiple() const;  // product of the strides
  int output_channels() const;

  // Runs a batch of same-size H×W×C float32 images (real input values, e.g.
  // RGB in [0,1]). Returns one H'×W' float32 Mat (one channel) per image.
  std::vector<cv::Mat> Forward(const std::vector<cv::Mat>& images) const override;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace depthforge
