#include "depthforge/models/torch_modules.h"

#include <nlohmann/json.hpp>
#include <opencv2/imgproc.hpp>

#include "depthforge/core/error.h"
#include "depthforge/models/focus_channel.h"
#include "depthforge/models/tflite_model.h"
#include "depthforge/models/torch_graph.h"
#include "depthforge/util/atomic_file.h"

namespace depthforge {
namespace F = torch::nn::functional;
namespace nn = torch::nn;

std::string NetworkConfig::ToJson() const {
  return nlohmann::json{{"architecture", ToString(architecture)}, {"input_width", input_width},
                        {"input_height", input_height}, {"base_channels", base_channels}, {"max_depth", max_depth}}
      .dump();
}

NetworkConfig NetworkConfig::FromJson(const std::string& text, const std::string& source) {
  try {
    auto json = nlohmann::json::parse(text);
    NetworkConfig config;
    config.architecture = ArchitectureFromString(json.at("architecture").get<std::string>());
    config.input_width = json.at("input_width").get<int>();
    config.input_height = json.at("input_height").get<int>();
    config.base_channels = json.at("base_channels").get<int>();
    config.max_depth = json.at("max_depth").get<float>();
    return config;
  } catch (const nlohmann::json::exception& e) {
    throw FileError(source, std::string("bad model configuration: ") + e.what());
  }
}

namespace {

nn::Sequential ConvBlock(int in, int out, bool selu) {
  nn::Sequential block;
  block->push_back(nn::Conv2d(nn::Conv2dOptions(in, out, 3).padding(1).bias(selu)));
  if (selu) {
    block->push_back(nn::SELU());
  } else {
    block->push_back(nn::BatchNorm2d(out));
    block->push_back(nn::ReLU());
  }
  block->push_back(nn::Conv2d(nn::Conv2dOptions(out, out, 3).padding(1).bias(selu)));
  if (selu) {
    block->push_back(nn::SELU());
  } else {
    block->push_back(nn::BatchNorm2d(out));
    block->push_back(nn::ReLU());
  }
  return block;
}

// Squeeze-and-excitation channel attention then CBAM-style spatial attention.
struct AttentionImpl : nn::Module {
  nn::Linear squeeze{nullptr}, excite{nullptr};
  nn::Conv2d spatial{nullptr};
  explicit AttentionImpl(int channels) {
    squeeze = register_module("squeeze", nn::Linear(channels, std::max(4, channels / 4)));
    excite = register_module("excite", nn::Linear(std::max(4, channels / 4), channels));
    spatial = register_module("spatial", nn::Conv2d(nn::Conv2dOptions(2, 1, 7).padding(3)));
  }
  torch::Tensor forward(torch::Tensor x) {
    auto pooled = x.mean({2, 3});
    auto weights = torch::sigmoid(excite(torch::selu(squeeze(pooled))));
    x = x * weights.unsqueeze(2).unsqueeze(3);
    auto maps = torch::cat({x.mean(1, true), std::get<0>(x.max(1, true))}, 1);
    return x * torch::sigmoid(spatial(maps));
  }
};
TORCH_MODULE(Attention);

struct UNet : DepthNetworkImpl {
  nn::Sequential enc1{nullptr}, enc2{nullptr}, enc3{nullptr}, bottom{nullptr}, dec3{nullptr}, dec2{nullptr}, dec1{nullptr};
  nn::Conv2d head{nullptr};
  std::vector<Attention> attention;
  float max_depth;
  bool attend;

