#include "depthforge/models/network.h"

#include "depthforge/core/error.h"
#include "depthforge/models/opencv_network.h"
#include "depthforge/models/torch_network.h"

namespace depthforge {

Backend BackendFromString(const std::string& name) {
  if (name == "torch") return Backend::kTorch;
  if (name == "opencv") return Backend::kOpenCv;
  throw OptionError("unknown backend '" + name + "' (expected torch or opencv)");
}

std::string ToString(Backend backend) { return backend == Backend::kTorch ? "torch" : "opencv"; }

std::unique_ptr<Network> CreateNetwork(const TfliteModel& model, Backend backend) {
  if (backend == Backend::kOpenCv) return std::make_unique<OpenCvNetwork>(model);
  return std::make_unique<TorchNetwork>(model);
}

}  // namespace depthforge
