#include "depthforge/models/xnnpack_network.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <mutex>
#include <thread>

#include <pthreadpool.h>
#include <xnnpack.h>

#include "depthforge/core/error.h"

namespace depthforge {
namespace {

struct Shape {
  int n = 0, h = 0, w = 0, c = 0;
  size_t Elements() const { return size_t(n) * size_t(h) * size_t(w) * size_t(c); }
  bool operator==(const Shape&) const = default;
};

// Per-tensor quantisation of an activation tensor.
struct Quantization {
  float scale = 1;
  int zero_point = 0;
  bool is_unsigned = false;  // uint8 (graph input/output) rather than int8
  int Min() const { return is_unsigned ? 0 : -128; }
  int Max() const { return is_unsigned ? 255 : 127; }
  int Quantize(double real) const {
    return std::clamp(int(std::lround(real / scale)) + zero_point, Min(), Max());  // TFLite rounds half away from zero
  }
};

enum class StepKind { kRequantize, kPad, kConvolution, kAdd, kResizeNearest };

struct Step {
  StepKind kind = StepKind::kRequantize;
  int op_index = 0;
  int input = -1, input2 = -1, output = -1;
  xnn_operator_t op = nullptr;
  // kPad and folded convolution padding.
  int pad_top = 0, pad_bottom = 0, pad_left = 0, pad_right = 0, pad_channels_before = 0, pad_channels_after = 0;
  // kConvolution.
  bool same_padding = false;
  int kernel_h = 1, kernel_w = 1, stride_h = 1, stride_w = 1, dilation_h = 1, dilation_w = 1;
  int output_channels = 0;
  // kResizeNearest: output size = round(input size × scale).
  double scale_h = 1, scale_w = 1;
  bool align_corners = false, half_pixel_centers = false;
};

void Check(xnn_status status, const std::string& model, const std::string& what) {
  if (status != xnn_status_success) {
    throw FileError(model, what + " failed in XNNPACK (status " + std::to_string(int(status)) + ")");
  }
}

void InitializeXnnpack() {
  static const xnn_status status = xnn_initialize(nullptr);
  if (status != xnn_status_success) {
    throw Error("XNNPACK could not initialise (status " + std::to_string(int(status)) +
                "); this CPU may lack the instructions it needs. Use --backend torch.");
  }
}

bool IsActivationType(TfliteType type) { return type == TfliteType::kInt8 || type == TfliteType::kUint8; }

std::string OperatorLabel(const TfliteOperator& op) {
  return "operator " + std::to_string(op.index) + " (" + BuiltinOperatorName(int32_t(op.builtin)) + ")";
}

// Where the graph is not something this backend runs; "" when it is.
std::string Int8Problem(const TfliteModel& model) {
  auto activation_ok = [&](int tensor) {
    const TfliteTensor& t = model.tensors.at(size_t(tensor));
    return IsActivationType(t.type) && t.scales.size() == 1 && t.zero_points.size() == 1 && t.shape.size() == 4;
  };
  for (int tensor : {model.inputs[0], model.outputs[0]}) {
    if (!activation_ok(tensor)) {
      return "tensor '" + model.tensors[size_t(tensor)].name + "' is " + ToString(model.tensors[size_t(tensor)].type) +
             ", not a per-tensor quantised int8/uint8 image";
    }
  }
  for (const TfliteOperator& op : model.operators) {
    if (op.builtin == TfliteBuiltin::kDequantize) return OperatorLabel(op) + " dequantises to float";
    if (op.inputs.empty() || op.outputs.size() != 1 || op.inputs[0] < 0) return OperatorLabel(op) + " has no input";
    if (!activation_ok(op.inputs[0]) || !activation_ok(op.outputs[0])) {
      return OperatorLabel(op) + " works on tensors that are not per-tensor quantised int8";
    }
    bool is_conv = op.builtin == TfliteBuiltin::kConv2d || op.builtin == TfliteBuiltin::kDepthwiseConv2d;
    if (is_conv) {
      if (op.inputs.size() < 2) return OperatorLabel(op) + " has no weights";
      const TfliteTensor& weights = model.tensors.at(size_t(op.inputs[1]));
      if (weights.type != TfliteType::kInt8 || !model.HasData(op.inputs[1])) {
        return OperatorLabel(op) + " has " + ToString(weights.type) + " weights, not constant int8";
      }
      for (int64_t zero : weights.zero_points) {
        if (zero != 0) return OperatorLabel(op) + " has asymmetric weights (zero point " + std::to_string(zero) + ")";
      }
      if (op.activation == TfliteActivation::kTanh) return OperatorLabel(op) + " has a fused tanh";
      if (op.builtin == TfliteBuiltin::kConv2d && model.tensors[size_t(op.inputs[0])].type != TfliteType::kInt8) {
        return OperatorLabel(op) + " reads uint8";
      }
    }
    if (op.builtin == TfliteBuiltin::kAdd) {
      if (op.inputs.size() != 2 || !activation_ok(op.inputs[1])) return OperatorLabel(op) + " adds a non-int8 tensor";
      if (op.activation == TfliteActivation::kTanh) return OperatorLabel(op) + " has a fused tanh";
    }
    bool int8_only = op.builtin != TfliteBuiltin::kQuantize;
    for (int tensor : {op.inputs[0], op.outputs[0]}) {
      if (int8_only && model.tensors[size_t(tensor)].type != TfliteType::kInt8) {
        return OperatorLabel(op) + " works on uint8 tensors (only QUANTIZE may)";
      }
    }
  }
  return "";
}

// Output clamp of a fused activation, in the output's quantised values.
std::pair<int8_t, int8_t> ActivationRange(TfliteActivation activation, const Quantization& out) {
  int low = out.Min(), high = out.Max();
  switch (activation) {
    case TfliteActivation::kRelu: low = std::max(low, out.Quantize(0.0)); break;
    case TfliteActivation::kRelu6: low = std::max(low, out.Quantize(0.0)); high = std::min(high, out.Quantize(6.0)); break;
    case TfliteActivation::kReluN1To1: low = std::max(low, out.Quantize(-1.0)); high = std::min(high, out.Quantize(1.0)); break;
    default: break;
  }
  return {int8_t(low), int8_t(high)};
}

// TFLite's nearest-neighbour source index for output index 'x'.
int NearestSource(int x, int in_size, int out_size, bool align_corners, bool half_pixel_centers) {
  double scale = align_corners && out_size > 1 ? double(in_size - 1) / (out_size - 1) : double(in_size) / out_size;
  double offset = half_pixel_centers ? 0.5 : 0.0;
  int source = align_corners ? int(std::lround((x + offset) * scale)) : int(std::floor((x + offset) * scale));
  return std::clamp(source, 0, in_size - 1);
}

}  // namespace

bool IsInt8Graph(const TfliteModel& model, std::string* why) {
  std::string problem = Int8Problem(model);
  if (why) *why = problem;
  return problem.empty();
}

struct XnnpackNetwork::Impl {
  std::string name;
  std::vector<Step> steps;
  std::vector<Quantization> quantization;  // per tensor (activations only)
  int input_tensor = 0, output_tensor = 0;
  int input_channels = 3;
  // Weights and biases handed to XNNPACK stay alive with the operators.
  std::vector<std::vector<int8_t>> kernels;
  std::vector<std::vector<int32_t>> biases;
  pthreadpool_t threadpool = nullptr;

