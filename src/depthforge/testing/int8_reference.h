// For the int8 backends' tests: a reference interpreter of TFLite's int8
// operators written from their definition (double precision, each output
// rounded half away from zero to its scale, plus its zero point, clamped
// to the fused activation), small models built in code, and a comparison
// of a backend's output with the reference, level by level.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include <opencv2/core.hpp>

#include "depthforge/models/network.h"
#include "depthforge/models/tflite_model.h"

namespace depthforge::testing {

struct RefTensor {
  int h = 0, w = 0, c = 0;
  std::vector<int> q;  // NHWC, batch 1
  int& at(int y, int x, int k) { return q[(size_t(y) * w + x) * c + k]; }
  int at(int y, int x, int k) const { return q[(size_t(y) * w + x) * c + k]; }
};

// Runs the graph for an input of quantised levels; returns the output's levels.
RefTensor RunReference(const TfliteModel& m, const RefTensor& input);

struct ModelBuilder {
  TfliteModel model;
  ModelBuilder() {
    model.name = "test.tflite";
    model.buffers.emplace_back();  // buffer 0: no data
  }
  int Activation(std::vector<int> shape, float scale, int zero, TfliteType type = TfliteType::kInt8) {
    TfliteTensor t;
    t.name = "t" + std::to_string(model.tensors.size());
    t.shape = std::move(shape);
    t.type = type;
    t.scales = {scale};
    t.zero_points = {zero};
    model.tensors.push_back(t);
    return int(model.tensors.size() - 1);
  }
  template <typename T>
  int Constant(std::vector<int> shape, const std::vector<T>& data, TfliteType type, std::vector<float> scales = {},
               int quantized_dimension = 0) {
    TfliteTensor t;
    t.name = "c" + std::to_string(model.tensors.size());
    t.shape = std::move(shape);
    t.type = type;
    t.scales = scales;
    t.zero_points.assign(scales.size(), 0);
    t.quantized_dimension = quantized_dimension;
    model.buffers.emplace_back(reinterpret_cast<const char*>(data.data()), data.size() * sizeof(T));
    t.buffer = int(model.buffers.size() - 1);
    model.tensors.push_back(t);
    return int(model.tensors.size() - 1);
  }
};

// PAD → convolution (or depthwise) with random per-channel weights and
// bias → 2× nearest resize; activations at 'zero_point'.
TfliteModel ConvolutionModel(bool depthwise, int kernel, int stride, TfliteActivation activation, unsigned seed,
                             int zero_point);

// Runs 'network' (built from 'model') on a random h×w input, or on 'photo'
// when given, and the reference on the same levels; expects at most
// 'max_difference' levels apart anywhere and 'max_mean_difference' on
// average, on an output of at least 20 distinct levels.
void ExpectSameLevels(const Network& network, const TfliteModel& model, int h, int w, int max_difference,
                      double max_mean_difference, const cv::Mat& photo = cv::Mat());

}  // namespace depthforge::testing
