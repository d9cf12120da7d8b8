// Internal to the torch translation units (models/, estimate/trained_estimator.cc, train/trainer.cc): the network modules,
// their configuration and the losses. Include only from a .cc that already
// pays for <torch/torch.h>.
#pragma once

#include <torch/torch.h>

#include <string>

#include "depthforge/models/losses.h"
#include "depthforge/models/network_architecture.h"

namespace depthforge {

struct NetworkConfig {
  Architecture architecture = Architecture::kUNet;
  int input_width = 128, input_height = 96;
  int base_channels = 16;
  float max_depth = 10.f;
  // kFastDepth: the TFLite file the graph comes from (kept in model files).
  std::string tflite, tflite_name;
  int input_channels() const { return architecture == Architecture::kAttentionUNet ? 6 : 3; }
  std::string ToJson() const;
  static NetworkConfig FromJson(const std::string& json, const std::string& source);
};

// Every architecture maps N×C×H×W inputs to N×1×H×W depth in (0, max_depth).
class DepthNetworkImpl : public torch::nn::Module {
 public:
  virtual torch::Tensor forward(torch::Tensor x) = 0;
};

std::shared_ptr<DepthNetworkImpl> BuildNetwork(const NetworkConfig& config);

// Masked loss over pixels with target > 0.
torch::Tensor MaskedLoss(LossKind loss, const torch::Tensor& prediction, const torch::Tensor& target);

// Model files: the configuration (JSON) and the parameters, in one archive.
void SaveModel(const std::string& path, const NetworkConfig& config, DepthNetworkImpl& network);
std::shared_ptr<DepthNetworkImpl> LoadModel(const std::string& path, NetworkConfig& config);

// Network input for a BGR photo: RGB in [0,1] normalised to zero mean, plus
// the focus channel for the attention U-Net. 1×C×H×W.
torch::Tensor PhotoToInput(const cv::Mat3b& photo, const NetworkConfig& config);

}  // namespace depthforge
