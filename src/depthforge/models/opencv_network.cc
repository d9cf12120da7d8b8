#include "depthforge/models/opencv_network.h"

#include <map>

#include <opencv2/dnn.hpp>

#include "depthforge/core/error.h"

namespace depthforge {

struct OpenCvNetwork::Impl {
  mutable cv::dnn::Net net;
  std::string output_layer;
  std::string name;
  int input_channels = 3;
};

namespace {

cv::dnn::DictValue IntList(const std::vector<int>& values) {
  return cv::dnn::DictValue::arrayInt(values.data(), int(values.size()));
}

}  // namespace

OpenCvNetwork::OpenCvNetwork(const TfliteModel& model) : impl_(std::make_unique<Impl>()) {
  Impl& impl = *impl_;
  impl.name = model.name;
  impl.input_channels = model.tensors[size_t(model.inputs[0])].shape.at(3);
  // Which layer (id, output 0) holds each tensor; the network input is layer 0.
  std::map<int, int> producer = {{model.inputs[0], 0}};
  auto source = [&](const TfliteOperator& op, int input) {
    auto found = producer.find(op.inputs.at(size_t(input)));
    if (found == producer.end()) {
      throw FileError(model.name, "operator " + std::to_string(op.index) + " reads a tensor no operator wrote");
    }
    return found->second;
  };
  int counter = 0;
  auto add = [&](const std::string& type, cv::dnn::LayerParams params, std::vector<int> inputs) {
    params.name = type + "_" + std::to_string(counter++);
    params.type = type;
    int id = impl.net.addLayer(params.name, type, params);
    for (size_t i = 0; i < inputs.size(); ++i) impl.net.connect(inputs[i], 0, id, int(i));
    impl.output_layer = params.name;
    return id;
  };
  auto activation = [&](TfliteActivation act, int id) {
    cv::dnn::LayerParams params;
    switch (act) {
      case TfliteActivation::kNone: return id;
      case TfliteActivation::kRelu: return add("ReLU", params, {id});
      case TfliteActivation::kRelu6:
        params.set("min_value", 0.f);
        params.set("max_value", 6.f);
        return add("ReLU6", params, {id});
      case TfliteActivation::kReluN1To1:
        params.set("min_value", -1.f);
        params.set("max_value", 1.f);
        return add("ReLU6", params, {id});
      case TfliteActivation::kTanh: return add("TanH", params, {id});
    }
    return id;
  };

  for (const TfliteOperator& op : model.operators) {
    int out = 0;
    switch (op.builtin) {
      case TfliteBuiltin::kConv2d:
      case TfliteBuiltin::kDepthwiseConv2d: {
        int in = source(op, 0);
        std::vector<int> w_shape = model.tensors[size_t(op.inputs[1])].shape;
        std::vector<float> w = model.DequantizedData(op.inputs[1]);
        int in_channels = model.tensors[size_t(op.inputs[0])].shape.at(3);
        bool depthwise = op.builtin == TfliteBuiltin::kDepthwiseConv2d;
        int out_channels = depthwise ? w_shape[3] : w_shape[0];
        int kh = w_shape[1], kw = w_shape[2];
        // OpenCV wants [out, in/groups, kh, kw].
        cv::Mat weights({out_channels, depthwise ? 1 : in_channels, kh, kw}, CV_32F);
        float* dst = weights.ptr<float>();
        for (int o = 0; o < out_channels; ++o) {
          for (int i = 0; i < (depthwise ? 1 : in_channels); ++i) {
            for (int y = 0; y < kh; ++y) {
              for (int x = 0; x < kw; ++x) {
                size_t src = depthwise ? (size_t(y) * kw + x) * out_channels + o
                                       : ((size_t(o) * kh + y) * kw + x) * in_channels + i;
                *dst++ = w[src];
              }
            }
          }
        }
        if (op.padding_same) {
          // Static SAME padding for the model's nominal size: fine here, the
          // TFLite graphs we import pad explicitly and use VALID.
          throw FileError(model.name, "operator " + std::to_string(op.index) +
                                          ": SAME padding is not supported by the OpenCV backend");
        }
        cv::dnn::LayerParams params;
        params.set("kernel_h", kh);
        params.set("kernel_w", kw);
        params.set("stride_h", op.stride_h);
        params.set("stride_w", op.stride_w);
        params.set("dilation_h", op.dilation_h);
        params.set("dilation_w", op.dilation_w);
        params.set("num_output", out_channels);
        params.set("group", depthwise ? in_channels : 1);
        params.blobs.push_back(weights);
        bool has_bias = op.inputs.size() > 2 && op.inputs[2] >= 0;
        params.set("bias_term", has_bias);
        if (has_bias) {
          std::vector<float> b = model.DequantizedData(op.inputs[2]);
          params.blobs.push_back(cv::Mat(1, int(b.size()), CV_32F, b.data()).clone());
        }
        out = activation(op.activation, add("Convolution", params, {in}));
        break;
      }
      case TfliteBuiltin::kPad: {
        std::vector<int32_t> p = model.Int32Data(op.inputs[1]);
        cv::dnn::LayerParams params;
        // NCHW order: batch, channels, height, width (TFLite gives NHWC).
        params.set("paddings", IntList({p[0], p[1], p[6], p[7], p[2], p[3], p[4], p[5]}));
        params.set("value", 0.f);
        out = add("Padding", params, {source(op, 0)});
        break;
      }
      case TfliteBuiltin::kResizeNearestNeighbor: {
        std::vector<int32_t> size = model.Int32Data(op.inputs[1]);
        std::vector<int> in_shape = model.tensors[size_t(op.inputs[0])].shape;
        cv::dnn::LayerParams params;
        params.set("interpolation", "nearest");
        params.set("zoom_factor_y", size[0] / in_shape[1]);
        params.set("zoom_factor_x", size[1] / in_shape[2]);
        out = add("Resize", params, {source(op, 0)});
        break;
      }
      case TfliteBuiltin::kAdd: {
        cv::dnn::LayerParams params;
        params.set("operation", "sum");
        out = activation(op.activation, add("Eltwise", params, {source(op, 0), source(op, 1)}));
        break;
      }
      case TfliteBuiltin::kQuantize:
      case TfliteBuiltin::kDequantize:
        out = source(op, 0);
        break;
    }
    producer[op.outputs[0]] = out;
  }
  impl.net.setInputsNames({"input"});
  impl.net.setPreferableBackend(cv::dnn::DNN_BACKEND_OPENCV);
  impl.net.setPreferableTarget(cv::dnn::DNN_TARGET_CPU);
}

OpenCvNetwork::~OpenCvNetwork() = default;

std::vector<cv::Mat> OpenCvNetwork::Forward(const std::vector<cv::Mat>& images) const {
  if (images.empty()) return {};
  for (const cv::Mat& image : images) {
    if (image.type() != CV_MAKETYPE(CV_32F, impl_->input_channels) || image.size() != images[0].size()) {
      throw Error(impl_->name + ": every image of a batch must be float32 with " +
                  std::to_string(impl_->input_channels) + " channels and the same size");
    }
  }
  cv::Mat blob = cv::dnn::blobFromImages(images, 1.0, cv::Size(), cv::Scalar(), /*swapRB=*/false, /*crop=*/false, CV_32F);
  impl_->net.setInput(blob);
  cv::Mat out = impl_->net.forward(impl_->output_layer);
  std::vector<cv::Mat> results;
  for (int i = 0; i < out.size[0]; ++i) {
    results.push_back(cv::Mat(out.size[2], out.size[3], CV_32F, out.ptr<float>(i, 0)).clone());
  }
  return results;
}

}  // namespace depthforge

// The entry point CreateNetwork (network.h) finds in libdepthforge_opencv.so.
extern "C" depthforge::Network* depthforge_opencv_create_network(const depthforge::TfliteModel* model) {
  return new depthforge::OpenCvNetwork(*model);
}
