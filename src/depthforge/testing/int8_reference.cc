#include "depthforge/testing/int8_reference.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <random>
#include <set>

namespace depthforge::testing {

// ---------------------------------------------------------------------------
// A reference int8 interpreter written from TFLite's definition of its
// quantised operators, in double precision: each output is the real result
// rounded (half away from zero) to the output's scale, plus its zero point,
// clamped to the fused activation. It shares nothing with the backend.

namespace {

int RefRound(double value) { return int(std::lround(value)); }

std::pair<int, int> RefClamp(const TfliteModel& m, int tensor, TfliteActivation act) {
  const TfliteTensor& t = m.tensors[size_t(tensor)];
  double s = t.scales[0];
  int z = int(t.zero_points[0]);
  int low = t.type == TfliteType::kUint8 ? 0 : -128, high = t.type == TfliteType::kUint8 ? 255 : 127;
  if (act == TfliteActivation::kRelu || act == TfliteActivation::kRelu6) low = std::max(low, z);
  if (act == TfliteActivation::kRelu6) high = std::min(high, z + RefRound(6.0 / s));
  return {low, high};
}

RefTensor RefConvolution(const TfliteModel& m, const TfliteOperator& op, const RefTensor& in) {
  bool depthwise = op.builtin == TfliteBuiltin::kDepthwiseConv2d;
  const TfliteTensor& it = m.tensors[size_t(op.inputs[0])];
  const TfliteTensor& wt = m.tensors[size_t(op.inputs[1])];
  const TfliteTensor& ot = m.tensors[size_t(op.outputs[0])];
  const std::string& raw = m.buffers[size_t(wt.buffer)];
  auto weight = [&](size_t i) { return int(int8_t(raw[i])); };
  std::vector<int32_t> bias = op.inputs.size() > 2 && op.inputs[2] >= 0 ? m.Int32Data(op.inputs[2]) : std::vector<int32_t>();
  int kh = wt.shape[1], kw = wt.shape[2];
  int out_c = depthwise ? wt.shape[3] : wt.shape[0];
  int pad_top = 0, pad_left = 0;
  RefTensor out;
  if (op.padding_same) {
    out.h = (in.h + op.stride_h - 1) / op.stride_h;
    out.w = (in.w + op.stride_w - 1) / op.stride_w;
    pad_top = std::max((out.h - 1) * op.stride_h + (kh - 1) * op.dilation_h + 1 - in.h, 0) / 2;
    pad_left = std::max((out.w - 1) * op.stride_w + (kw - 1) * op.dilation_w + 1 - in.w, 0) / 2;
  } else {
    out.h = (in.h - (kh - 1) * op.dilation_h - 1) / op.stride_h + 1;
    out.w = (in.w - (kw - 1) * op.dilation_w - 1) / op.stride_w + 1;
  }
  out.c = out_c;
  out.q.assign(size_t(out.h) * out.w * out.c, 0);
  int zin = int(it.zero_points[0]);
  auto [low, high] = RefClamp(m, op.outputs[0], op.activation);
  for (int y = 0; y < out.h; ++y) {
    for (int x = 0; x < out.w; ++x) {
      for (int o = 0; o < out_c; ++o) {
        int64_t acc = bias.empty() ? 0 : bias[size_t(o)];
        for (int dy = 0; dy < kh; ++dy) {
          for (int dx = 0; dx < kw; ++dx) {
            int sy = y * op.stride_h - pad_top + dy * op.dilation_h, sx = x * op.stride_w - pad_left + dx * op.dilation_w;
            if (sy < 0 || sx < 0 || sy >= in.h || sx >= in.w) continue;  // padding holds the zero point
            if (depthwise) {
              int k = o / op.depth_multiplier;
              acc += int64_t(in.at(sy, sx, k) - zin) * weight((size_t(dy) * kw + dx) * out_c + o);
            } else {
              for (int k = 0; k < in.c; ++k) {
                acc += int64_t(in.at(sy, sx, k) - zin) * weight(((size_t(o) * kh + dy) * kw + dx) * in.c + k);
              }
            }
          }
        }
        double w_scale = wt.scales.size() == 1 ? wt.scales[0] : wt.scales[size_t(o)];
        double real_multiplier = double(it.scales[0]) * w_scale / ot.scales[0];
        out.at(y, x, o) = std::clamp(RefRound(double(acc) * real_multiplier) + int(ot.zero_points[0]), low, high);
      }
    }
  }
  return out;
}

}  // namespace

RefTensor RunReference(const TfliteModel& m, const RefTensor& input) {
  std::vector<RefTensor> values(m.tensors.size());
  values[size_t(m.inputs[0])] = input;
  for (const TfliteOperator& op : m.operators) {
    const RefTensor& in = values[size_t(op.inputs[0])];
    const TfliteTensor& it = m.tensors[size_t(op.inputs[0])];
    const TfliteTensor& ot = m.tensors[size_t(op.outputs[0])];
    RefTensor out;
    switch (op.builtin) {
      case TfliteBuiltin::kQuantize: {
        out = in;
        auto [low, high] = RefClamp(m, op.outputs[0], TfliteActivation::kNone);
        for (int& v : out.q) {
          double real = double(it.scales[0]) * (v - it.zero_points[0]);
          v = std::clamp(RefRound(real / ot.scales[0]) + int(ot.zero_points[0]), low, high);
        }
        break;
      }
      case TfliteBuiltin::kPad: {
        std::vector<int32_t> p = m.Int32Data(op.inputs[1]);
        out.h = in.h + p[2] + p[3], out.w = in.w + p[4] + p[5], out.c = in.c + p[6] + p[7];
        out.q.assign(size_t(out.h) * out.w * out.c, int(ot.zero_points[0]));
        for (int y = 0; y < in.h; ++y)
          for (int x = 0; x < in.w; ++x)
            for (int k = 0; k < in.c; ++k) out.at(y + p[2], x + p[4], k + p[6]) = in.at(y, x, k);
        break;
      }
      case TfliteBuiltin::kResizeNearestNeighbor: {
        // The graph's own ratio of output to input size (FastDepth doubles).
        int fh = ot.shape[1] / it.shape[1], fw = ot.shape[2] / it.shape[2];
        out.h = in.h * fh, out.w = in.w * fw, out.c = in.c;
        out.q.resize(size_t(out.h) * out.w * out.c);
        for (int y = 0; y < out.h; ++y)
          for (int x = 0; x < out.w; ++x)
            for (int k = 0; k < in.c; ++k) out.at(y, x, k) = in.at(y / fh, x / fw, k);
        break;
      }
      case TfliteBuiltin::kAdd: {
        const RefTensor& b = values[size_t(op.inputs[1])];
        const TfliteTensor& bt = m.tensors[size_t(op.inputs[1])];
        out = in;
        auto [low, high] = RefClamp(m, op.outputs[0], op.activation);
        for (size_t i = 0; i < out.q.size(); ++i) {
          double real = double(it.scales[0]) * (in.q[i] - it.zero_points[0]) + double(bt.scales[0]) * (b.q[i] - bt.zero_points[0]);
          out.q[i] = std::clamp(RefRound(real / ot.scales[0]) + int(ot.zero_points[0]), low, high);
        }
        break;
      }
      case TfliteBuiltin::kConv2d:
      case TfliteBuiltin::kDepthwiseConv2d:
        out = RefConvolution(m, op, in);
        break;
      default:
        ADD_FAILURE() << "reference lacks " << BuiltinOperatorName(int32_t(op.builtin));
    }
    values[size_t(op.outputs[0])] = std::move(out);
  }
  return values[size_t(m.outputs[0])];
}

namespace {

// The backend's output (real values) back to the output tensor's levels.
std::vector<int> Levels(const TfliteModel& m, const cv::Mat1f& real) {
  const TfliteTensor& t = m.tensors[size_t(m.outputs[0])];
  std::vector<int> levels;
  for (float v : std::vector<float>(real.begin(), real.end())) levels.push_back(RefRound(v / t.scales[0]) + int(t.zero_points[0]));
  return levels;
}

// A random input image and the same image as the input tensor's levels.
std::pair<cv::Mat, RefTensor> RandomInput(const TfliteModel& m, int h, int w, unsigned seed) {
  const TfliteTensor& t = m.tensors[size_t(m.inputs[0])];
  int channels = t.shape[3];
  std::mt19937 rng(seed);
  int low = t.type == TfliteType::kUint8 ? 0 : -128, high = t.type == TfliteType::kUint8 ? 255 : 127;
  std::uniform_int_distribution<int> level(low, high);
  RefTensor ref{h, w, channels, {}};
  cv::Mat image(h, w, CV_32FC(channels));
  for (int y = 0; y < h; ++y) {
    float* row = image.ptr<float>(y);
    for (int x = 0; x < w; ++x) {
      for (int k = 0; k < channels; ++k) {
        int q = level(rng);
        ref.q.push_back(q);
        row[x * channels + k] = float(t.scales[0] * (q - t.zero_points[0]));
      }
    }
  }
  return {image, ref};
}

}  // namespace

// A convolution (or depthwise one) with random per-channel weights and
// bias, fed by a PAD (folded into the convolution), then a 2× nearest resize.
TfliteModel ConvolutionModel(bool depthwise, int kernel, int stride, TfliteActivation activation, unsigned seed,
                             int zero_point) {
  std::mt19937 rng(seed);
  std::uniform_int_distribution<int> w8(-127, 127);
  std::uniform_int_distribution<int32_t> b32(-3000, 3000);
  std::uniform_real_distribution<float> scale(0.002f, 0.02f);
  ModelBuilder b;
  int in_c = depthwise ? 8 : 5, out_c = 8;
  int input = b.Activation({1, 32, 32, in_c}, 0.02f, zero_point);
  int pad_amount = kernel / 2;
  std::vector<int32_t> pads = {0, 0, pad_amount, pad_amount, pad_amount, pad_amount, 0, 0};
  int paddings = b.Constant({4, 2}, pads, TfliteType::kInt32);
  int padded = b.Activation({1, 32 + 2 * pad_amount, 32 + 2 * pad_amount, in_c}, 0.02f, zero_point);
  std::vector<int8_t> weights;
  std::vector<float> scales;
  int count = depthwise ? kernel * kernel * out_c : out_c * kernel * kernel * in_c;
  for (int i = 0; i < count; ++i) weights.push_back(int8_t(w8(rng)));
  for (int c = 0; c < out_c; ++c) scales.push_back(scale(rng));
  std::vector<int> wshape = depthwise ? std::vector<int>{1, kernel, kernel, out_c} : std::vector<int>{out_c, kernel, kernel, in_c};
  int w = b.Constant(wshape, weights, TfliteType::kInt8, scales, depthwise ? 3 : 0);
  std::vector<int32_t> bias;
  for (int c = 0; c < out_c; ++c) bias.push_back(b32(rng));
  int bias_t = b.Constant({out_c}, bias, TfliteType::kInt32);
  int out_size = 32 / stride;
  // Output scale for sums of 'taps' products of uniform levels (standard
  // deviation about 74 × 73 × sqrt(taps)) to spread over ±40 levels, so the
  // comparison sees real values rather than clamped ones.
  int taps = kernel * kernel * (depthwise ? 1 : in_c);
  float out_scale = float(0.02 * 0.011 * 74 * 73 * std::sqrt(double(taps)) / 40);
  int conv_out = b.Activation({1, out_size, out_size, out_c}, out_scale, zero_point);
  int resized = b.Activation({1, 2 * out_size, 2 * out_size, out_c}, out_scale, zero_point);
  TfliteOperator pad;
  pad.builtin = TfliteBuiltin::kPad;
  pad.inputs = {input, paddings};
  pad.outputs = {padded};
  TfliteOperator conv;
  conv.index = 1;
  conv.builtin = depthwise ? TfliteBuiltin::kDepthwiseConv2d : TfliteBuiltin::kConv2d;
  conv.inputs = {padded, w, bias_t};
  conv.outputs = {conv_out};
  conv.padding_same = false;
  conv.stride_h = conv.stride_w = stride;
  conv.activation = activation;
  TfliteOperator resize;
  resize.index = 2;
  resize.builtin = TfliteBuiltin::kResizeNearestNeighbor;
  resize.inputs = {conv_out};
  resize.outputs = {resized};
  b.model.operators = {pad, conv, resize};
  b.model.inputs = {input};
  b.model.outputs = {resized};
  return b.model;
}

// XNNPACK against the reference, level by level: equal, or one level
// apart where its single-precision requantisation rounds a tie the other way.
void ExpectSameLevels(const Network& network, const TfliteModel& model, int h, int w, int max_difference,
                      double max_mean_difference, const cv::Mat& photo) {
  auto [image, ref_input] = RandomInput(model, h, w, 7);
  if (!photo.empty()) {  // a real image instead, at the input's levels
    const TfliteTensor& t = model.tensors[size_t(model.inputs[0])];
    image = photo.clone();
    ref_input = {photo.rows, photo.cols, photo.channels(), {}};
    for (float& v : cv::Mat_<float>(image.reshape(1))) {
      int q = RefRound(v / t.scales[0]) + int(t.zero_points[0]);
      ref_input.q.push_back(q);
      v = float(t.scales[0] * (q - t.zero_points[0]));
    }
  }
  std::vector<int> ours = Levels(model, network.Forward({image})[0]);
  RefTensor expected = RunReference(model, ref_input);
  // The backend returns channel 0; compare that channel.
  ASSERT_EQ(ours.size(), size_t(expected.h) * expected.w);
  int worst = 0;
  size_t equal = 0, total = 0;
  std::set<int> distinct;
  for (int i = 0; i < expected.h * expected.w; ++i) {
    int d = std::abs(ours[size_t(i)] - expected.q[size_t(i) * expected.c]);
    worst = std::max(worst, d);
    equal += d == 0;
    total += size_t(d);
    distinct.insert(expected.q[size_t(i) * expected.c]);
  }
  double share = double(equal) / ours.size(), mean = double(total) / ours.size();
  std::printf("%s: max level difference %d, mean %.3f, %.4f equal, %zu distinct levels\n", model.name.c_str(), worst,
              mean, share, distinct.size());
  EXPECT_LE(worst, max_difference);
  EXPECT_LE(mean, max_mean_difference);
  // Not a comparison of clamped constants.
  EXPECT_GE(distinct.size(), 20u);
}

}  // namespace depthforge::testing
