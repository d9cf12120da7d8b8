#include "depthforge/models/torch_network.h"

#include <atomic>
#include <thread>

#include <torch/torch.h>

#include "depthforge/core/error.h"
#include "depthforge/models/torch_graph.h"

namespace depthforge {
namespace F = torch::nn::functional;

namespace {
// OpenMP keeps its thread count per calling thread, so Forward re-applies the
// configured count on threads other than the one that configured it.
std::atomic<int> configured_threads{0};
}  // namespace

void ConfigureTorchThreads(int threads) {
  if (threads <= 0) threads = int(std::max(1u, std::thread::hardware_concurrency()));
  configured_threads = threads;
  torch::set_num_threads(threads);
}

int TorchThreads() { return torch::get_num_threads(); }

void UseConfiguredTorchThreads() {
  const int threads = configured_threads.load();
  if (threads > 0 && torch::get_num_threads() != threads) torch::set_num_threads(threads);
}

namespace {

// TF "SAME" padding: output = ceil(in / stride); extra padding goes after.
std::pair<int64_t, int64_t> SamePadding(int64_t in, int kernel, int stride, int dilation) {
  int64_t effective = int64_t(kernel - 1) * dilation + 1;
  int64_t out = (in + stride - 1) / stride;
  int64_t total = std::max<int64_t>((out - 1) * stride + effective - in, 0);
  return {total / 2, total - total / 2};
}

torch::Tensor Activate(torch::Tensor x, TfliteActivation activation) {
  switch (activation) {
    case TfliteActivation::kNone: return x;
    case TfliteActivation::kRelu: return torch::relu_(x);
    case TfliteActivation::kReluN1To1: return torch::clamp_(x, -1.0, 1.0);
    case TfliteActivation::kRelu6: return torch::clamp_(x, 0.0, 6.0);
    case TfliteActivation::kTanh: return torch::tanh_(x);
  }
  return x;
}

}  // namespace

struct TorchNetwork::Impl {
  TorchGraph graph;
};

TorchNetwork::TorchNetwork(const TfliteModel& model) : impl_(std::make_unique<Impl>()) {
  impl_->graph = BuildTorchGraph(model);
}

TorchGraph BuildTorchGraph(const TfliteModel& model) {
  TorchGraph graph;
  TorchGraph& net = graph;
  net.name = model.name;
  net.tensor_count = model.tensors.size();
  net.input_tensor = model.inputs[0];
  net.output_tensor = model.outputs[0];
  const TfliteTensor& input = model.tensors[size_t(net.input_tensor)];
  const TfliteTensor& output = model.tensors[size_t(net.output_tensor)];
  if (input.shape.size() != 4 || output.shape.size() != 4) {
    throw FileError(model.name, "expected NHWC image input and output tensors");
  }
  net.input_h = input.shape[1];
  net.input_w = input.shape[2];
  net.input_c = input.shape[3];
  net.output_c = output.shape[3];

  auto fail = [&](const TfliteOperator& op, const std::string& why) {
    throw FileError(model.name, "operator " + std::to_string(op.index) + " (" +
                                    BuiltinOperatorName(int32_t(op.builtin)) + "): " + why);
  };
  auto shape_of = [&](int tensor) { return model.tensors.at(size_t(tensor)).shape; };

  for (const TfliteOperator& op : model.operators) {
    TorchStep step;
    step.op = op;
    if (op.inputs.empty() || op.outputs.size() != 1) fail(op, "unexpected number of inputs or outputs");
    switch (op.builtin) {
      case TfliteBuiltin::kConv2d:
      case TfliteBuiltin::kDepthwiseConv2d: {
        if (op.inputs.size() < 2) fail(op, "missing weights");
        std::vector<int> w_shape = shape_of(op.inputs[1]);
        if (w_shape.size() != 4) fail(op, "weights are not 4-D");
        std::vector<float> w = model.DequantizedData(op.inputs[1]);
        auto weights = torch::from_blob(w.data(), {w_shape[0], w_shape[1], w_shape[2], w_shape[3]}).clone();
        step.kernel_h = w_shape[1];
        step.kernel_w = w_shape[2];
        int in_channels = shape_of(op.inputs[0]).at(3);
        if (op.builtin == TfliteBuiltin::kConv2d) {
          // [out, kh, kw, in] -> [out, in, kh, kw]
          if (w_shape[3] != in_channels) fail(op, "weights do not match the input channels");
          step.weight = weights.permute({0, 3, 1, 2}).contiguous();
        } else {
          // [1, kh, kw, in*multiplier] -> [in*multiplier, 1, kh, kw], one group per input channel
          if (w_shape[0] != 1 || w_shape[3] % in_channels != 0) fail(op, "depthwise weights do not match the input channels");
          step.weight = weights.permute({3, 0, 1, 2}).contiguous();
          step.groups = in_channels;
        }
        int out_channels = int(step.weight.size(0));
        if (op.inputs.size() > 2 && op.inputs[2] >= 0) {
          std::vector<float> b = model.DequantizedData(op.inputs[2]);
          if (int(b.size()) != out_channels) fail(op, "bias size does not match the output channels");
          step.bias = torch::from_blob(b.data(), {out_channels}).clone();
        }
        break;
      }
      case TfliteBuiltin::kPad: {
        if (op.inputs.size() < 2) fail(op, "missing paddings");
        std::vector<int32_t> p = model.Int32Data(op.inputs[1]);
        if (p.size() != 8) fail(op, "expected 4x2 paddings for an NHWC tensor");
        if (p[0] != 0 || p[1] != 0) fail(op, "padding the batch dimension is not supported");
        step.pad = {p[4], p[5], p[2], p[3], p[6], p[7]};
        break;
      }
      case TfliteBuiltin::kResizeNearestNeighbor: {
        if (op.align_corners) fail(op, "align_corners=true is not supported");
        std::vector<int32_t> size = model.Int32Data(op.inputs.at(1));
        std::vector<int> in_shape = shape_of(op.inputs[0]);
        if (size.size() != 2 || in_shape.size() != 4 || in_shape[1] == 0 || in_shape[2] == 0) fail(op, "bad size input");
        // Keep the scale, not the size, so the network runs at other input sizes.
        step.scale_h = double(size[0]) / in_shape[1];
        step.scale_w = double(size[1]) / in_shape[2];
        break;
      }
      case TfliteBuiltin::kAdd:
        if (op.inputs.size() != 2) fail(op, "ADD needs two inputs");
        break;
      case TfliteBuiltin::kQuantize:
      case TfliteBuiltin::kDequantize:
        break;  // identities on real values
    }
    net.steps.push_back(std::move(step));
  }
  net.multiple = model.SizeMultiple();

  net.last_use.assign(net.tensor_count, -1);
  for (size_t s = 0; s < net.steps.size(); ++s) {
    for (int t : net.steps[s].op.inputs) if (t >= 0) net.last_use[size_t(t)] = int(s);
  }
  return graph;
}

TorchNetwork::~TorchNetwork() = default;

int TorchNetwork::input_height() const { return impl_->graph.input_h; }
int TorchNetwork::input_width() const { return impl_->graph.input_w; }
int TorchNetwork::input_channels() const { return impl_->graph.input_c; }
int TorchNetwork::size_multiple() const { return impl_->graph.multiple; }
int TorchNetwork::output_channels() const { return impl_->graph.output_c; }

torch::Tensor RunTorchGraph(const TorchGraph& net, torch::Tensor input) {
  std::vector<torch::Tensor> values(net.tensor_count);
  values[size_t(net.input_tensor)] = input;

  for (size_t s = 0; s < net.steps.size(); ++s) {
    const TorchStep& step = net.steps[s];
    const TfliteOperator& op = step.op;
    torch::Tensor x = values[size_t(op.inputs[0])];
    if (!x.defined()) throw Error(net.name + ": operator " + std::to_string(op.index) + " reads a tensor no operator wrote");
    torch::Tensor y;
    switch (op.builtin) {
      case TfliteBuiltin::kConv2d:
      case TfliteBuiltin::kDepthwiseConv2d: {
        int64_t pad_top = 0, pad_bottom = 0, pad_left = 0, pad_right = 0;
        if (op.padding_same) {
          std::tie(pad_top, pad_bottom) = SamePadding(x.size(2), step.kernel_h, op.stride_h, op.dilation_h);
          std::tie(pad_left, pad_right) = SamePadding(x.size(3), step.kernel_w, op.stride_w, op.dilation_w);
        }
        // Torch pads symmetrically; pad the odd extra row/column explicitly.
        if (pad_top != pad_bottom || pad_left != pad_right) {
          x = F::pad(x, F::PadFuncOptions({pad_left, pad_right, pad_top, pad_bottom}));
          pad_top = pad_bottom = pad_left = pad_right = 0;
        }
        y = F::conv2d(x, step.weight, F::Conv2dFuncOptions()
                                          .bias(step.bias)
                                          .stride({op.stride_h, op.stride_w})
                                          .padding({pad_top, pad_left})
                                          .dilation({op.dilation_h, op.dilation_w})
                                          .groups(step.groups));
        y = Activate(y, op.activation);
        break;
      }
      case TfliteBuiltin::kPad:
        y = F::pad(x, F::PadFuncOptions(step.pad));
        break;
      case TfliteBuiltin::kResizeNearestNeighbor: {
        std::vector<int64_t> size = {int64_t(std::lround(x.size(2) * step.scale_h)),
                                     int64_t(std::lround(x.size(3) * step.scale_w))};
        auto options = F::InterpolateFuncOptions().size(size);
        if (op.half_pixel_centers) options.mode(torch::kNearestExact);
        else options.mode(torch::kNearest);
        y = F::interpolate(x, options);
        break;
      }
      case TfliteBuiltin::kAdd: {
        torch::Tensor other = values[size_t(op.inputs[1])];
        if (!other.defined()) {
          throw Error(net.name + ": operator " + std::to_string(op.index) + " reads a tensor no operator wrote");
        }
        y = Activate(x + other, op.activation);
        break;
      }
      case TfliteBuiltin::kQuantize:
      case TfliteBuiltin::kDequantize:
        y = x;
        break;
    }
    values[size_t(op.outputs[0])] = y;
    for (int t : op.inputs) {
      if (t >= 0 && net.last_use[size_t(t)] == int(s) && t != net.output_tensor) values[size_t(t)] = torch::Tensor();
    }
  }
  torch::Tensor out = values[size_t(net.output_tensor)];
  if (!out.defined()) throw Error(net.name + ": no operator writes the output tensor");
  return out;
}

torch::Tensor ImagesToBatch(const std::vector<cv::Mat>& images, int channels, const std::string& name) {
  const int h = images.at(0).rows, w = images[0].cols, c = channels > 0 ? channels : images[0].channels();
  for (const cv::Mat& image : images) {
    if (image.rows != h || image.cols != w || image.type() != CV_MAKETYPE(CV_32F, c)) {
      throw Error(name + ": every image of a batch must be " + std::to_string(c) + "-channel float32 of the same size");
    }
  }
  auto batch = torch::empty({int64_t(images.size()), h, w, c});
  for (size_t i = 0; i < images.size(); ++i) {
    cv::Mat continuous = images[i].isContinuous() ? images[i] : images[i].clone();
    std::memcpy(batch[int64_t(i)].data_ptr<float>(), continuous.data, continuous.total() * continuous.elemSize());
  }
  return batch.permute({0, 3, 1, 2}).contiguous();
}

std::vector<cv::Mat> BatchToMaps(const torch::Tensor& maps) {
  torch::Tensor all = maps.to(torch::kFloat).contiguous();
  std::vector<cv::Mat> results;
  for (int64_t i = 0; i < all.size(0); ++i) {
    torch::Tensor map = all[i];
    results.push_back(cv::Mat(int(map.size(0)), int(map.size(1)), CV_32F, map.data_ptr<float>()).clone());
  }
  return results;
}

std::vector<cv::Mat> TorchNetwork::Forward(const std::vector<cv::Mat>& images) const {
  const TorchGraph& net = impl_->graph;
  if (images.empty()) return {};
  UseConfiguredTorchThreads();
  torch::InferenceMode guard;
  torch::Tensor batch = ImagesToBatch(images, net.input_c, net.name);
  return BatchToMaps(RunTorchGraph(net, batch).select(1, 0));
}

}  // namespace depthforge

// The entry point CreateNetwork (network.h) finds in this library.
extern "C" depthforge::Network* depthforge_torch_create_network(const depthforge::TfliteModel* model, int threads) {
  depthforge::ConfigureTorchThreads(threads);
  return new depthforge::TorchNetwork(*model);
}
