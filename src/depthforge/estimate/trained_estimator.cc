#include "depthforge/estimate/trained_estimator.h"

#include <filesystem>

#include "depthforge/models/torch_modules.h"
#include "depthforge/models/torch_network.h"

namespace depthforge {
namespace fs = std::filesystem;

std::vector<float> ReadModelParameters(const std::string& path) {
  NetworkConfig config;
  auto network = LoadModel(path, config);
  std::vector<float> values;
  for (const auto& tensor : network->parameters()) {
    auto flat = tensor.detach().to(torch::kCPU).contiguous().view(-1);
    values.insert(values.end(), flat.data_ptr<float>(), flat.data_ptr<float>() + flat.numel());
  }
  return values;
}

namespace {

class TrainedEstimator : public DepthEstimator {
 public:
  TrainedEstimator(const std::string& path, const EstimatorOptions& options) : path_(path), options_(options) {
    ConfigureTorchThreads(options.threads);
    network_ = LoadModel(path, config_);
    network_->eval();
  }
  DepthMap Estimate(const cv::Mat3b& bgr) const override {
    torch::NoGradGuard no_grad;
    auto output = network_->forward(PhotoToInput(bgr, config_)).contiguous();
    cv::Mat1f low(config_.input_height, config_.input_width, output.data_ptr<float>());
    DepthMap depth;
    depth.values = UpsampleDepth(low.clone(), bgr, options_.upsample, true);
    return depth;
  }
  std::string name() const override { return fs::path(path_).filename().string(); }
  DepthKind kind() const override { return DepthKind::kMetricDepth; }

 private:
  std::string path_;
  EstimatorOptions options_;
  NetworkConfig config_;
  std::shared_ptr<DepthNetworkImpl> network_;
};

}  // namespace

std::unique_ptr<DepthEstimator> LoadTrainedEstimator(const std::string& path, const EstimatorOptions& options) {
  return std::make_unique<TrainedEstimator>(path, options);
}

}  // namespace depthforge

// The entry point CreateDepthEstimator (depth_estimator.h) finds in this library.
extern "C" depthforge::DepthEstimator* depthforge_torch_load_trained_estimator(const std::string* path,
                                                                             const depthforge::EstimatorOptions* options) {
  return depthforge::LoadTrainedEstimator(*path, *options).release();
}
