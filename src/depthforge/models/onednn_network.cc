#include "depthforge/models/onednn_network.h"

#include <omp.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <map>
#include <mutex>
#include <oneapi/dnnl/dnnl.hpp>

#include "depthforge/core/error.h"

namespace depthforge {
namespace {

using dt = dnnl::memory::data_type;
using tag = dnnl::memory::format_tag;

// An activation in the unsigned-byte view: int8 at zero point −128 or
// uint8 at 0, one scale.
bool IsByteActivation(const TfliteTensor& t) {
  if (t.scales.size() != 1 || t.zero_points.size() != 1) return false;
  return (t.type == TfliteType::kInt8 && t.zero_points[0] == -128) || (t.type == TfliteType::kUint8 && t.zero_points[0] == 0);
}

bool SameQuantisation(const TfliteTensor& a, const TfliteTensor& b) {
  return a.scales == b.scales && IsByteActivation(a) && IsByteActivation(b);
}

}  // namespace

bool OneDnnIsExact() {
  static const bool exact = __builtin_cpu_supports("avx512vnni");
  return exact;
}

bool IsOneDnnGraph(const TfliteModel& m, std::string* why) {
  auto fail = [&](const std::string& reason) {
    if (why != nullptr) *why = reason;
    return false;
  };
  auto tensor = [&](int t) -> const TfliteTensor& { return m.tensors.at(size_t(t)); };
  if (m.inputs.size() != 1 || m.outputs.size() != 1) return fail("expected one input and one output");
  // Which tensors feed convolutions (a PAD may only feed those).
  std::map<int, int> readers_not_conv;
  for (const TfliteOperator& op : m.operators) {
    const bool conv = op.builtin == TfliteBuiltin::kConv2d || op.builtin == TfliteBuiltin::kDepthwiseConv2d;
    if (!conv && !op.inputs.empty()) ++readers_not_conv[op.inputs[0]];
    if (op.builtin == TfliteBuiltin::kAdd && op.inputs.size() > 1) ++readers_not_conv[op.inputs[1]];
  }
  for (const TfliteOperator& op : m.operators) {
    const std::string where = "operator " + std::to_string(op.index) + " (" + BuiltinOperatorName(int32_t(op.builtin)) + ")";
    const TfliteTensor& out = tensor(op.outputs.at(0));
    // Every activation in the byte view, but the float ends.
    const bool float_input = op.builtin == TfliteBuiltin::kQuantize && op.inputs[0] == m.inputs[0] &&
                             tensor(op.inputs[0]).type == TfliteType::kFloat32;
    const bool float_output = op.builtin == TfliteBuiltin::kDequantize;
    if ((!float_input && !IsByteActivation(tensor(op.inputs[0]))) || (!float_output && !IsByteActivation(out))) {
      return fail(where + ": an activation is not int8 at zero point -128 (or uint8 at 0)");
    }
    switch (op.builtin) {
      case TfliteBuiltin::kQuantize:
        if (tensor(op.inputs[0]).type == TfliteType::kFloat32 && op.inputs[0] == m.inputs[0] && IsByteActivation(out)) break;
        if (!SameQuantisation(tensor(op.inputs[0]), out)) return fail(where + ": requantises between scales");
        break;
      case TfliteBuiltin::kDequantize:
        if (op.outputs[0] != m.outputs[0] || !IsByteActivation(tensor(op.inputs[0]))) return fail(where + ": only at the output");
        break;
      case TfliteBuiltin::kPad:
        if (!IsByteActivation(out) || readers_not_conv.count(op.outputs[0])) return fail(where + ": only before a convolution");
        break;
      case TfliteBuiltin::kResizeNearestNeighbor: {
        if (op.align_corners || op.half_pixel_centers) return fail(where + ": aligned corners or half-pixel centres");
        const std::vector<int>& in_shape = tensor(op.inputs[0]).shape;
        const std::vector<int>& out_shape = out.shape;
        if (in_shape.size() != 4 || out_shape.size() != 4 || out_shape[1] % in_shape[1] != 0 || out_shape[2] % in_shape[2] != 0) {
          return fail(where + ": not a whole-number scale");
        }
        if (!SameQuantisation(tensor(op.inputs[0]), out)) return fail(where + ": changes the scale");
        break;
      }
      case TfliteBuiltin::kAdd:
      case TfliteBuiltin::kConv2d:
      case TfliteBuiltin::kDepthwiseConv2d: {
        if (!IsByteActivation(out) || !IsByteActivation(tensor(op.inputs[0]))) {
          return fail(where + ": an activation is not int8 at zero point -128 (or uint8 at 0)");
        }
        if (op.activation != TfliteActivation::kNone && op.activation != TfliteActivation::kRelu &&
            op.activation != TfliteActivation::kRelu6) {
          return fail(where + ": fused activation");
        }
        if (op.builtin == TfliteBuiltin::kAdd) {
          if (op.inputs.size() != 2 || !IsByteActivation(tensor(op.inputs[1]))) return fail(where + ": second input");
          break;
        }
        const TfliteTensor& w = tensor(op.inputs.at(1));
        if (w.type != TfliteType::kInt8 || w.shape.size() != 4 || !m.HasData(op.inputs[1])) return fail(where + ": weights");
        for (int64_t z : w.zero_points) if (z != 0) return fail(where + ": weight zero point");
        if (op.inputs.size() < 3 || op.inputs[2] < 0 || tensor(op.inputs[2]).type != TfliteType::kInt32) return fail(where + ": bias");
        if (op.dilation_h != 1 || op.dilation_w != 1) return fail(where + ": dilation");
        if (op.builtin == TfliteBuiltin::kDepthwiseConv2d && op.depth_multiplier != 1) return fail(where + ": depth multiplier");
        break;
      }
      default:
        return fail(where + ": not supported");
    }
  }
  return true;
}

namespace {

// The primitives for one input size.
struct SizedGraph {
  dnnl::engine engine;
  std::vector<std::pair<dnnl::primitive, std::unordered_map<int, dnnl::memory>>> steps;
  std::map<int, dnnl::memory> activations;  // by TFLite tensor
  dnnl::memory input, output;
  int out_h = 0, out_w = 0, out_c = 1;
};

dnnl::memory Activation(SizedGraph& g, int tensor, const std::vector<int>& nhwc) {
  auto found = g.activations.find(tensor);
  if (found != g.activations.end()) return found->second;
  dnnl::memory::desc md({nhwc[0], nhwc[3], nhwc[1], nhwc[2]}, dt::u8, tag::nhwc);
  return g.activations[tensor] = dnnl::memory(md, g.engine);
}

// Weights in oneDNN's layout, by TFLite tensor: shared by the graphs of all
// sizes where the chosen kernels want the same layout (a fresh page costs
// ~12 µs to fault in on this project's VMs; FastDepth's weights are 1.6 MB).
using WeightCache = std::map<int, dnnl::memory>;

std::unique_ptr<SizedGraph> BuildGraph(const TfliteModel& m, dnnl::engine engine, dnnl::stream& stream, int height, int width,
                                       int channels, WeightCache& weight_cache) {
  auto g = std::make_unique<SizedGraph>();
  g->engine = engine;
  std::map<int, std::vector<int>> shape;  // runtime NHWC shapes
  std::map<int, int> alias;               // QUANTIZE / DEQUANTIZE / folded PAD outputs -> the tensor they equal
  std::map<int, std::vector<int32_t>> pads;
  auto resolve = [&](int t) {
    while (alias.count(t)) t = alias[t];
    return t;
  };
  auto scale_of = [&](int t) { return m.tensors[size_t(t)].scales[0]; };
  const int input = m.inputs[0];
  shape[input] = {1, height, width, channels};
  g->input = Activation(*g, input, shape[input]);
  for (const TfliteOperator& op : m.operators) {
    const int in = resolve(op.inputs[0]), out = op.outputs[0];
    const std::vector<int> s = shape.at(in);
    if (op.builtin == TfliteBuiltin::kQuantize || op.builtin == TfliteBuiltin::kDequantize) {
      alias[out] = in;  // the same bytes in the u8 view
      shape[out] = s;
      continue;
    }
    if (op.builtin == TfliteBuiltin::kPad) {
      alias[out] = in;  // folded into the convolution that reads it
      pads[out] = m.Int32Data(op.inputs[1]);
      shape[out] = s;
      continue;
    }
    const float out_scale = scale_of(out);
    dnnl::post_ops relu6;
    const bool clip6 = op.activation == TfliteActivation::kRelu6;
    if (clip6) relu6.append_eltwise(1.f, dnnl::algorithm::eltwise_clip, 0.f, std::round(6.f / out_scale));
    if (op.builtin == TfliteBuiltin::kResizeNearestNeighbor) {
      const std::vector<int>& st = m.tensors[size_t(out)].shape;
      const std::vector<int>& si = m.tensors[size_t(op.inputs[0])].shape;
      shape[out] = {1, s[1] * (st[1] / si[1]), s[2] * (st[2] / si[2]), s[3]};
      dnnl::memory src = g->activations.at(in), dst = Activation(*g, out, shape[out]);
      dnnl::resampling_forward::desc d(dnnl::prop_kind::forward_inference, dnnl::algorithm::resampling_nearest,
                                       src.get_desc(), dst.get_desc());
      g->steps.push_back({dnnl::resampling_forward({d, engine}), {{DNNL_ARG_SRC, src}, {DNNL_ARG_DST, dst}}});
      continue;
    }
    if (op.builtin == TfliteBuiltin::kAdd) {
      const int in2 = resolve(op.inputs[1]);
      shape[out] = s;
      dnnl::memory a = g->activations.at(in), b = g->activations.at(in2), dst = Activation(*g, out, s);
      dnnl::primitive_attr attr;
      attr.set_scales(DNNL_ARG_SRC_0, 0, {scale_of(op.inputs[0]) / out_scale});
      attr.set_scales(DNNL_ARG_SRC_1, 0, {scale_of(op.inputs[1]) / out_scale});
      if (clip6) attr.set_post_ops(relu6);
      dnnl::binary::desc d(dnnl::algorithm::binary_add, a.get_desc(), b.get_desc(), dst.get_desc());
      g->steps.push_back({dnnl::binary({d, attr, engine}), {{DNNL_ARG_SRC_0, a}, {DNNL_ARG_SRC_1, b}, {DNNL_ARG_DST, dst}}});
      continue;
    }
    // CONV_2D / DEPTHWISE_CONV_2D
    const bool depthwise = op.builtin == TfliteBuiltin::kDepthwiseConv2d;
    const TfliteTensor& wt = m.tensors[size_t(op.inputs[1])];
    const int kh = wt.shape[1], kw = wt.shape[2];
    const int oc = depthwise ? wt.shape[3] : wt.shape[0];
    std::vector<int32_t> p = pads.count(op.inputs[0]) ? pads[op.inputs[0]] : std::vector<int32_t>(8, 0);
    if (op.padding_same) {
      // TensorFlow's SAME: output ceil(in / stride), the odd pixel after.
      auto same = [](int size, int kernel, int stride, int32_t& before, int32_t& after) {
        const int out_size = (size + stride - 1) / stride;
        const int total = std::max((out_size - 1) * stride + kernel - size, 0);
        before += total / 2;
        after += total - total / 2;
      };
      same(s[1] + p[2] + p[3], kh, op.stride_h, p[2], p[3]);
      same(s[2] + p[4] + p[5], kw, op.stride_w, p[4], p[5]);
    }
    const int oh = (s[1] + p[2] + p[3] - kh) / op.stride_h + 1, ow = (s[2] + p[4] + p[5] - kw) / op.stride_w + 1;
    shape[out] = {1, oh, ow, oc};
    dnnl::memory src = g->activations.at(in), dst = Activation(*g, out, shape[out]);
    const dnnl::memory::dims wdims = depthwise ? dnnl::memory::dims{oc, 1, 1, kh, kw} : dnnl::memory::dims{oc, s[3], kh, kw};
    dnnl::memory::desc user_w(wdims, dt::s8, depthwise ? tag::goihw : tag::ohwi);
    dnnl::memory::desc any_w(wdims, dt::s8, tag::any);
    dnnl::memory::desc bias_md({oc}, dt::f32, tag::x);
    const float in_scale = scale_of(op.inputs[0]);
    std::vector<float> scales(static_cast<size_t>(oc)), bias(static_cast<size_t>(oc));
    const std::vector<int32_t> bias_q = m.Int32Data(op.inputs[2]);
    for (int c = 0; c < oc; ++c) {
      const float w_scale = wt.scales.size() == 1 ? wt.scales[0] : wt.scales[size_t(c)];
      scales[size_t(c)] = in_scale * w_scale / out_scale;
      bias[size_t(c)] = float(bias_q[size_t(c)]);  // in accumulator units: dst = scale · (sum + bias)
    }
    dnnl::primitive_attr attr;
    attr.set_output_scales(1 << 1, scales);
    if (clip6) attr.set_post_ops(relu6);
    dnnl::convolution_forward::desc d(dnnl::prop_kind::forward_inference, dnnl::algorithm::convolution_direct,
                                      src.get_desc(), any_w, bias_md, dst.get_desc(), {op.stride_h, op.stride_w},
                                      {p[2], p[4]}, {p[3], p[5]});
    dnnl::convolution_forward::primitive_desc pd(d, attr, engine);
    // Weights in oneDNN's preferred layout, reordered once per layout.
    dnnl::memory& weights = weight_cache[op.inputs[1]];
    if (!weights || weights.get_desc() != pd.weights_desc()) {
      dnnl::memory raw(user_w, engine);
      const std::string& bytes = m.buffers[size_t(wt.buffer)];
      if (depthwise) {  // TFLite [1, kh, kw, C] -> goihw [C, 1, 1, kh, kw]
        auto* w = static_cast<int8_t*>(raw.get_data_handle());
        for (int c = 0; c < oc; ++c) {
          for (int k = 0; k < kh * kw; ++k) w[c * kh * kw + k] = int8_t(bytes[size_t(k * oc + c)]);
        }
      } else {
        std::memcpy(raw.get_data_handle(), bytes.data(), bytes.size());
      }
      weights = dnnl::memory(pd.weights_desc(), engine);
      dnnl::reorder(raw, weights).execute(stream, raw, weights);
      stream.wait();  // 'raw' goes out of scope
    }
    dnnl::memory bias_memory(bias_md, engine);
    std::memcpy(bias_memory.get_data_handle(), bias.data(), bias.size() * sizeof(float));
    g->steps.push_back({dnnl::convolution_forward(pd),
                        {{DNNL_ARG_SRC, src}, {DNNL_ARG_WEIGHTS, weights}, {DNNL_ARG_BIAS, bias_memory}, {DNNL_ARG_DST, dst}}});
  }
  const int output = resolve(m.outputs[0]);
  g->output = g->activations.at(output);
  g->out_h = shape.at(output)[1];
  g->out_w = shape.at(output)[2];
  g->out_c = shape.at(output)[3];
  stream.wait();
  return g;
}

}  // namespace

struct OneDnnNetwork::Impl {
  TfliteModel model;
  int threads = 1;
  float input_scale = 1, output_scale = 1;
  dnnl::engine engine{dnnl::engine::kind::cpu, 0};
  dnnl::stream stream{engine};
  std::mutex mutex;
  std::map<std::pair<int, int>, std::unique_ptr<SizedGraph>> graphs;  // by input height, width
  WeightCache weights;
};

OneDnnNetwork::OneDnnNetwork(const TfliteModel& model, int threads, bool allow_inexact) : impl_(std::make_unique<Impl>()) {
  if (!allow_inexact && !OneDnnIsExact()) {
    throw OptionError("--backend onednn needs a CPU with AVX-512 VNNI, where oneDNN's int8 sums are exact; this one has "
                      "none (use xnnpack)");
  }
  std::string why;
  if (!IsOneDnnGraph(model, &why)) throw FileError(model.name, "the oneDNN backend cannot run this graph: " + why);
  impl_->model = model;
  impl_->threads = threads > 0 ? threads : std::max(1, omp_get_num_procs());
  // The byte view's scale of the input (after a QUANTIZE from float) and of the output.
  int input = model.inputs[0];
  for (const TfliteOperator& op : model.operators) {
    if (op.builtin == TfliteBuiltin::kQuantize && op.inputs[0] == input && model.tensors[size_t(input)].type == TfliteType::kFloat32) {
      input = op.outputs[0];
    }
  }
  impl_->input_scale = model.tensors[size_t(input)].scales[0];
  int output = model.outputs[0];
  for (const TfliteOperator& op : model.operators) {
    if (op.builtin == TfliteBuiltin::kDequantize && op.outputs[0] == output) output = op.inputs[0];
  }
  impl_->output_scale = model.tensors[size_t(output)].scales[0];
}

OneDnnNetwork::~OneDnnNetwork() = default;

std::vector<cv::Mat> OneDnnNetwork::Forward(const std::vector<cv::Mat>& images) const {
  Impl& net = *impl_;
  std::lock_guard lock(net.mutex);
  // OpenMP keeps its thread count per calling thread.
  omp_set_num_threads(net.threads);
  std::vector<cv::Mat> results;
  for (const cv::Mat& image : images) {
    const std::vector<int>& input_shape = net.model.tensors[size_t(net.model.inputs[0])].shape;
    const int channels = input_shape.size() == 4 ? input_shape[3] : 3;
    if (image.type() != CV_MAKETYPE(CV_32F, channels)) {
      throw Error(net.model.name + ": expected " + std::to_string(channels) + "-channel float32 images");
    }
    auto& graph = net.graphs[{image.rows, image.cols}];
    try {
      if (!graph) graph = BuildGraph(net.model, net.engine, net.stream, image.rows, image.cols, channels, net.weights);
    } catch (const dnnl::error& e) {
      throw Error(net.model.name + ": oneDNN cannot run " + std::to_string(image.cols) + "x" + std::to_string(image.rows) +
                  ": " + e.what());
    }
    auto* in = static_cast<uint8_t*>(graph->input.get_data_handle());
    const float inverse = 1.f / net.input_scale;
    for (int y = 0; y < image.rows; ++y) {
      const float* row = image.ptr<float>(y);
      uint8_t* out = in + size_t(y) * size_t(image.cols) * size_t(channels);
      for (int x = 0; x < image.cols * channels; ++x) out[x] = uint8_t(std::clamp(cvRound(row[x] * inverse), 0, 255));
    }
    for (auto& [primitive, args] : graph->steps) primitive.execute(net.stream, args);
    net.stream.wait();
    const auto* out = static_cast<const uint8_t*>(graph->output.get_data_handle());
    cv::Mat1f result(graph->out_h, graph->out_w);
    for (int i = 0; i < graph->out_h * graph->out_w; ++i) result(i / graph->out_w, i % graph->out_w) = net.output_scale * out[size_t(i) * size_t(graph->out_c)];
    results.push_back(result);
  }
  return results;
}

}  // namespace depthforge
