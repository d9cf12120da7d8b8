// The int8 engines for FastDepth, measured before choosing one (issue 12):
// XNNPACK (our backend, models/xnnpack_network) against oneDNN (Debian's
// libdnnl), with the float LibTorch backend as the peer, in one process,
// rounds alternating so that the shared machine's load hits all alike.
//
//   DEPTHFORGE_MIRROR=../shared build/bench/int8_engines [rounds]
//
// The oneDNN network here is built from the same TFLite graph for timing:
// every int8 activation of FastDepth has zero point -128, which is the
// same bytes as uint8 with zero point 0, so activations are u8 tensors
// (NHWC), convolutions take s8 weights with per-channel output scales and a
// clip for ReLU6, PADs fold into the convolutions' padding, ADD is an int8
// binary with per-input scales, nearest resizing is oneDNN's resampling,
// and the QUANTIZE ops at the ends are the identity on those bytes.
//
// Accuracy first: each engine on the FastDepth authors' sample photo against
// their own float prediction (pred.npy; the golden test asks mean |diff| <=
// 0.06 m), and oneDNN's output against XNNPACK's in levels of 0.072 m.
#include <omp.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <map>
#include <oneapi/dnnl/dnnl.hpp>

#include "bench/bench_data.h"
#include "depthforge/eval/depth_metrics.h"
#include "depthforge/io/npy.h"
#include "depthforge/models/network.h"
#include "depthforge/models/tflite_model.h"
#include "depthforge/models/torch_network.h"
#include "depthforge/models/xnnpack_network.h"

using namespace depthforge;

namespace {

struct OneDnnNetwork {
  dnnl::engine engine{dnnl::engine::kind::cpu, 0};
  dnnl::stream stream{engine};
  std::vector<std::pair<dnnl::primitive, std::unordered_map<int, dnnl::memory>>> steps;
  std::map<int, dnnl::memory> tensors;  // activation memories by TFLite tensor
  int input = 0, output = 0;
  float input_scale = 1, output_scale = 1;

  dnnl::memory Activation(const TfliteModel& m, int tensor, const std::vector<int>& nhwc) {
    auto found = tensors.find(tensor);
    if (found != tensors.end()) return found->second;
    dnnl::memory::desc md({nhwc[0], nhwc[3], nhwc[1], nhwc[2]}, dnnl::memory::data_type::u8,
                          dnnl::memory::format_tag::nhwc);
    return tensors[tensor] = dnnl::memory(md, engine);
  }

