// An inference backend for an imported network: batches of float images in,
// one-channel float maps out.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include <opencv2/core.hpp>

#include "depthforge/models/onnx_model.h"
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

// kAuto: int8-quantised models (IsInt8Graph) run in int8 on XNNPACK, the
// rest on LibTorch. Of the two int8 engines measured (bench/int8_engines,
// docs/PERFORMANCE.md), XNNPACK follows TFLite's arithmetic (every single
// operator exact); oneDNN was 2× faster on this AVX2 CPU but, without
// VNNI, its u8×s8 pair sums saturate: up to 11 levels off on FastDepth.
enum class Backend { kAuto, kTorch, kOpenCv, kXnnpack };
const EnumNames<Backend>& BackendNames();  // auto|torch|opencv|xnnpack
Backend BackendFromString(const std::string& name);  // throws OptionError
std::string ToString(Backend backend);

// threads: for one forward pass (0 = every core); for LibTorch the count is
// process-wide (ConfigureTorchThreads). LibTorch is loaded on first use.
std::unique_ptr<Network> CreateNetwork(const TfliteModel& model, Backend backend, int threads = 0);
// An ONNX graph runs on LibTorch (onnx_torch_network.h), its only backend.
std::unique_ptr<Network> CreateOnnxNetwork(const OnnxModel& model, int threads = 0);
// The backend kAuto resolves to for this model.
Backend ResolveBackend(const TfliteModel& model, Backend backend);

}  // namespace depthforge
