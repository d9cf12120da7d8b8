// The same imported TFLite graph built layer by layer in OpenCV's dnn
// module: a second CPU backend, and the peer the LibTorch backend is
// checked and timed against.
#pragma once

#include <memory>
#include <vector>

#include <opencv2/core.hpp>

#include "depthforge/models/network.h"
#include "depthforge/models/tflite_model.h"

namespace depthforge {

class OpenCvNetwork : public Network {
 public:
  explicit OpenCvNetwork(const TfliteModel& model);  // throws FileError
  ~OpenCvNetwork() override;
  OpenCvNetwork(const OpenCvNetwork&) = delete;
  OpenCvNetwork& operator=(const OpenCvNetwork&) = delete;

  // Same contract as TorchNetwork::Forward.
  std::vector<cv::Mat> Forward(const std::vector<cv::Mat>& images) const override;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace depthforge