  OneDnnNetwork(const TfliteModel& m, int height, int width) {
    using dt = dnnl::memory::data_type;
    using tag = dnnl::memory::format_tag;
    input = m.inputs[0], output = m.outputs[0];
    input_scale = m.tensors[size_t(input)].scales[0];
    output_scale = m.tensors[size_t(output)].scales[0];
    std::map<int, std::vector<int>> shape;  // runtime NHWC shapes
    std::map<int, int> alias;               // QUANTIZE / folded PAD outputs -> the tensor they equal
    std::map<int, std::vector<int32_t>> pads;
    auto resolve = [&](int t) { while (alias.count(t)) t = alias[t]; return t; };
    shape[input] = {1, height, width, 3};
    Activation(m, input, shape[input]);
    for (const TfliteOperator& op : m.operators) {
      int in = resolve(op.inputs[0]), out = op.outputs[0];
      const std::vector<int>& s = shape.at(in);
      if (op.builtin == TfliteBuiltin::kQuantize) {
        alias[out] = in;  // same bytes in the u8 view
        shape[out] = s;
        continue;
      }
      if (op.builtin == TfliteBuiltin::kPad) {
        alias[out] = in;  // folded into the convolution that reads it
        pads[out] = m.Int32Data(op.inputs[1]);
        shape[out] = s;
        continue;
      }
      float out_scale = m.tensors[size_t(out)].scales[0];
      if (op.builtin == TfliteBuiltin::kResizeNearestNeighbor) {
        const std::vector<int>& st = m.tensors[size_t(out)].shape;
        const std::vector<int>& si = m.tensors[size_t(op.inputs[0])].shape;
        shape[out] = {1, s[1] * st[1] / si[1], s[2] * st[2] / si[2], s[3]};
        dnnl::memory src = tensors.at(in), dst = Activation(m, out, shape[out]);
        dnnl::resampling_forward::desc d(dnnl::prop_kind::forward_inference, dnnl::algorithm::resampling_nearest,
                                         src.get_desc(), dst.get_desc());
        steps.push_back({dnnl::resampling_forward({d, engine}), {{DNNL_ARG_SRC, src}, {DNNL_ARG_DST, dst}}});
        continue;
      }
      if (op.builtin == TfliteBuiltin::kAdd) {
        int in2 = resolve(op.inputs[1]);
        shape[out] = s;
        dnnl::memory a = tensors.at(in), b = tensors.at(in2), dst = Activation(m, out, s);
        dnnl::primitive_attr attr;
        attr.set_scales(DNNL_ARG_SRC_0, 0, {m.tensors[size_t(op.inputs[0])].scales[0] / out_scale});
        attr.set_scales(DNNL_ARG_SRC_1, 0, {m.tensors[size_t(op.inputs[1])].scales[0] / out_scale});
        dnnl::binary::desc d(dnnl::algorithm::binary_add, a.get_desc(), b.get_desc(), dst.get_desc());
        steps.push_back({dnnl::binary({d, attr, engine}), {{DNNL_ARG_SRC_0, a}, {DNNL_ARG_SRC_1, b}, {DNNL_ARG_DST, dst}}});
        continue;
      }
      // CONV_2D / DEPTHWISE_CONV_2D
      bool depthwise = op.builtin == TfliteBuiltin::kDepthwiseConv2d;
      const TfliteTensor& wt = m.tensors[size_t(op.inputs[1])];
      int kh = wt.shape[1], kw = wt.shape[2];
      int oc = depthwise ? wt.shape[3] : wt.shape[0];
      std::vector<int32_t> p = pads.count(op.inputs[0]) ? pads[op.inputs[0]] : std::vector<int32_t>(8, 0);
      int oh = (s[1] + p[2] + p[3] - kh) / op.stride_h + 1, ow = (s[2] + p[4] + p[5] - kw) / op.stride_w + 1;
      shape[out] = {1, oh, ow, oc};
      dnnl::memory src = tensors.at(in), dst = Activation(m, out, shape[out]);
      dnnl::memory::dims wdims = depthwise ? dnnl::memory::dims{oc, 1, 1, kh, kw} : dnnl::memory::dims{oc, s[3], kh, kw};
      dnnl::memory::desc user_w(wdims, dt::s8, depthwise ? tag::goihw : tag::ohwi);
      dnnl::memory::desc any_w(wdims, dt::s8, tag::any);
      dnnl::memory::desc bias_md({oc}, dt::f32, tag::x);
      float in_scale = m.tensors[size_t(op.inputs[0])].scales[0];
      std::vector<float> scales(static_cast<size_t>(oc));
      std::vector<int32_t> bias_q = m.Int32Data(op.inputs[2]);
      std::vector<float> bias(static_cast<size_t>(oc));
      for (int c = 0; c < oc; ++c) {
        float w_scale = wt.scales.size() == 1 ? wt.scales[0] : wt.scales[size_t(c)];
        scales[size_t(c)] = in_scale * w_scale / out_scale;
        bias[size_t(c)] = float(bias_q[size_t(c)]);  // in accumulator units: dst = scale · (acc + bias)
      }
      dnnl::primitive_attr attr;
      attr.set_output_scales(1 << 1, scales);
      if (op.activation == TfliteActivation::kRelu6) {
        dnnl::post_ops post;
        post.append_eltwise(1.f, dnnl::algorithm::eltwise_clip, 0.f, std::round(6.f / out_scale));
        attr.set_post_ops(post);
      }
      dnnl::convolution_forward::desc d(dnnl::prop_kind::forward_inference, dnnl::algorithm::convolution_direct,
                                        src.get_desc(), any_w, bias_md, dst.get_desc(), {op.stride_h, op.stride_w},
                                        {p[2], p[4]}, {p[3], p[5]});
      dnnl::convolution_forward::primitive_desc pd(d, attr, engine);
      // Weights in oneDNN's preferred layout, reordered once.
      dnnl::memory raw(user_w, engine);
      const std::string& bytes = m.buffers[size_t(wt.buffer)];
      if (depthwise) {  // TFLite [1, kh, kw, C] -> goihw [C, 1, 1, kh, kw]
        int8_t* w = static_cast<int8_t*>(raw.get_data_handle());
        for (int c = 0; c < oc; ++c)
          for (int k = 0; k < kh * kw; ++k) w[c * kh * kw + k] = int8_t(bytes[size_t(k * oc + c)]);
      } else {
        std::memcpy(raw.get_data_handle(), bytes.data(), bytes.size());
      }
      dnnl::memory weights(pd.weights_desc(), engine);
      dnnl::reorder(raw, weights).execute(stream, raw, weights);
      dnnl::memory bias_mem(bias_md, engine);
      std::memcpy(bias_mem.get_data_handle(), bias.data(), bias.size() * sizeof(float));
      steps.push_back({dnnl::convolution_forward(pd),
                       {{DNNL_ARG_SRC, src}, {DNNL_ARG_WEIGHTS, weights}, {DNNL_ARG_BIAS, bias_mem}, {DNNL_ARG_DST, dst}}});
    }
    output = resolve(output);
    stream.wait();
  }