  // Run state, reused while the input size stays the same (XNNPACK's
  // operators are set up for fixed buffers and sizes).
  std::mutex mutex;
  Shape prepared;
  std::vector<Shape> shapes;
  std::vector<std::vector<int8_t>> buffers;

  ~Impl() {
    for (Step& step : steps) {
      if (step.op) xnn_delete_operator(step.op);
    }
    if (threadpool) pthreadpool_destroy(threadpool);
  }

  void Build(const TfliteModel& model);
  void Prepare(Shape input);
  void RunSteps();
};

void XnnpackNetwork::Impl::Build(const TfliteModel& model) {
  name = model.name;
  input_tensor = model.inputs[0];
  output_tensor = model.outputs[0];
  input_channels = model.tensors[size_t(input_tensor)].shape[3];
  quantization.resize(model.tensors.size());
  for (size_t t = 0; t < model.tensors.size(); ++t) {
    const TfliteTensor& tensor = model.tensors[t];
    if (IsActivationType(tensor.type) && tensor.scales.size() == 1 && !tensor.zero_points.empty()) {
      quantization[t] = {tensor.scales[0], int(tensor.zero_points[0]), tensor.type == TfliteType::kUint8};
    }
  }
  // How many operators read each tensor: a PAD is folded into the
  // convolution after it only when nothing else reads its output.
  std::vector<int> readers(model.tensors.size(), 0);
  std::vector<int> pad_step_of(model.tensors.size(), -1);
  for (const TfliteOperator& op : model.operators) {
    for (int t : op.inputs) {
      if (t >= 0) ++readers[size_t(t)];
    }
  }
  ++readers[size_t(output_tensor)];

  for (const TfliteOperator& op : model.operators) {
    auto fail = [&](const std::string& why) { throw FileError(model.name, OperatorLabel(op) + ": " + why); };
    Step step;
    step.op_index = op.index;
    step.input = op.inputs[0];
    step.output = op.outputs[0];
    const Quantization& in = quantization[size_t(step.input)];
    const Quantization& out = quantization[size_t(step.output)];
    switch (op.builtin) {
      case TfliteBuiltin::kQuantize:
        step.kind = StepKind::kRequantize;
        break;
      case TfliteBuiltin::kPad: {
        step.kind = StepKind::kPad;
        if (op.inputs.size() < 2 || !model.HasData(op.inputs[1])) fail("paddings are not constant");
        std::vector<int32_t> pads = model.Int32Data(op.inputs[1]);
        if (pads.size() != 8) fail("expected 4×2 paddings");
        if (pads[0] != 0 || pads[1] != 0) fail("pads the batch dimension");
        if (*std::min_element(pads.begin(), pads.end()) < 0) fail("has negative paddings");
        if (in.scale != out.scale || in.zero_point != out.zero_point) fail("changes the quantisation");
        step.pad_top = pads[2], step.pad_bottom = pads[3], step.pad_left = pads[4], step.pad_right = pads[5];
        step.pad_channels_before = pads[6], step.pad_channels_after = pads[7];
        break;
      }
      case TfliteBuiltin::kResizeNearestNeighbor: {
        step.kind = StepKind::kResizeNearest;
        const std::vector<int>& from = model.tensors[size_t(step.input)].shape;
        const std::vector<int>& to = model.tensors[size_t(step.output)].shape;
        if (from[1] <= 0 || from[2] <= 0) fail("has an empty input shape");
        if (in.scale != out.scale || in.zero_point != out.zero_point) fail("changes the quantisation");
        step.scale_h = double(to[1]) / from[1];
        step.scale_w = double(to[2]) / from[2];
        step.align_corners = op.align_corners;
        step.half_pixel_centers = op.half_pixel_centers;
        break;
      }
      case TfliteBuiltin::kAdd: {
        step.kind = StepKind::kAdd;
        step.input2 = op.inputs[1];
        const Quantization& in2 = quantization[size_t(step.input2)];
        auto [low, high] = ActivationRange(op.activation, out);
        Check(xnn_create_add_nd_qs8(int8_t(in.zero_point), in.scale, int8_t(in2.zero_point), in2.scale,
                                    int8_t(out.zero_point), out.scale, low, high, 0, &step.op),
              model.name, OperatorLabel(op));
        break;
      }
      case TfliteBuiltin::kConv2d:
      case TfliteBuiltin::kDepthwiseConv2d: {
        step.kind = StepKind::kConvolution;
        bool depthwise = op.builtin == TfliteBuiltin::kDepthwiseConv2d;
        const TfliteTensor& weights = model.tensors[size_t(op.inputs[1])];
        if (weights.shape.size() != 4) fail("weights are not 4-D");
        int in_channels = model.tensors[size_t(step.input)].shape[3];
        step.kernel_h = weights.shape[1];
        step.kernel_w = weights.shape[2];
        step.output_channels = depthwise ? weights.shape[3] : weights.shape[0];
        if (depthwise && step.output_channels != in_channels * op.depth_multiplier) {
          fail("depth multiplier does not match the channels");
        }
        if (!depthwise && weights.shape[3] != in_channels) fail("weights do not match the input channels");
        step.stride_h = op.stride_h, step.stride_w = op.stride_w;
        step.dilation_h = op.dilation_h, step.dilation_w = op.dilation_w;
        step.same_padding = op.padding_same;
        // A PAD read only by this convolution becomes its padding.
        int pad_step = pad_step_of[size_t(step.input)];
        if (!step.same_padding && pad_step >= 0 && readers[size_t(step.input)] == 1 &&
            steps[size_t(pad_step)].pad_channels_before == 0 && steps[size_t(pad_step)].pad_channels_after == 0) {
          Step& pad = steps[size_t(pad_step)];
          step.input = pad.input;
          step.pad_top = pad.pad_top, step.pad_bottom = pad.pad_bottom;
          step.pad_left = pad.pad_left, step.pad_right = pad.pad_right;
          pad.output = -1;  // marks the step as folded
        }
        const Quantization& conv_in = quantization[size_t(step.input)];
        size_t channels = size_t(step.output_channels);
        std::vector<float> kernel_scales(channels);
        for (size_t c = 0; c < channels; ++c) {
          if (weights.scales.empty()) fail("weights are not quantised");
          kernel_scales[c] = weights.scales.size() == 1 ? weights.scales[0] : weights.scales.at(c);
        }
        if (weights.scales.size() != 1 && weights.scales.size() != channels) fail("weight scales do not match the channels");
        // TFLite's layouts are XNNPACK's: [out, kh, kw, in] for a convolution,
        // [1, kh, kw, channels × multiplier] for a depthwise one (its
        // XNN_FLAG_DEPTHWISE_CONVOLUTION layout).
        const std::string& raw = model.buffers[size_t(weights.buffer)];
        kernels.emplace_back(raw.size());
        std::memcpy(kernels.back().data(), raw.data(), raw.size());
        biases.emplace_back(channels, 0);
        if (op.inputs.size() > 2 && op.inputs[2] >= 0) {
          std::vector<int32_t> bias = model.Int32Data(op.inputs[2]);
          if (bias.size() != channels) fail("bias does not match the channels");
          biases.back() = bias;
        }
        auto [low, high] = ActivationRange(op.activation, out);
        uint32_t groups = depthwise ? uint32_t(in_channels) : 1;
        size_t group_in = depthwise ? 1 : size_t(in_channels);
        size_t group_out = depthwise ? size_t(op.depth_multiplier) : channels;
        uint32_t flags = (depthwise ? XNN_FLAG_DEPTHWISE_CONVOLUTION : 0) |
                         (step.same_padding ? XNN_FLAG_TENSORFLOW_SAME_PADDING : 0);
        Check(xnn_create_convolution2d_nhwc_qc8(
                  uint32_t(step.pad_top), uint32_t(step.pad_right), uint32_t(step.pad_bottom), uint32_t(step.pad_left),
                  uint32_t(step.kernel_h), uint32_t(step.kernel_w), uint32_t(step.stride_h), uint32_t(step.stride_w),
                  uint32_t(step.dilation_h), uint32_t(step.dilation_w), groups, group_in, group_out,
                  size_t(in_channels), channels, int8_t(conv_in.zero_point), conv_in.scale, kernel_scales.data(),
                  kernels.back().data(), biases.back().data(), int8_t(out.zero_point), out.scale, low, high, flags,
                  &step.op),
              model.name, OperatorLabel(op));
        break;
      }
      default:
        fail("not an operator the int8 backend runs");
    }
    if (step.kind == StepKind::kPad) pad_step_of[size_t(step.output)] = int(steps.size());
    steps.push_back(step);
  }
  std::erase_if(steps, [](const Step& step) { return step.output < 0; });
}

void XnnpackNetwork::Impl::Prepare(Shape input) {
  shapes.assign(quantization.size(), Shape{});
  shapes[size_t(input_tensor)] = input;
  for (const Step& step : steps) {
    Shape in = shapes[size_t(step.input)];
    Shape out = in;
    auto fail = [&](const std::string& why) {
      throw FileError(name, "operator " + std::to_string(step.op_index) + ": " + why + " for a " +
                                std::to_string(input.w) + "×" + std::to_string(input.h) + " input");
    };
    switch (step.kind) {
      case StepKind::kRequantize: break;
      case StepKind::kPad:
        out.h += step.pad_top + step.pad_bottom;
        out.w += step.pad_left + step.pad_right;
        out.c += step.pad_channels_before + step.pad_channels_after;
        break;
      case StepKind::kResizeNearest:
        out.h = int(std::lround(in.h * step.scale_h));
        out.w = int(std::lround(in.w * step.scale_w));
        break;
      case StepKind::kAdd: {
        Shape other = shapes[size_t(step.input2)];
        out = {std::max(in.n, other.n), std::max(in.h, other.h), std::max(in.w, other.w), std::max(in.c, other.c)};
        break;
      }
      case StepKind::kConvolution: {
        out.c = step.output_channels;
        if (step.same_padding) {
          out.h = (in.h + step.stride_h - 1) / step.stride_h;
          out.w = (in.w + step.stride_w - 1) / step.stride_w;
        } else {
          int extent_h = (step.kernel_h - 1) * step.dilation_h + 1, extent_w = (step.kernel_w - 1) * step.dilation_w + 1;
          out.h = (in.h + step.pad_top + step.pad_bottom - extent_h) / step.stride_h + 1;
          out.w = (in.w + step.pad_left + step.pad_right - extent_w) / step.stride_w + 1;
        }
        break;
      }
    }
    if (out.h <= 0 || out.w <= 0) fail("the output would be empty");
    shapes[size_t(step.output)] = out;
  }
  // XNNPACK may read up to XNN_EXTRA_BYTES past the end of an input.
  buffers.assign(quantization.size(), {});
  for (size_t t = 0; t < shapes.size(); ++t) {
    if (shapes[t].n > 0) buffers[t].assign(shapes[t].Elements() + XNN_EXTRA_BYTES, 0);
  }
  for (Step& step : steps) {
    const Shape& in = shapes[size_t(step.input)];
    std::string label = "operator " + std::to_string(step.op_index);
    if (step.kind == StepKind::kConvolution) {
      Check(xnn_setup_convolution2d_nhwc_qc8(step.op, size_t(in.n), size_t(in.h), size_t(in.w),
                                              buffers[size_t(step.input)].data(), buffers[size_t(step.output)].data(),
                                              threadpool),
            name, label);
    } else if (step.kind == StepKind::kAdd) {
      const Shape& in2 = shapes[size_t(step.input2)];
      size_t shape1[4] = {size_t(in.n), size_t(in.h), size_t(in.w), size_t(in.c)};
      size_t shape2[4] = {size_t(in2.n), size_t(in2.h), size_t(in2.w), size_t(in2.c)};
      Check(xnn_setup_add_nd_qs8(step.op, 4, shape1, 4, shape2, buffers[size_t(step.input)].data(),
                                 buffers[size_t(step.input2)].data(), buffers[size_t(step.output)].data(), threadpool),
            name, label);
    }
  }
  prepared = input;
}

void XnnpackNetwork::Impl::RunSteps() {
  for (const Step& step : steps) {
    const Shape& in = shapes[size_t(step.input)];
    const Shape& out = shapes[size_t(step.output)];
    const int8_t* source = buffers[size_t(step.input)].data();
    int8_t* target = buffers[size_t(step.output)].data();
    switch (step.kind) {
      case StepKind::kConvolution:
      case StepKind::kAdd:
        Check(xnn_run_operator(step.op, threadpool), name, "operator " + std::to_string(step.op_index));
        break;
      case StepKind::kRequantize: {
        // Every input level maps to one output level: a 256-entry table.
        const Quantization& from = quantization[size_t(step.input)];
        const Quantization& to = quantization[size_t(step.output)];
        int8_t table[256];
        for (int level = from.Min(); level <= from.Max(); ++level) {
          table[uint8_t(level)] = int8_t(uint8_t(to.Quantize(double(from.scale) * (level - from.zero_point))));
        }
        const uint8_t* bytes = reinterpret_cast<const uint8_t*>(source);
        size_t count = in.Elements();
        for (size_t i = 0; i < count; ++i) target[i] = table[bytes[i]];
        break;
      }
      case StepKind::kPad: {
        std::memset(target, quantization[size_t(step.output)].zero_point, out.Elements());
        for (int n = 0; n < in.n; ++n) {
          for (int y = 0; y < in.h; ++y) {
            const int8_t* row = source + (size_t(n) * in.h + y) * in.w * in.c;
            int8_t* row_out = target + ((size_t(n) * out.h + y + step.pad_top) * out.w + step.pad_left) * out.c;
            for (int x = 0; x < in.w; ++x) {
              std::memcpy(row_out + size_t(x) * out.c + step.pad_channels_before, row + size_t(x) * in.c, size_t(in.c));
            }
          }
        }
        break;
      }
      case StepKind::kResizeNearest: {
        std::vector<int> source_x(size_t(out.w));
        for (int x = 0; x < out.w; ++x) {
          source_x[size_t(x)] = NearestSource(x, in.w, out.w, step.align_corners, step.half_pixel_centers);
        }
        size_t pixel = size_t(in.c);
        for (int n = 0; n < in.n; ++n) {
          for (int y = 0; y < out.h; ++y) {
            int sy = NearestSource(y, in.h, out.h, step.align_corners, step.half_pixel_centers);
            const int8_t* row = source + (size_t(n) * in.h + sy) * in.w * pixel;
            int8_t* row_out = target + (size_t(n) * out.h + y) * out.w * pixel;
            for (int x = 0; x < out.w; ++x) std::memcpy(row_out + size_t(x) * pixel, row + source_x[size_t(x)] * pixel, pixel);
          }
        }
        break;
      }
    }
  }
}

XnnpackNetwork::XnnpackNetwork(const TfliteModel& model, int threads) : impl_(std::make_unique<Impl>()) {
  std::string problem = Int8Problem(model);
  if (!problem.empty()) throw FileError(model.name, "the int8 backend cannot run it: " + problem);
  InitializeXnnpack();
  if (threads <= 0) threads = int(std::max(1u, std::thread::hardware_concurrency()));
  // One thread: XNNPACK runs on the calling thread, no pool to wake.
  if (threads > 1) impl_->threadpool = pthreadpool_create(size_t(threads));
  impl_->Build(model);
}

XnnpackNetwork::~XnnpackNetwork() = default;

std::vector<cv::Mat> XnnpackNetwork::Forward(const std::vector<cv::Mat>& images) const {
  std::vector<cv::Mat> results;
  std::lock_guard<std::mutex> lock(impl_->mutex);
  Impl& net = *impl_;
  for (const cv::Mat& image : images) {
    if (image.type() != CV_MAKETYPE(CV_32F, net.input_channels)) {
      throw Error(net.name + ": the network takes " + std::to_string(net.input_channels) + "-channel float images");
    }
    Shape input{1, image.rows, image.cols, image.channels()};
    if (!(net.prepared == input)) net.Prepare(input);
    // Quantise the real input values into the input tensor.
    const Quantization& in_q = net.quantization[size_t(net.input_tensor)];
    int8_t* in = net.buffers[size_t(net.input_tensor)].data();
    float inverse_scale = 1.0f / in_q.scale;
    for (int y = 0; y < image.rows; ++y) {
      const float* row = image.ptr<float>(y);
      int8_t* row_out = in + size_t(y) * image.cols * net.input_channels;
      for (int i = 0; i < image.cols * net.input_channels; ++i) {
        int q = std::clamp(cvRound(row[i] * inverse_scale) + in_q.zero_point, in_q.Min(), in_q.Max());
        row_out[i] = int8_t(uint8_t(q));
      }
    }
    net.RunSteps();
    const Shape& out = net.shapes[size_t(net.output_tensor)];
    const Quantization& out_q = net.quantization[size_t(net.output_tensor)];
    const int8_t* q = net.buffers[size_t(net.output_tensor)].data();
    cv::Mat1f result(out.h, out.w);
    // The depth map is the first output channel.
    for (int y = 0; y < out.h; ++y) {
      float* row = result.ptr<float>(y);
      for (int x = 0; x < out.w; ++x) {
        int8_t value = q[(size_t(y) * out.w + x) * out.c];
        int level = out_q.is_unsigned ? int(uint8_t(value)) : int(value);
        row[x] = out_q.scale * float(level - out_q.zero_point);
      }
    }
    results.push_back(result);
  }
  return results;
}

}  // namespace depthforge
