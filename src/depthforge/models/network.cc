#include "depthforge/models/network.h"

#include "depthforge/core/error.h"
#include "depthforge/models/onednn_network.h"
#include "depthforge/models/xnnpack_network.h"
#include "depthforge/util/plugin_library.h"

namespace depthforge {

const EnumNames<Backend>& BackendNames() {
  static const EnumNames<Backend> kNames{"backend", {{"auto", Backend::kAuto}, {"torch", Backend::kTorch}, {"opencv", Backend::kOpenCv}, {"xnnpack", Backend::kXnnpack}, {"onednn", Backend::kOneDnn}}};
  return kNames;
}
Backend BackendFromString(const std::string& name) { return BackendNames().Parse(name); }

std::string ToString(Backend backend) { return BackendNames().Name(backend); }

Backend ResolveBackend(const TfliteModel& model, Backend backend, int expected_images) {
  if (backend != Backend::kAuto) return backend;
  if (!IsInt8Graph(model)) return Backend::kTorch;
  const bool long_run = expected_images <= 0 || expected_images >= kOneDnnWorthwhileImages;
  return long_run && OneDnnIsExact() && IsOneDnnGraph(model) ? Backend::kOneDnn : Backend::kXnnpack;
}

std::unique_ptr<Network> CreateNetwork(const TfliteModel& model, Backend backend, int threads, int expected_images) {
  switch (ResolveBackend(model, backend, expected_images)) {
    case Backend::kOpenCv: {
      // OpenCvNetwork, built in libdepthforge_opencv.so (opencv_network.cc):
      // OpenCV's dnn is loaded only for this cross-check backend.
      using Entry = Network* (*)(const TfliteModel*);
      auto create = reinterpret_cast<Entry>(OpenCvLibrarySymbol("depthforge_opencv_create_network"));
      return std::unique_ptr<Network>(create(&model));
    }
    case Backend::kXnnpack: return std::make_unique<XnnpackNetwork>(model, threads);
    case Backend::kOneDnn: return std::make_unique<OneDnnNetwork>(model, threads);
    default: {
      // TorchNetwork, built in libdepthforge_torch.so (torch_network.cc).
      using Entry = Network* (*)(const TfliteModel*, int);
      auto create = reinterpret_cast<Entry>(TorchLibrarySymbol("depthforge_torch_create_network"));
      return std::unique_ptr<Network>(create(&model, threads));
    }
  }
}

std::unique_ptr<Network> CreateOnnxNetwork(const OnnxModel& model, int threads) {
  // OnnxTorchNetwork, built in libdepthforge_torch.so (onnx_torch_network.cc).
  using Entry = Network* (*)(const OnnxModel*, int);
  auto create = reinterpret_cast<Entry>(TorchLibrarySymbol("depthforge_torch_create_onnx_network"));
  return std::unique_ptr<Network>(create(&model, threads));
}

}  // namespace depthforge
