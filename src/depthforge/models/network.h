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

// kAuto: int8-quantised models (IsInt8Graph) run in int8 — on oneDNN where
// the CPU has AVX-512 VNNI and the graph suits it (OneDnnIsExact,
// IsOneDnnGraph: 2.2× faster than XNNPACK there, the same output), else on
// XNNPACK, which follows TFLite's arithmetic everywhere (without VNNI
// oneDNN's u8×s8 pair sums saturate: up to 11 levels off on FastDepth);
// the rest on LibTorch. bench/int8_engines, docs/PERFORMANCE.md.
// oneDNN compiles its kernels for each input size on first use (~35 ms per
// size, two sizes per photo), so for a run of few images kAuto takes
// XNNPACK: the faster passes repay the compiling from about a dozen photos
// on (kOneDnnWorthwhileImages; measured whole commands, docs/PERFORMANCE.md).
enum class Backend { kAuto, kTorch, kOpenCv, kXnnpack, kOneDnn };
const EnumNames<Backend>& BackendNames();  // auto|torch|opencv|xnnpack|onednn
Backend BackendFromString(const std::string& name);  // throws OptionError
std::string ToString(Backend backend);

constexpr int kOneDnnWorthwhileImages = 12;

// threads: for one forward pass (0 = every core); for LibTorch the count is
// process-wide (ConfigureTorchThreads). LibTorch is loaded on first use.
// expected_images: how many images the network is made for, 0 = many (a
// video, a server); only kAuto looks at it.
std::unique_ptr<Network> CreateNetwork(const TfliteModel& model, Backend backend, int threads = 0,
                                       int expected_images = 0);
// An ONNX graph runs on LibTorch (onnx_torch_network.h), its only backend.
std::unique_ptr<Network> CreateOnnxNetwork(const OnnxModel& model, int threads = 0);
// The backend kAuto resolves to for this model and run length.
Backend ResolveBackend(const TfliteModel& model, Backend backend, int expected_images = 0);

}  // namespace depthforge
