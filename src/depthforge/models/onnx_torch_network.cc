#include "depthforge/models/onnx_torch_network.h"

#include <torch/torch.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <limits>
#include <map>
#include <numeric>

#include "depthforge/core/error.h"
#include "depthforge/models/torch_graph.h"
#include "depthforge/models/torch_network.h"

namespace depthforge {
namespace F = torch::nn::functional;
using torch::Tensor;

namespace {

// A node's failure, turned into an Error naming the model and the node by the caller.
struct NodeError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

[[noreturn]] void Fail(const std::string& why) { throw NodeError(why); }

Tensor FromOnnx(const OnnxTensor& t) {
  std::vector<int64_t> dims(t.dims.begin(), t.dims.end());
  if (t.IsFloating()) {
    return torch::from_blob(const_cast<float*>(t.floats.data()), dims, torch::kFloat).clone();
  }
  Tensor ints = torch::from_blob(const_cast<int64_t*>(t.ints.data()), dims, torch::kLong).clone();
  return t.type == OnnxType::kBool ? ints.to(torch::kBool) : ints;
}

// Integer tensor (shape, axes, indices) to a vector.
std::vector<int64_t> Ints(const Tensor& t) {
  Tensor c = t.to(torch::kLong).contiguous().reshape({-1});
  return std::vector<int64_t>(c.data_ptr<int64_t>(), c.data_ptr<int64_t>() + c.numel());
}

std::vector<double> Doubles(const Tensor& t) {
  Tensor c = t.to(torch::kDouble).contiguous().reshape({-1});
  return std::vector<double>(c.data_ptr<double>(), c.data_ptr<double>() + c.numel());
}

int64_t NormaliseAxis(int64_t axis, int64_t rank) {
  if (axis < -rank || axis >= std::max<int64_t>(rank, 1)) Fail("axis " + std::to_string(axis) + " is out of range for rank " + std::to_string(rank));
  return axis < 0 ? axis + rank : axis;
}

torch::Dtype DtypeOf(int64_t onnx_type) {
  switch (OnnxType(onnx_type)) {
    case OnnxType::kFloat:
    case OnnxType::kFloat16:  // computed in float32 (see the header)
    case OnnxType::kDouble: return torch::kFloat;
    case OnnxType::kInt8:
    case OnnxType::kUint8:
    case OnnxType::kInt32:
    case OnnxType::kInt64: return torch::kLong;
    case OnnxType::kBool: return torch::kBool;
    default: Fail("cast to ONNX type " + std::to_string(onnx_type) + " is not supported");
  }
}

bool IsIntegral(const Tensor& t) { return !t.is_floating_point() && t.scalar_type() != torch::kBool; }

// Convolution-style padding, begin and end per spatial axis.
struct Padding {
  std::vector<int64_t> begin, end;
  bool Symmetric() const { return begin == end; }
  bool Zero() const {
    return std::all_of(begin.begin(), begin.end(), [](int64_t p) { return p == 0; }) &&
           std::all_of(end.begin(), end.end(), [](int64_t p) { return p == 0; });
  }
  // F::pad order: last axis first.
  std::vector<int64_t> TorchOrder() const {
    std::vector<int64_t> out;
    for (size_t i = begin.size(); i-- > 0;) out.push_back(begin[i]), out.push_back(end[i]);
    return out;
  }
};

Padding PaddingOf(const OnnxNode& node, const Tensor& x, const std::vector<int64_t>& kernel,
                  const std::vector<int64_t>& strides, const std::vector<int64_t>& dilations) {
  const size_t n = kernel.size();
  Padding p{std::vector<int64_t>(n, 0), std::vector<int64_t>(n, 0)};
  const std::string auto_pad = node.String("auto_pad", "NOTSET");
  if (auto_pad == "NOTSET") {
    std::vector<int64_t> pads = node.Ints("pads", std::vector<int64_t>(2 * n, 0));
    if (pads.size() != 2 * n) Fail("pads has " + std::to_string(pads.size()) + " values for " + std::to_string(n) + " spatial axes");
    for (size_t i = 0; i < n; ++i) p.begin[i] = pads[i], p.end[i] = pads[n + i];
  } else if (auto_pad == "SAME_UPPER" || auto_pad == "SAME_LOWER") {
    for (size_t i = 0; i < n; ++i) {
      const int64_t in = x.size(int64_t(2 + i));
      const int64_t out = (in + strides[i] - 1) / strides[i];
      const int64_t total = std::max<int64_t>(0, (out - 1) * strides[i] + (kernel[i] - 1) * dilations[i] + 1 - in);
      const int64_t small = total / 2;
      p.begin[i] = auto_pad == "SAME_UPPER" ? small : total - small;
      p.end[i] = total - p.begin[i];
    }
  } else if (auto_pad != "VALID") {
    Fail("auto_pad " + auto_pad + " is not supported");
  }
  return p;
}

std::vector<int64_t> SpatialInts(const OnnxNode& node, const char* name, size_t n, int64_t fallback) {
  std::vector<int64_t> v = node.Ints(name, std::vector<int64_t>(n, fallback));
  if (v.size() != n) Fail(std::string(name) + " has " + std::to_string(v.size()) + " values for " + std::to_string(n) + " spatial axes");
  return v;
}

Tensor Conv(const OnnxNode& node, Tensor x, const Tensor& w, const Tensor& b) {
  if (x.dim() < 3 || w.dim() != x.dim()) Fail("expected matching input and weight ranks of at least 3");
  const size_t n = size_t(x.dim() - 2);
  std::vector<int64_t> kernel(w.sizes().begin() + 2, w.sizes().end());
  auto strides = SpatialInts(node, "strides", n, 1), dilations = SpatialInts(node, "dilations", n, 1);
  Padding pad = PaddingOf(node, x, kernel, strides, dilations);
  std::vector<int64_t> padding = pad.begin;
  if (!pad.Symmetric()) {
    x = F::pad(x, F::PadFuncOptions(pad.TorchOrder()));
    padding.assign(n, 0);
  }
  return torch::convolution(x, w, b, strides, padding, dilations, false, std::vector<int64_t>(n, 0), node.Int("group", 1));
}

Tensor ConvTranspose(const OnnxNode& node, const Tensor& x, const Tensor& w, const Tensor& b) {
  if (x.dim() < 3 || w.dim() != x.dim()) Fail("expected matching input and weight ranks of at least 3");
  const size_t n = size_t(x.dim() - 2);
  std::vector<int64_t> kernel(w.sizes().begin() + 2, w.sizes().end());
  auto strides = SpatialInts(node, "strides", n, 1), dilations = SpatialInts(node, "dilations", n, 1);
  auto output_padding = SpatialInts(node, "output_padding", n, 0);
  const std::string auto_pad = node.String("auto_pad", "NOTSET");
  std::vector<int64_t> begin(n, 0), end(n, 0);
  std::vector<int64_t> output_shape = node.Ints("output_shape");
  if (!output_shape.empty() || auto_pad == "SAME_UPPER" || auto_pad == "SAME_LOWER") {
    if (output_shape.size() > n) output_shape.erase(output_shape.begin(), output_shape.end() - long(n));
    for (size_t i = 0; i < n; ++i) {
      const int64_t in = x.size(int64_t(2 + i));
      const int64_t out = output_shape.empty() ? in * strides[i] : output_shape[i];
      const int64_t total = strides[i] * (in - 1) + output_padding[i] + (kernel[i] - 1) * dilations[i] + 1 - out;
      if (total < 0) Fail("output_shape is larger than the convolution can make");
      if (auto_pad == "SAME_UPPER") begin[i] = total / 2, end[i] = total - total / 2;
      else begin[i] = total - total / 2, end[i] = total / 2;
    }
  } else if (auto_pad == "NOTSET") {
    std::vector<int64_t> pads = node.Ints("pads", std::vector<int64_t>(2 * n, 0));
    if (pads.size() != 2 * n) Fail("pads does not match the spatial axes");
    for (size_t i = 0; i < n; ++i) begin[i] = pads[i], end[i] = pads[n + i];
  } else if (auto_pad != "VALID") {
    Fail("auto_pad " + auto_pad + " is not supported");
  }
  // Full output, then cut the padding off (asymmetric padding included).
  Tensor y = torch::convolution(x, w, b, strides, std::vector<int64_t>(n, 0), dilations, true, output_padding, node.Int("group", 1));
  for (size_t i = 0; i < n; ++i) {
    const int64_t axis = int64_t(2 + i);
    y = y.narrow(axis, begin[i], y.size(axis) - begin[i] - end[i]);
  }
  return y;
}

Tensor Pool(const OnnxNode& node, Tensor x, bool max) {
  if (x.dim() < 3 || x.dim() > 5) Fail("expected a 3-D to 5-D input");
  const size_t n = size_t(x.dim() - 2);
  std::vector<int64_t> kernel = node.Ints("kernel_shape");
  if (kernel.size() != n) Fail("kernel_shape does not match the spatial axes");
  auto strides = SpatialInts(node, "strides", n, 1), dilations = SpatialInts(node, "dilations", n, 1);
  const bool ceil_mode = node.Int("ceil_mode", 0) != 0;
  Padding pad = PaddingOf(node, x, kernel, strides, dilations);
  bool native = pad.Symmetric();
  for (size_t i = 0; i < n; ++i) native = native && pad.begin[i] * 2 <= kernel[i];
  if (max) {
    std::vector<int64_t> padding = pad.begin;
    if (!native) {
      x = F::pad(x, F::PadFuncOptions(pad.TorchOrder()).value(-std::numeric_limits<double>::infinity()));
      padding.assign(n, 0);
    }
    if (n == 1) return torch::max_pool1d(x, kernel, strides, padding, dilations, ceil_mode);
    if (n == 2) return torch::max_pool2d(x, kernel, strides, padding, dilations, ceil_mode);
    return torch::max_pool3d(x, kernel, strides, padding, dilations, ceil_mode);
  }
  if (std::any_of(dilations.begin(), dilations.end(), [](int64_t d) { return d != 1; })) Fail("dilated average pooling is not supported");
  const bool include_pad = node.Int("count_include_pad", 0) != 0;
  auto average = [&](const Tensor& v, const std::vector<int64_t>& padding, bool count_pad) {
    if (n == 1) return torch::avg_pool1d(v, kernel, strides, padding, ceil_mode, count_pad);
    if (n == 2) return torch::avg_pool2d(v, kernel, strides, padding, ceil_mode, count_pad);
    return torch::avg_pool3d(v, kernel, strides, padding, ceil_mode, count_pad);
  };
  if (native) return average(x, pad.begin, include_pad);
  // Asymmetric padding: pad with zeros, then divide by the window's count
  // of real pixels (or the whole window when the padding counts).
  const std::vector<int64_t> none(n, 0);
  Tensor padded = F::pad(x, F::PadFuncOptions(pad.TorchOrder()));
  if (include_pad) return average(padded, none, true);
  std::vector<int64_t> ones_shape(static_cast<size_t>(x.dim()), 1);
  for (size_t i = 0; i < n; ++i) ones_shape[2 + i] = x.size(int64_t(2 + i));
  Tensor mask = F::pad(torch::ones(ones_shape, x.options()), F::PadFuncOptions(pad.TorchOrder()));
  return average(padded, none, true) / average(mask, none, true);
}

// One axis of a resize: for each output index, taps (input index, weight).
struct ResizeTaps {
  std::vector<Tensor> index;   // per tap: [out] long
  std::vector<Tensor> weight;  // per tap: [out] float
};

ResizeTaps ResizeAxis(int64_t in, int64_t out, double scale, const std::string& mode, const std::string& transform,
                      const std::string& nearest_mode, double cubic_a, bool exclude_outside) {
  const int taps = mode == "nearest" ? 1 : mode == "linear" ? 2 : 4;
  const size_t tap_count = static_cast<size_t>(taps), out_count = static_cast<size_t>(out);
  std::vector<std::vector<int64_t>> index(tap_count, std::vector<int64_t>(out_count));
  std::vector<std::vector<float>> weight(tap_count, std::vector<float>(out_count));
  auto cubic = [&](double d) {
    d = std::abs(d);
    if (d <= 1) return ((cubic_a + 2) * d - (cubic_a + 3)) * d * d + 1;
    if (d < 2) return ((cubic_a * d - 5 * cubic_a) * d + 8 * cubic_a) * d - 4 * cubic_a;
    return 0.0;
  };
  for (int64_t j = 0; j < out; ++j) {
    double x;
    if (transform == "half_pixel") x = (j + 0.5) / scale - 0.5;
    else if (transform == "pytorch_half_pixel") x = out > 1 ? (j + 0.5) / scale - 0.5 : 0.0;
    else if (transform == "align_corners") x = out > 1 ? double(j) * double(in - 1) / double(out - 1) : 0.0;
    else if (transform == "asymmetric") x = j / scale;
    else if (transform == "tf_half_pixel_for_nn") x = (j + 0.5) / scale;
    else Fail("coordinate_transformation_mode " + transform + " is not supported");
    auto clamp = [&](int64_t i) { return std::min(std::max<int64_t>(i, 0), in - 1); };
    if (taps == 1) {
      int64_t i;
      const double f = std::floor(x);
      if (nearest_mode == "floor") i = int64_t(f);
      else if (nearest_mode == "ceil") i = int64_t(std::ceil(x));
      else if (nearest_mode == "round_prefer_ceil") i = x - f >= 0.5 ? int64_t(f) + 1 : int64_t(f);
      else if (nearest_mode == "round_prefer_floor") i = x - f > 0.5 ? int64_t(f) + 1 : int64_t(f);
      else Fail("nearest_mode " + nearest_mode + " is not supported");
      index[0][size_t(j)] = clamp(i);
      weight[0][size_t(j)] = 1.f;
    } else if (taps == 2) {
      const double f = std::floor(x), t = x - f;
      index[0][size_t(j)] = clamp(int64_t(f));
      index[1][size_t(j)] = clamp(int64_t(f) + 1);
      weight[0][size_t(j)] = float(1 - t);
      weight[1][size_t(j)] = float(t);
    } else {
      const double f = std::floor(x), t = x - f;
      double w[4] = {cubic(1 + t), cubic(t), cubic(1 - t), cubic(2 - t)};
      double total = 0;
      for (int k = 0; k < 4; ++k) {
        const int64_t i = int64_t(f) - 1 + k;
        if (exclude_outside && (i < 0 || i >= in)) w[k] = 0;
        total += w[k];
      }
      for (int k = 0; k < 4; ++k) {
        index[size_t(k)][size_t(j)] = clamp(int64_t(f) - 1 + k);
        weight[size_t(k)][size_t(j)] = float(exclude_outside && total != 0 ? w[k] / total : w[k]);
      }
    }
  }
  ResizeTaps result;
  for (int k = 0; k < taps; ++k) {
    result.index.push_back(torch::tensor(index[size_t(k)], torch::kLong));
    result.weight.push_back(torch::tensor(weight[size_t(k)], torch::kFloat));
  }
  return result;
}

Tensor ResizeSeparable(Tensor x, int64_t axis, const ResizeTaps& taps) {
  std::vector<int64_t> shape(static_cast<size_t>(x.dim()), 1);
  shape[size_t(axis)] = -1;
  Tensor y;
  for (size_t k = 0; k < taps.index.size(); ++k) {
    Tensor term = x.index_select(axis, taps.index[k]) * taps.weight[k].to(x.scalar_type()).reshape(shape);
    y = y.defined() ? y + term : term;
  }
  return y;
}

// Resize (opsets 10 to 17) and Upsample (9): nearest, linear and cubic in
// every coordinate mode but tf_crop_and_resize. The common cases go to
// LibTorch's own kernels, whose arithmetic they match; the rest to a
// separable implementation of the operator's definition.
Tensor Resize(const OnnxNode& node, const std::vector<Tensor>& in, int64_t opset) {
  const Tensor& x = in[0];
  const int64_t rank = x.dim();
  const bool legacy = node.op_type == "Upsample" || opset < 11;  // scales only, asymmetric, floor
  std::string mode = node.String("mode", "nearest");
  if (mode == "bilinear" || mode == "trilinear") mode = "linear";  // Upsample-7 names
  if (mode != "nearest" && mode != "linear" && mode != "cubic") Fail("mode " + mode + " is not supported");
  const std::string transform = legacy ? "asymmetric" : node.String("coordinate_transformation_mode", "half_pixel");
  const std::string nearest_mode = legacy ? "floor" : node.String("nearest_mode", "round_prefer_floor");
  if (transform == "tf_crop_and_resize") Fail("coordinate_transformation_mode tf_crop_and_resize is not supported");
  const double cubic_a = node.Float("cubic_coeff_a", -0.75f);
  const bool exclude_outside = node.Int("exclude_outside", 0) != 0;

  std::vector<double> scales;
  std::vector<int64_t> sizes;
  if (node.op_type == "Upsample" && node.Has("scales")) {
    for (float s : node.Floats("scales")) scales.push_back(s);
  } else if (legacy) {
    if (in.size() < 2 || !in[1].defined()) Fail("missing scales");
    scales = Doubles(in[1]);
  } else {
    if (in.size() > 2 && in[2].defined() && in[2].numel() > 0) scales = Doubles(in[2]);
    if (in.size() > 3 && in[3].defined() && in[3].numel() > 0) sizes = Ints(in[3]);
  }
  if (!sizes.empty() && int64_t(sizes.size()) != rank) Fail("sizes does not match the input's rank");
  if (!scales.empty() && int64_t(scales.size()) != rank) Fail("scales does not match the input's rank");
  if (sizes.empty() && scales.empty()) Fail("neither scales nor sizes given");
  std::vector<int64_t> out_size(static_cast<size_t>(rank));
  std::vector<double> axis_scale(static_cast<size_t>(rank));
  for (int64_t a = 0; a < rank; ++a) {
    const int64_t n = x.size(a);
    if (!sizes.empty()) {
      out_size[size_t(a)] = sizes[size_t(a)];
      axis_scale[size_t(a)] = n > 0 ? double(sizes[size_t(a)]) / double(n) : 1.0;
    } else {
      if (!(scales[size_t(a)] > 0)) Fail("scales must be positive");
      out_size[size_t(a)] = int64_t(std::floor(double(n) * scales[size_t(a)] + 1e-9));
      axis_scale[size_t(a)] = scales[size_t(a)];
    }
  }
  std::vector<int64_t> resized;
  for (int64_t a = 0; a < rank; ++a) {
    if (out_size[size_t(a)] != x.size(a) || axis_scale[size_t(a)] != 1.0) resized.push_back(a);
  }
  if (resized.empty()) return x;
  const bool spatial_2d = rank == 4 && resized.front() >= 2 && x.is_floating_point();
  if (spatial_2d) {
    auto options = F::InterpolateFuncOptions().size(std::vector<int64_t>{out_size[2], out_size[3]});
    // With scales given, LibTorch uses them (not out/in) in its coordinates, as ONNX does.
    auto with_scales = [&](F::InterpolateFuncOptions o) {
      if (sizes.empty()) {
        o = F::InterpolateFuncOptions().scale_factor(std::vector<double>{axis_scale[2], axis_scale[3]}).recompute_scale_factor(false);
      }
      return o;
    };
    const bool half_pixel = transform == "half_pixel" || (transform == "pytorch_half_pixel" && out_size[2] > 1 && out_size[3] > 1);
    if (mode == "linear" && transform == "align_corners") {
      return F::interpolate(x, options.mode(torch::kBilinear).align_corners(true));
    }
    if (mode == "linear" && half_pixel) {
      return F::interpolate(x, with_scales(options).mode(torch::kBilinear).align_corners(false));
    }
    if (mode == "cubic" && cubic_a == -0.75 && !exclude_outside && (transform == "align_corners" || half_pixel)) {
      return F::interpolate(x, with_scales(options).mode(torch::kBicubic).align_corners(transform == "align_corners"));
    }
    if (mode == "nearest" && transform == "asymmetric" && nearest_mode == "floor") {
      return F::interpolate(x, with_scales(options).mode(torch::kNearest));
    }
  }
  Tensor y = x.is_floating_point() ? x : x.to(torch::kFloat);
  for (int64_t a : resized) {
    y = ResizeSeparable(y, a, ResizeAxis(x.size(a), out_size[size_t(a)], axis_scale[size_t(a)], mode, transform,
                                         nearest_mode, cubic_a, exclude_outside));
  }
  return x.is_floating_point() ? y : y.round().to(x.scalar_type());
}

Tensor Slice(const OnnxNode& node, const std::vector<Tensor>& in, int64_t opset) {
  Tensor x = in[0];
  std::vector<int64_t> starts, ends, axes, steps;
  if (opset < 10) {
    starts = node.Ints("starts");
    ends = node.Ints("ends");
    axes = node.Ints("axes");
  } else {
    if (in.size() < 3) Fail("missing starts or ends");
    starts = Ints(in[1]);
    ends = Ints(in[2]);
    if (in.size() > 3 && in[3].defined()) axes = Ints(in[3]);
    if (in.size() > 4 && in[4].defined()) steps = Ints(in[4]);
  }
  if (axes.empty()) {
    axes.resize(starts.size());
    std::iota(axes.begin(), axes.end(), 0);
  }
  if (steps.empty()) steps.assign(starts.size(), 1);
  if (ends.size() != starts.size() || axes.size() != starts.size() || steps.size() != starts.size()) {
    Fail("starts, ends, axes and steps differ in length");
  }
  for (size_t i = 0; i < starts.size(); ++i) {
    const int64_t axis = NormaliseAxis(axes[i], x.dim()), n = x.size(axis), step = steps[i];
    if (step == 0) Fail("a step of 0");
    int64_t start = starts[i], end = ends[i];
    if (start < 0) start += n;
    if (end < 0) end += n;
    if (step > 0) {
      start = std::clamp<int64_t>(start, 0, n);
      end = std::clamp<int64_t>(end, 0, n);
      x = x.slice(axis, start, std::max(start, end), step);
    } else {
      start = std::clamp<int64_t>(start, -1, n - 1);
      end = std::clamp<int64_t>(end, -1, n - 1);
      std::vector<int64_t> picked;
      for (int64_t k = start; k > end; k += step) picked.push_back(k);
      x = x.index_select(axis, torch::tensor(picked, torch::kLong));
    }
  }
  return x;
}

Tensor Pad(const OnnxNode& node, const std::vector<Tensor>& in, int64_t opset) {
  const Tensor& x = in[0];
  std::vector<int64_t> pads;
  double value = 0;
  if (opset < 11) {
    pads = node.Ints("pads");
    value = node.Float("value", 0.f);
  } else {
    if (in.size() < 2 || !in[1].defined()) Fail("missing pads");
    pads = Ints(in[1]);
    if (in.size() > 2 && in[2].defined() && in[2].numel() > 0) value = in[2].item<double>();
  }
  const int64_t rank = x.dim();
  if (int64_t(pads.size()) != 2 * rank) Fail("pads has " + std::to_string(pads.size()) + " values for rank " + std::to_string(rank));
  const std::string mode = node.String("mode", "constant");
  std::vector<int64_t> order;  // last axis first, trailing all-zero axes dropped below
  int64_t first_padded = rank;
  for (int64_t a = 0; a < rank; ++a) {
    if (pads[size_t(a)] != 0 || pads[size_t(rank + a)] != 0) { first_padded = a; break; }
  }
  for (int64_t a = rank - 1; a >= std::min(first_padded, rank - 1); --a) {
    order.push_back(pads[size_t(a)]);
    order.push_back(pads[size_t(rank + a)]);
  }
  if (mode == "constant") return F::pad(x, F::PadFuncOptions(order).value(value));
  torch::enumtype::kReflect reflect;
  torch::enumtype::kReplicate replicate;
  // LibTorch reflects and replicates the last one to three axes of a batch.
  const int64_t padded_axes = int64_t(order.size() / 2);
  if (padded_axes > 3 || padded_axes > rank - 1) Fail(mode + " padding of these axes is not supported");
  Tensor v = x;
  while (v.dim() < padded_axes + 2) v = v.unsqueeze(0);
  Tensor y;
  if (mode == "reflect") y = F::pad(v, F::PadFuncOptions(order).mode(reflect));
  else if (mode == "edge") y = F::pad(v, F::PadFuncOptions(order).mode(replicate));
  else Fail("pad mode " + mode + " is not supported");
  while (y.dim() > rank) y = y.squeeze(0);
  return y;
}

std::vector<int64_t> BroadcastShape(std::vector<int64_t> a, std::vector<int64_t> b) {
  if (a.size() < b.size()) std::swap(a, b);
  std::vector<int64_t> out = a;
  const size_t offset = a.size() - b.size();
  for (size_t i = 0; i < b.size(); ++i) {
    int64_t& o = out[offset + i];
    if (o == 1) o = b[i];
    else if (b[i] != 1 && b[i] != o) Fail("shapes do not broadcast");
  }
  return out;
}

Tensor Reduce(const OnnxNode& node, const std::vector<Tensor>& in, int64_t opset) {
  const Tensor& x = in[0];
  std::vector<int64_t> axes = node.Ints("axes");
  const bool axes_as_input = node.op_type == "ReduceSum" && opset >= 13;
  if (axes_as_input && in.size() > 1 && in[1].defined()) axes = Ints(in[1]);
  const bool keep = node.Int("keepdims", 1) != 0;
  if (axes.empty()) {
    if (node.Int("noop_with_empty_axes", 0) != 0) return x;
    axes.resize(size_t(x.dim()));
    std::iota(axes.begin(), axes.end(), 0);
  }
  for (int64_t& a : axes) a = NormaliseAxis(a, x.dim());
  if (node.op_type == "ReduceMean") return x.mean(axes, keep);
  if (node.op_type == "ReduceSum") return x.sum(axes, keep);
  if (node.op_type == "ReduceMax") return x.amax(axes, keep);
  return x.amin(axes, keep);
}

Tensor Gather(const OnnxNode& node, const Tensor& data, const Tensor& indices) {
  const int64_t axis = NormaliseAxis(node.Int("axis", 0), data.dim());
  Tensor idx = indices.to(torch::kLong);
  idx = torch::where(idx < 0, idx + data.size(axis), idx);
  std::vector<int64_t> shape(data.sizes().begin(), data.sizes().begin() + axis);
  for (int64_t d : idx.sizes()) shape.push_back(d);
  shape.insert(shape.end(), data.sizes().begin() + axis + 1, data.sizes().end());
  return data.index_select(axis, idx.reshape({-1})).reshape(shape);
}

Tensor Constant(const OnnxNode& node) {
  if (node.Has("value")) return FromOnnx(node.Tensor("value"));
  if (node.Has("value_float")) return torch::tensor(node.Float("value_float", 0), torch::kFloat).reshape({});
  if (node.Has("value_floats")) return torch::tensor(node.Floats("value_floats"), torch::kFloat);
  if (node.Has("value_int")) return torch::tensor(node.Int("value_int", 0), torch::kLong).reshape({});
  if (node.Has("value_ints")) return torch::tensor(node.Ints("value_ints"), torch::kLong);
  Fail("a Constant without a value this importer reads");
}

Tensor Softmax(const OnnxNode& node, const Tensor& x, int64_t opset) {
  const int64_t axis = NormaliseAxis(node.Int("axis", opset < 13 ? 1 : -1), x.dim());
  if (opset >= 13 || axis == x.dim() - 1) return torch::softmax(x, axis);
  // Before opset 13: over everything from 'axis' on, as one flattened axis.
  return torch::softmax(x.flatten(axis), axis).reshape(x.sizes());
}

std::vector<Tensor> Evaluate(const OnnxNode& node, const std::vector<Tensor>& in, int64_t opset) {
  const std::string& op = node.op_type;
  auto input = [&](size_t i) -> const Tensor& {
    if (i >= in.size() || !in[i].defined()) Fail("input " + std::to_string(i) + " is missing");
    return in[i];
  };
  auto optional = [&](size_t i) { return i < in.size() ? in[i] : Tensor(); };
  auto one = [](Tensor t) { return std::vector<Tensor>{std::move(t)}; };

  if (op == "Conv") return one(Conv(node, input(0), input(1), optional(2)));
  if (op == "ConvTranspose") return one(ConvTranspose(node, input(0), input(1), optional(2)));
  if (op == "BatchNormalization") {
    return one(torch::batch_norm(input(0), input(1), input(2), input(3), input(4), false, 0.0, node.Float("epsilon", 1e-5f), false));
  }
  if (op == "InstanceNormalization") {
    return one(torch::instance_norm(input(0), input(1), input(2), {}, {}, true, 0.0, node.Float("epsilon", 1e-5f), false));
  }
  if (op == "LayerNormalization") {
    const Tensor& x = input(0);
    const int64_t axis = NormaliseAxis(node.Int("axis", -1), x.dim());
    std::vector<int64_t> normalized(x.sizes().begin() + axis, x.sizes().end());
    Tensor scale = input(1), bias = optional(2);
    const double eps = node.Float("epsilon", 1e-5f);
    if (scale.sizes().vec() == normalized && (!bias.defined() || bias.sizes().vec() == normalized)) {
      return one(torch::layer_norm(x, normalized, scale, bias, eps));
    }
    Tensor y = torch::layer_norm(x, normalized, {}, {}, eps) * scale;
    return one(bias.defined() ? y + bias : y);
  }
  if (op == "Relu") return one(torch::relu(input(0)));
  if (op == "Sigmoid") return one(torch::sigmoid(input(0)));
  if (op == "Tanh") return one(torch::tanh(input(0)));
  if (op == "Exp") return one(torch::exp(input(0)));
  if (op == "Log") return one(torch::log(input(0)));
  if (op == "Abs") return one(torch::abs(input(0)));
  if (op == "Neg") return one(torch::neg(input(0)));
  if (op == "Sqrt") return one(torch::sqrt(input(0)));
  if (op == "Erf") return one(torch::erf(input(0)));
  if (op == "Reciprocal") return one(torch::reciprocal(input(0)));
  if (op == "Floor") return one(torch::floor(input(0)));
  if (op == "Ceil") return one(torch::ceil(input(0)));
  if (op == "Sign") return one(torch::sign(input(0)));
  if (op == "Not") return one(torch::logical_not(input(0)));
  if (op == "Softplus") return one(F::softplus(input(0)));
  if (op == "Identity" || op == "Dropout") return one(input(0));
  if (op == "LeakyRelu") return one(F::leaky_relu(input(0), F::LeakyReLUFuncOptions().negative_slope(node.Float("alpha", 0.01f))));
  if (op == "Elu") return one(F::elu(input(0), F::ELUFuncOptions().alpha(node.Float("alpha", 1.f))));
  if (op == "PRelu") return one(input(0).clamp_min(0) + input(1) * input(0).clamp_max(0));
  if (op == "HardSigmoid") {
    return one((input(0) * node.Float("alpha", 0.2f) + node.Float("beta", 0.5f)).clamp(0, 1));
  }
  if (op == "HardSwish") return one(torch::hardswish(input(0)));
  if (op == "Clip") {
    c10::optional<c10::Scalar> low, high;
    if (opset < 11) {
      low = node.Float("min", -std::numeric_limits<float>::infinity());
      high = node.Float("max", std::numeric_limits<float>::infinity());
    } else {
      if (optional(1).defined() && optional(1).numel() > 0) low = optional(1).item();
      if (optional(2).defined() && optional(2).numel() > 0) high = optional(2).item();
    }
    if (!low && !high) return one(input(0));
    return one(torch::clamp(input(0), low, high));
  }
  if (op == "Add") return one(input(0) + input(1));
  if (op == "Sub") return one(input(0) - input(1));
  if (op == "Mul") return one(input(0) * input(1));
  if (op == "Div") {
    if (IsIntegral(input(0)) && IsIntegral(input(1))) return one(torch::div(input(0), input(1), "trunc"));
    return one(input(0) / input(1));
  }
  if (op == "Pow") return one(torch::pow(input(0), input(1)).to(input(0).scalar_type()));
  if (op == "Equal") return one(torch::eq(input(0), input(1)));
  if (op == "Less") return one(torch::lt(input(0), input(1)));
  if (op == "Greater") return one(torch::gt(input(0), input(1)));
  if (op == "And") return one(torch::logical_and(input(0), input(1)));
  if (op == "Or") return one(torch::logical_or(input(0), input(1)));
  if (op == "Where") return one(torch::where(input(0).to(torch::kBool), input(1), input(2)));
  if (op == "Min" || op == "Max" || op == "Sum" || op == "Mean") {
    Tensor y = input(0);
    for (size_t i = 1; i < in.size(); ++i) {
      const Tensor& v = input(i);
      y = op == "Min" ? torch::minimum(y, v) : op == "Max" ? torch::maximum(y, v) : y + v;
    }
    return one(op == "Mean" ? y / double(in.size()) : y);
  }
  if (op == "MatMul") return one(torch::matmul(input(0), input(1)));
  if (op == "Gemm") {
    Tensor a = node.Int("transA", 0) ? input(0).t() : input(0);
    Tensor b = node.Int("transB", 0) ? input(1).t() : input(1);
    Tensor y = torch::matmul(a, b) * node.Float("alpha", 1.f);
    if (optional(2).defined()) y = y + optional(2) * node.Float("beta", 1.f);
    return one(y);
  }
  if (op == "Softmax") return one(Softmax(node, input(0), opset));
  if (op == "ReduceMean" || op == "ReduceSum" || op == "ReduceMax" || op == "ReduceMin") return one(Reduce(node, in, opset));
  if (op == "Transpose") {
    const Tensor& x = input(0);
    std::vector<int64_t> perm = node.Ints("perm");
    if (perm.empty()) for (int64_t a = x.dim() - 1; a >= 0; --a) perm.push_back(a);
    return one(x.permute(perm));
  }
  if (op == "Reshape") {
    const Tensor& x = input(0);
    std::vector<int64_t> shape = Ints(input(1));
    const bool allow_zero = node.Int("allowzero", 0) != 0;
    for (size_t i = 0; i < shape.size(); ++i) {
      if (shape[i] == 0 && !allow_zero) {
        if (int64_t(i) >= x.dim()) Fail("a 0 in the shape has no input dimension to copy");
        shape[i] = x.size(int64_t(i));
      }
    }
    return one(x.reshape(shape));
  }
  if (op == "Flatten") {
    const Tensor& x = input(0);
    const int64_t axis = node.Int("axis", 1) < 0 ? node.Int("axis", 1) + x.dim() : node.Int("axis", 1);
    int64_t outer = 1;
    for (int64_t a = 0; a < axis; ++a) outer *= x.size(a);
    return one(x.reshape({outer, outer == 0 ? 0 : x.numel() / outer}));
  }
  if (op == "Concat") {
    std::vector<Tensor> parts;
    for (size_t i = 0; i < in.size(); ++i) parts.push_back(input(i));
    return one(torch::cat(parts, NormaliseAxis(node.Int("axis", 0), parts[0].dim())));
  }
  if (op == "Slice") return one(Slice(node, in, opset));
  if (op == "Split") {
    const Tensor& x = input(0);
    const int64_t axis = NormaliseAxis(node.Int("axis", 0), x.dim());
    std::vector<int64_t> split = opset < 13 ? node.Ints("split") : (optional(1).defined() ? Ints(optional(1)) : std::vector<int64_t>{});
    const int64_t parts = int64_t(node.outputs.size());
    if (split.empty()) {
      if (x.size(axis) % parts != 0) Fail("the axis does not divide into " + std::to_string(parts) + " equal parts");
      split.assign(size_t(parts), x.size(axis) / parts);
    }
    if (int64_t(split.size()) != parts) Fail("split sizes do not match the outputs");
    return x.split_with_sizes(split, axis);
  }
  if (op == "Gather") return one(Gather(node, input(0), input(1)));
  if (op == "Squeeze" || op == "Unsqueeze") {
    Tensor x = input(0);
    std::vector<int64_t> axes = opset < 13 ? node.Ints("axes") : (optional(1).defined() ? Ints(optional(1)) : std::vector<int64_t>{});
    if (op == "Squeeze") {
      if (axes.empty()) return one(x.squeeze());
      for (int64_t& a : axes) a = NormaliseAxis(a, x.dim());
      std::sort(axes.rbegin(), axes.rend());
      for (int64_t a : axes) {
        if (x.size(a) != 1) Fail("squeezing axis " + std::to_string(a) + " of size " + std::to_string(x.size(a)));
        x = x.squeeze(a);
      }
      return one(x);
    }
    const int64_t rank = x.dim() + int64_t(axes.size());
    for (int64_t& a : axes) a = NormaliseAxis(a, rank);
    std::sort(axes.begin(), axes.end());
    for (int64_t a : axes) x = x.unsqueeze(a);
    return one(x);
  }
  if (op == "Shape") {
    const Tensor& x = input(0);
    int64_t start = node.Int("start", 0), end = node.Int("end", x.dim());
    if (start < 0) start += x.dim();
    if (end < 0) end += x.dim();
    start = std::clamp<int64_t>(start, 0, x.dim());
    end = std::clamp<int64_t>(end, start, x.dim());
    return one(torch::tensor(std::vector<int64_t>(x.sizes().begin() + start, x.sizes().begin() + end), torch::kLong));
  }
  if (op == "Constant") return one(Constant(node));
  if (op == "ConstantOfShape") {
    Tensor value = node.Has("value") ? FromOnnx(node.Tensor("value")).reshape({-1}) : torch::zeros({1}, torch::kFloat);
    return one(value.expand(Ints(input(0))).contiguous().clone());
  }
  if (op == "Expand") {
    const Tensor& x = input(0);
    return one(x.expand(BroadcastShape(x.sizes().vec(), Ints(input(1)))));
  }
  if (op == "Tile") return one(input(0).repeat(Ints(input(1))));
  if (op == "Cast") return one(input(0).to(DtypeOf(node.Int("to", 1))));
  if (op == "Range") {
    const Tensor& start = input(0);
    if (start.is_floating_point()) {
      return one(torch::arange(start.item<double>(), input(1).item<double>(), input(2).item<double>(), torch::kFloat));
    }
    return one(torch::arange(start.item<int64_t>(), input(1).item<int64_t>(), input(2).item<int64_t>(), torch::kLong));
  }
  if (op == "Resize" || op == "Upsample") return one(Resize(node, in, opset));
  if (op == "Pad") return one(Pad(node, in, opset));
  if (op == "MaxPool") {
    if (node.outputs.size() > 1 && !node.outputs[1].empty()) Fail("MaxPool's indices output is not supported");
    return one(Pool(node, input(0), true));
  }
  if (op == "AveragePool") return one(Pool(node, input(0), false));
  if (op == "GlobalAveragePool" || op == "GlobalMaxPool") {
    const Tensor& x = input(0);
    std::vector<int64_t> axes;
    for (int64_t a = 2; a < x.dim(); ++a) axes.push_back(a);
    return one(op == "GlobalAveragePool" ? x.mean(axes, true) : x.amax(axes, true));
  }
  Fail("operator " + op + " is not supported");
}

}  // namespace

struct OnnxTorchNetwork::Impl {
  struct Step {
    const OnnxNode* node = nullptr;
    std::vector<int> inputs;   // value slots; -1 = absent
    std::vector<int> outputs;
    std::vector<int> release;  // slots whose last reader this step is
  };
  OnnxModel model;
  int64_t opset = 0;
  std::vector<Tensor> constants;  // per slot; defined for constant values
  std::vector<Step> steps;
  int input_slot = -1, output_slot = -1;
  size_t slot_count = 0;