  cv::Mat1f Forward(const cv::Mat3f& image) {
    uint8_t* in = static_cast<uint8_t*>(tensors.at(input).get_data_handle());
    for (int y = 0; y < image.rows; ++y)
      for (int x = 0; x < image.cols; ++x)
        for (int k = 0; k < 3; ++k) in[(y * image.cols + x) * 3 + k] = uint8_t(std::clamp(cvRound(image(y, x)[k] / input_scale), 0, 255));
    for (auto& [primitive, args] : steps) primitive.execute(stream, args);
    stream.wait();
    const uint8_t* out = static_cast<const uint8_t*>(tensors.at(output).get_data_handle());
    cv::Mat1f result(image.rows, image.cols);
    for (int i = 0; i < image.rows * image.cols; ++i) result(i / image.cols, i % image.cols) = output_scale * out[i];
    return result;
  }
};

double MedianMs(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

}  // namespace

int main(int argc, char** argv) {
  int rounds = argc > 1 ? std::atoi(argv[1]) : 5;
  const TfliteModel& model = bench::DefaultModel();
  {
    const char* mirror = std::getenv("DEPTHFORGE_MIRROR");
    std::string sample = std::string(mirror ? mirror : "../shared") + "/data/fastdepth_sample/";
    cv::Mat rgb = ReadNpy(sample + "rgb.npy").ToFloatMat("rgb.npy");
    cv::Mat1f authors = ReadNpy(sample + "pred.npy").ToFloatMat("pred.npy");
    XnnpackNetwork xnnpack(model, 1);
    OneDnnNetwork onednn(model, 224, 224);
    cv::Mat1f a = xnnpack.Forward({rgb})[0], b = onednn.Forward(rgb);
    ConfigureTorchThreads(1);
    cv::Mat1f f = CreateNetwork(model, Backend::kTorch, 1)->Forward({rgb})[0];
    std::printf("FastDepth sample photo vs the authors' prediction: mean |diff| (Pearson r)\n");
    for (auto [name, out] : {std::pair{"xnnpack int8", a}, std::pair{"onednn int8", b}, std::pair{"libtorch float", f}}) {
      std::printf("| %s | %.4f m | %.5f |\n", name, cv::mean(cv::abs(out - authors))[0], PearsonCorrelation(out, authors));
    }
    std::printf("oneDNN vs XNNPACK on it: max %.0f, mean %.2f levels\n\n", cv::norm(a, b, cv::NORM_INF) / onednn.output_scale,
                cv::mean(cv::abs(a - b))[0] / onednn.output_scale);
  }
  cv::Mat3f image(224, 224);
  cv::randu(image, 0.f, 1.f);
  for (int threads : {1, 2}) {
    omp_set_num_threads(threads);
    ConfigureTorchThreads(threads);
    XnnpackNetwork xnnpack(model, threads);
    std::unique_ptr<Network> torch = CreateNetwork(model, Backend::kTorch, threads);
    OneDnnNetwork onednn(model, 224, 224);
    cv::Mat1f a = xnnpack.Forward({image})[0], b = onednn.Forward(image);
    double max_levels = cv::norm(a, b, cv::NORM_INF) / onednn.output_scale;
    double mean_levels = cv::mean(cv::abs(a - b))[0] / onednn.output_scale;
    std::map<std::string, std::vector<double>> times;
    auto time = [&](const std::string& name, auto&& run) {
      run();  // warm
      auto start = std::chrono::steady_clock::now();
      int n = 0;
      while (std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count() < 1.0) run(), ++n;
      times[name].push_back(1000 * std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count() / n);
    };
    for (int r = 0; r < rounds; ++r) {
      time("xnnpack int8", [&] { xnnpack.Forward({image}); });
      time("onednn int8", [&] { onednn.Forward(image); });
      time("libtorch float", [&] { torch->Forward({image}); });
    }
    std::printf("FastDepth 224x224, %d thread%s, median of %d rounds (oneDNN vs XNNPACK output: max %.0f, mean %.3f levels)\n",
                threads, threads > 1 ? "s" : "", rounds, max_levels, mean_levels);
    double peer = MedianMs(times["libtorch float"]);
    for (auto& [name, v] : times) std::printf("| %s | %.2f ms | %.2f x LibTorch |\n", name.c_str(), MedianMs(v), MedianMs(v) / peer);
  }
}
