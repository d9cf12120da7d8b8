#include "depthforge/models/network.h"

#include "depthforge/core/error.h"
#include "depthforge/models/opencv_network.h"
#include "depthforge/models/torch_network.h"

namespace depthforge {

const EnumNames<Backend>& BackendNames() {
  static const EnumNames<Backend> kNames{"backend", {{"torch", Backend::kTorch}, {"opencv", Backend::kOpenCv}}};
  return kNames;
}
Backend BackendFromString(const std::string& name) { return BackendNames().Parse(name); }

std::string ToString(Backend backend) { return BackendNames().Name(backend); }

std::unique_ptr<Network> CreateNetwork(const TfliteModel& model, Backend backend) {
  if (backend == Backend::kOpenCv) return std::make_unique<OpenCvNetwork>(model);
  return std::make_unique<TorchNetwork>(model);
}

}  // namespace depthforge
