// An inference backend for an imported network: batches of float images in,
// one-channel float maps out.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include <opencv2/core.hpp>

#include "depthforge/models/tflite_model.h"
#include "depthforge/core/enum_names.h"

namespace depthforge {

class Network {
 public:
  virtual ~Network() = default;
  // A batch of same-size H×W×C float32 images (real input values, e.g. RGB
  // in [0,1]); one float32 map per image.
  virtual std::vector<cv::Mat> Forward(const std::vector<cv::Mat>& images) const = 0;
};

enum class Backend { kTorch, kOpenCv };
const EnumNames<Backend>& BackendNames();  // torch|opencv
Backend BackendFromString(const std::string& name);  // throws OptionError
std::string ToString(Backend backend);

std::unique_ptr<Network> CreateNetwork(const TfliteModel& model, Backend backend);

}  // namespace depthforge