  std::string NodeMessage(const OnnxNode& node, const std::string& why) const {
    return model.name + ": " + node.Describe() + ": " + why;
  }
};

OnnxTorchNetwork::OnnxTorchNetwork(const OnnxModel& model) : impl_(std::make_unique<Impl>()) {
  Impl& net = *impl_;
  net.model = model;
  net.opset = model.opset;
  torch::NoGradGuard no_grad;
  std::map<std::string, int> slot_of;
  auto slot = [&](const std::string& name) {
    auto [it, inserted] = slot_of.emplace(name, int(slot_of.size()));
    if (inserted) net.constants.emplace_back();
    return it->second;
  };
  for (const OnnxTensor& t : net.model.initializers) net.constants[size_t(slot(t.name))] = FromOnnx(t);
  net.input_slot = slot(net.model.inputs[0].name);
  for (const OnnxNode& node : net.model.nodes) {
    Impl::Step step;
    step.node = &node;
    bool all_constant = true;
    for (const std::string& name : node.inputs) {
      if (name.empty()) {
        step.inputs.push_back(-1);
        continue;
      }
      auto it = slot_of.find(name);
      if (it == slot_of.end()) throw FileError(model.name, node.Describe() + ": input '" + name + "' is not produced before it");
      step.inputs.push_back(it->second);
      all_constant = all_constant && net.constants[size_t(it->second)].defined();
    }
    for (const std::string& name : node.outputs) step.outputs.push_back(name.empty() ? -1 : slot(name));
    if (all_constant) {
      // Constant folding: computed once here, never per call.
      std::vector<Tensor> in;
      for (int s : step.inputs) in.push_back(s >= 0 ? net.constants[size_t(s)] : Tensor());
      std::vector<Tensor> out;
      try {
        out = Evaluate(node, in, net.opset);
      } catch (const NodeError& e) {
        throw FileError(model.name, node.Describe() + ": " + e.what());
      } catch (const c10::Error& e) {
        throw FileError(model.name, node.Describe() + ": " + e.what_without_backtrace());
      }
      for (size_t i = 0; i < step.outputs.size() && i < out.size(); ++i) {
        if (step.outputs[i] >= 0) net.constants[size_t(step.outputs[i])] = out[i];
      }
      continue;
    }
    net.steps.push_back(std::move(step));
  }
  auto out = slot_of.find(net.model.outputs[0].name);
  if (out == slot_of.end()) throw FileError(model.name, "no node writes the output '" + net.model.outputs[0].name + "'");
  net.output_slot = out->second;
  net.slot_count = slot_of.size();
  // Free each activation after its last reader.
  std::vector<int> last_reader(net.slot_count, -1);
  for (size_t s = 0; s < net.steps.size(); ++s) {
    for (int v : net.steps[s].inputs) if (v >= 0) last_reader[size_t(v)] = int(s);
  }
  for (size_t v = 0; v < net.slot_count; ++v) {
    if (last_reader[v] >= 0 && !net.constants[v].defined() && int(v) != net.output_slot) {
      net.steps[size_t(last_reader[v])].release.push_back(int(v));
    }
  }
}

OnnxTorchNetwork::~OnnxTorchNetwork() = default;

size_t OnnxTorchNetwork::RuntimeNodeCount() const { return impl_->steps.size(); }

namespace {

// Seconds per operator type, when DEPTHFORGE_ONNX_PROFILE is set (printed at exit).
using OperatorSeconds = std::map<std::string, double>;
OperatorSeconds* OperatorProfile() {
  static OperatorSeconds* profile = [] () -> OperatorSeconds* {
    if (std::getenv("DEPTHFORGE_ONNX_PROFILE") == nullptr) return nullptr;
    static OperatorSeconds seconds;
    std::atexit([] {
      for (const auto& [op, t] : seconds) std::fprintf(stderr, "onnx profile: %-20s %8.1f ms\n", op.c_str(), 1e3 * t);
    });
    return &seconds;
  }();
  return profile;
}

Tensor RunGraph(const OnnxTorchNetwork::Impl& net, Tensor input) {
  OperatorSeconds* profile = OperatorProfile();
  std::vector<Tensor> values(net.slot_count);
  values[size_t(net.input_slot)] = std::move(input);
  for (const auto& step : net.steps) {
    std::vector<Tensor> in;
    in.reserve(step.inputs.size());
    for (int s : step.inputs) {
      if (s < 0) {
        in.emplace_back();
      } else {
        const Tensor& c = net.constants[size_t(s)];
        in.push_back(c.defined() ? c : values[size_t(s)]);
      }
    }
    std::vector<Tensor> out;
    const auto start = profile ? std::chrono::steady_clock::now() : std::chrono::steady_clock::time_point();
    try {
      out = Evaluate(*step.node, in, net.opset);
      if (profile) (*profile)[step.node->op_type] += std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    } catch (const NodeError& e) {
      throw Error(net.NodeMessage(*step.node, e.what()));
    } catch (const c10::Error& e) {
      throw Error(net.NodeMessage(*step.node, e.what_without_backtrace()));
    }
    for (size_t i = 0; i < step.outputs.size() && i < out.size(); ++i) {
      if (step.outputs[i] >= 0) values[size_t(step.outputs[i])] = std::move(out[i]);
    }
    for (int s : step.release) values[size_t(s)] = Tensor();
  }
  Tensor out = net.constants[size_t(net.output_slot)].defined() ? net.constants[size_t(net.output_slot)] : values[size_t(net.output_slot)];
  if (!out.defined()) throw Error(net.model.name + ": the output was not computed");
  return out;
}

}  // namespace

FloatTensor OnnxTorchNetwork::Run(const FloatTensor& input) const {
  torch::InferenceMode guard;
  Tensor x = torch::from_blob(const_cast<float*>(input.values.data()), input.shape, torch::kFloat).clone();
  Tensor y = RunGraph(*impl_, x).to(torch::kFloat).contiguous();
  FloatTensor out;
  out.shape = y.sizes().vec();
  out.values.assign(y.data_ptr<float>(), y.data_ptr<float>() + y.numel());
  return out;
}

std::vector<cv::Mat> OnnxTorchNetwork::Forward(const std::vector<cv::Mat>& images) const {
  if (images.empty()) return {};
  UseConfiguredTorchThreads();
  torch::InferenceMode guard;
  Tensor out = RunGraph(*impl_, ImagesToBatch(images, 0, impl_->model.name));
  if (out.dim() == 4 && out.size(1) == 1) out = out.select(1, 0);
  if (out.dim() != 3 || out.size(0) != int64_t(images.size())) {
    throw Error(impl_->model.name + ": expected an output of N×1×H×W or N×H×W, got " + c10::str(out.sizes()));
  }
  return BatchToMaps(out);
}

}  // namespace depthforge

// The entry point CreateOnnxNetwork (network.h) finds in this library.
extern "C" depthforge::Network* depthforge_torch_create_onnx_network(const depthforge::OnnxModel* model, int threads) {
  depthforge::ConfigureTorchThreads(threads);
  return new depthforge::OnnxTorchNetwork(*model);
}