  UNet(const NetworkConfig& config, bool with_attention) : max_depth(config.max_depth), attend(with_attention) {
    int c = config.base_channels;
    bool selu = with_attention;
    enc1 = register_module("enc1", ConvBlock(config.input_channels(), c, selu));
    enc2 = register_module("enc2", ConvBlock(c, 2 * c, selu));
    enc3 = register_module("enc3", ConvBlock(2 * c, 4 * c, selu));
    bottom = register_module("bottom", ConvBlock(4 * c, 8 * c, selu));
    dec3 = register_module("dec3", ConvBlock(8 * c + 4 * c, 4 * c, selu));
    dec2 = register_module("dec2", ConvBlock(4 * c + 2 * c, 2 * c, selu));
    dec1 = register_module("dec1", ConvBlock(2 * c + c, c, selu));
    head = register_module("head", nn::Conv2d(nn::Conv2dOptions(c, 1, 1)));
    if (attend) {
      for (int i = 0; i < 3; ++i) {
        int channels = (4 >> i) * c;
        attention.push_back(register_module("attention" + std::to_string(i), Attention(channels)));
      }
    }
  }
  torch::Tensor Up(const torch::Tensor& x, const torch::Tensor& like) {
    return F::interpolate(x, F::InterpolateFuncOptions()
                                 .size(std::vector<int64_t>{like.size(2), like.size(3)})
                                 .mode(torch::kBilinear)
                                 .align_corners(false));
  }
  torch::Tensor forward(torch::Tensor x) override {
    auto e1 = enc1->forward(x);
    auto e2 = enc2->forward(F::max_pool2d(e1, F::MaxPool2dFuncOptions(2)));
    auto e3 = enc3->forward(F::max_pool2d(e2, F::MaxPool2dFuncOptions(2)));
    auto b = bottom->forward(F::max_pool2d(e3, F::MaxPool2dFuncOptions(2)));
    auto d3 = dec3->forward(torch::cat({Up(b, e3), e3}, 1));
    if (attend) d3 = attention[0]->forward(d3);
    auto d2 = dec2->forward(torch::cat({Up(d3, e2), e2}, 1));
    if (attend) d2 = attention[1]->forward(d2);
    auto d1 = dec1->forward(torch::cat({Up(d2, e1), e1}, 1));
    if (attend) d1 = attention[2]->forward(d1);
    return max_depth * torch::sigmoid(head(d1)) + 1e-3;
  }
};

// Eigen, Puhrsch and Fergus (2014), scaled to small inputs: a coarse network
// sees the whole image through fully connected layers and predicts a
// quarter-resolution map; a fine network refines it with local image detail.
struct Eigen : DepthNetworkImpl {
  nn::Sequential coarse_convs{nullptr};
  nn::Linear fc1{nullptr}, fc2{nullptr};
  nn::Conv2d fine1{nullptr}, fine2{nullptr}, fine3{nullptr};
  int out_h, out_w;
  float max_depth;

