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

// kAuto: XNNPACK for int8-quantised models (IsInt8Graph), LibTorch for the
// rest. XNNPACK's int8 FastDepth measured 5x faster than LibTorch's float
// run of the same weights at equal accuracy (docs/PERFORMANCE.md).
enum class Backend { kAuto, kTorch, kOpenCv, kXnnpack };
const EnumNames<Backend>& BackendNames();  // auto|torch|opencv|xnnpack
Backend BackendFromString(const std::string& name);  // throws OptionError
std::string ToString(Backend backend);

// threads: for one forward pass (0 = every core); for LibTorch the count is
// process-wide (ConfigureTorchThreads). LibTorch is loaded on first use.
std::unique_ptr<Network> CreateNetwork(const TfliteModel& model, Backend backend, int threads = 0);
// The backend kAuto resolves to for this model.
Backend ResolveBackend(const TfliteModel& model, Backend backend);

}  // namespace depthforge