  explicit Eigen(const NetworkConfig& config) : max_depth(config.max_depth) {
    int c = config.base_channels;
    out_h = config.input_height / 4;
    out_w = config.input_width / 4;
    coarse_convs = register_module("coarse", nn::Sequential(
        nn::Conv2d(nn::Conv2dOptions(3, c, 5).stride(2).padding(2)), nn::ReLU(), nn::MaxPool2d(2),
        nn::Conv2d(nn::Conv2dOptions(c, 2 * c, 5).padding(2)), nn::ReLU(), nn::MaxPool2d(2),
        nn::Conv2d(nn::Conv2dOptions(2 * c, 4 * c, 3).padding(1)), nn::ReLU(),
        nn::Conv2d(nn::Conv2dOptions(4 * c, 4 * c, 3).padding(1)), nn::ReLU(), nn::MaxPool2d(2)));
    int flat = 4 * c * (config.input_height / 16) * (config.input_width / 16);
    fc1 = register_module("fc1", nn::Linear(flat, 256));
    fc2 = register_module("fc2", nn::Linear(256, out_h * out_w));
    fine1 = register_module("fine1", nn::Conv2d(nn::Conv2dOptions(3, 2 * c - 1, 9).stride(2).padding(4)));
    fine2 = register_module("fine2", nn::Conv2d(nn::Conv2dOptions(2 * c, 2 * c, 5).padding(2)));
    fine3 = register_module("fine3", nn::Conv2d(nn::Conv2dOptions(2 * c, 1, 5).padding(2)));
  }
  torch::Tensor forward(torch::Tensor x) override {
    auto features = coarse_convs->forward(x).flatten(1);
    auto coarse = fc2(F::dropout(torch::relu(fc1(features)), F::DropoutFuncOptions().p(0.0)))
                      .view({x.size(0), 1, out_h, out_w});
    auto fine = F::max_pool2d(torch::relu(fine1(x)), F::MaxPool2dFuncOptions(2));
    fine = torch::cat({fine, coarse}, 1);
    fine = fine3(torch::relu(fine2(fine)));
    auto up = F::interpolate(fine, F::InterpolateFuncOptions()
                                       .size(std::vector<int64_t>{x.size(2), x.size(3)})
                                       .mode(torch::kBilinear)
                                       .align_corners(false));
    return max_depth * torch::sigmoid(up) + 1e-3;
  }
};

// FastDepth as imported from TFLite, with every convolution's weights and
// biases registered as trainable parameters. It takes RGB in [0, 1].
struct FastDepth : DepthNetworkImpl {
  TorchGraph graph;
  explicit FastDepth(const NetworkConfig& config) {
    graph = BuildTorchGraph(ParseTflite(config.tflite, config.tflite_name));
    for (size_t i = 0; i < graph.steps.size(); ++i) {
      TorchStep& step = graph.steps[i];
      if (step.weight.defined()) step.weight = register_parameter("weight" + std::to_string(i), step.weight.clone());
      if (step.bias.defined()) step.bias = register_parameter("bias" + std::to_string(i), step.bias.clone());
    }
  }
  torch::Tensor forward(torch::Tensor x) override { return RunTorchGraph(graph, x + 0.5).clamp_min(1e-3); }
};

}  // namespace

std::shared_ptr<DepthNetworkImpl> BuildNetwork(const NetworkConfig& config) {
  if (config.architecture == Architecture::kFastDepth) {
    if (config.input_width % 32 != 0 || config.input_height % 32 != 0) {
      throw OptionError("FastDepth input size must be multiples of 32");
    }
    if (config.tflite.empty()) throw OptionError("FastDepth needs its pretrained TFLite model to start from");
    return std::make_shared<FastDepth>(config);
  }
  if (config.input_width % 16 != 0 || config.input_height % 16 != 0 || config.input_width < 32 || config.input_height < 32) {
    throw OptionError("network input size must be multiples of 16, at least 32x32");
  }
  if (config.base_channels < 4 || config.base_channels > 256) throw OptionError("base channels must be 4-256");
  switch (config.architecture) {
    case Architecture::kUNet: return std::make_shared<UNet>(config, false);
    case Architecture::kAttentionUNet: return std::make_shared<UNet>(config, true);
    case Architecture::kEigen: return std::make_shared<Eigen>(config);
    case Architecture::kFastDepth: break;  // handled above
  }
  return nullptr;
}

void SaveModel(const std::string& path, const NetworkConfig& config, DepthNetworkImpl& network) {
  WriteAtomically(path, [&](const std::string& temp) {
    torch::serialize::OutputArchive archive;
    archive.write("depthforge_config", c10::IValue(config.ToJson()));
    if (!config.tflite.empty()) archive.write("depthforge_tflite", c10::IValue(config.tflite));
    network.save(archive);
    archive.save_to(temp);
  });
}

std::shared_ptr<DepthNetworkImpl> LoadModel(const std::string& path, NetworkConfig& config) {
  torch::serialize::InputArchive archive;
  try {
    archive.load_from(path);
  } catch (const c10::Error& e) {
    throw FileError(path, "not a depthforge model file");
  }
  c10::IValue text;
  if (!archive.try_read("depthforge_config", text) || !text.isString()) {
    throw FileError(path, "not a depthforge model file (no configuration)");
  }
  config = NetworkConfig::FromJson(text.toStringRef(), path);
  c10::IValue tflite;
  if (archive.try_read("depthforge_tflite", tflite) && tflite.isString()) {
    config.tflite = tflite.toStringRef();
    config.tflite_name = path;
  }
  auto network = BuildNetwork(config);
  try {
    network->load(archive);
  } catch (const c10::Error& e) {
    throw FileError(path, "model parameters do not match its configuration");
  }
  return network;
}

torch::Tensor PhotoToInput(const cv::Mat3b& photo, const NetworkConfig& config) {
  cv::Mat3b resized;
  cv::resize(photo, resized, {config.input_width, config.input_height}, 0, 0, cv::INTER_AREA);
  cv::Mat3b rgb;
  cv::cvtColor(resized, rgb, cv::COLOR_BGR2RGB);
  cv::Mat3f values;
  rgb.convertTo(values, CV_32F, 1.0 / 255, -0.5);
  auto image = torch::from_blob(values.data, {1, values.rows, values.cols, 3}).permute({0, 3, 1, 2}).clone();
  if (config.architecture != Architecture::kAttentionUNet) return image;
  cv::Mat3f focus = FocusChannel(resized);
  cv::Mat3f centred = focus - cv::Scalar::all(0.5);
  auto extra = torch::from_blob(centred.data, {1, centred.rows, centred.cols, 3}).permute({0, 3, 1, 2}).clone();
  return torch::cat({image, extra}, 1);
}

}  // namespace depthforge
