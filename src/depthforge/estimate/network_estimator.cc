#include "depthforge/estimate/network_estimator.h"

#include <cmath>
#include <limits>

#include <opencv2/imgproc.hpp>

#include "depthforge/core/error.h"
#include "depthforge/models/network.h"

namespace depthforge {

NetworkDepthEstimator::NetworkDepthEstimator(const TfliteModel& model, ModelSpec spec, EstimatorOptions options)
    : spec_(std::move(spec)), options_(std::move(options)) {
  options_.Check();
  if (model.InputShape().size() != 4 || model.InputShape()[3] != 3 || model.OutputShape().size() != 4 ||
      model.OutputShape()[3] != 1) {
    throw FileError(model.name, "expected a network with a 3-channel image input and a 1-channel depth output");
  }
  size_multiple_ = model.SizeMultiple();
  CheckInferenceSize();
  network_ = CreateNetwork(model, options_.backend, options_.threads, options_.expected_images);
}

NetworkDepthEstimator::NetworkDepthEstimator(const OnnxModel& model, ModelSpec spec, EstimatorOptions options)
    : spec_(std::move(spec)), options_(std::move(options)) {
  options_.Check();
  if (options_.backend != Backend::kAuto && options_.backend != Backend::kTorch) {
    throw OptionError("ONNX models run on LibTorch only; --backend " + ToString(options_.backend) + " cannot run " + spec_.name);
  }
  const std::vector<int64_t>& dims = model.inputs.at(0).dims;
  if (dims.size() != 4 || (dims[1] != 3 && dims[1] != -1)) {
    throw FileError(model.name, "expected an N×3×H×W image input, the graph's input '" + model.inputs[0].name + "' has " +
                                    std::to_string(dims.size()) + " dimensions");
  }
  size_multiple_ = std::max(1, spec_.input.multiple_of);
  CheckInferenceSize();
  network_ = CreateOnnxNetwork(model, options_.threads);
}

void NetworkDepthEstimator::CheckInferenceSize() const {
  if (options_.inference_width % size_multiple_ != 0 || options_.inference_height % size_multiple_ != 0) {
    throw OptionError("inference size " + std::to_string(options_.inference_width) + "x" +
                      std::to_string(options_.inference_height) + " must be a multiple of " +
                      std::to_string(size_multiple_) + " for " + spec_.name);
  }
}

NetworkDepthEstimator::~NetworkDepthEstimator() = default;

cv::Size NetworkDepthEstimator::FullImageInferenceSize(cv::Size photo) const {
  if (options_.inference_width > 0) return {options_.inference_width, options_.inference_height};
  const ModelInputSpec& in = spec_.input;
  if (in.multiple_of > 0) {
    // Aspect kept, the shorter side at the training size (rounded up to the
    // multiple), the longer rounded to the nearest multiple; the longer side
    // at most kMaxInferenceScale training sizes.
    const int m = in.multiple_of;
    const double shorter = std::ceil(double(std::min(in.width, in.height)) / m) * m;
    double scale = shorter / std::min(photo.width, photo.height);
    const double longest = kMaxInferenceScale * std::max(in.width, in.height);
    scale = std::min(scale, longest / std::max(photo.width, photo.height));
    auto side = [&](int pixels) { return std::max(m, int(std::lround(pixels * scale / m)) * m); };
    return {side(photo.width), side(photo.height)};
  }
  if (in.train_crop_width <= 0 || in.train_crop_height <= 0) return {in.width, in.height};
  // The training crop (crop_w × crop_h of a frame resized to the training
  // height) was squeezed to width × height. Map the whole photo the same way,
  // as if it had the training frames' horizontal field of view.
  double sx = double(in.width) / in.train_crop_width;
  double sy = double(in.height) / in.train_crop_height;
  double frame_height = in.train_resize_height;
  double frame_width = frame_height * 4.0 / 3.0;  // NYU frames are 4:3
  double width = frame_width * sx;
  double height = frame_width * double(photo.height) / photo.width * sy;
  // Extreme aspect ratios (a 1×10000 strip) would ask for a network input
  // tens of thousands of pixels long: keep the longer side within
  // kMaxInferenceScale training sizes, and the shorter side at least one
  // size multiple (such a photo is squeezed, but memory stays bounded).
  double longest = kMaxInferenceScale * std::max(in.width, in.height);
  double fit = std::min(1.0, longest / std::max(width, height));
  int floor_side = std::max(1, size_multiple_);
  return {std::max(floor_side, int(std::lround(width * fit))), std::max(floor_side, int(std::lround(height * fit)))};
}

cv::Mat3f NetworkDepthEstimator::ToNetworkInput(const cv::Mat3b& bgr, cv::Size size) const {
  cv::Mat3b resized;
  bool shrinking = size.width < bgr.cols && size.height < bgr.rows;
  cv::resize(bgr, resized, size, 0, 0, shrinking ? cv::INTER_AREA : cv::INTER_LINEAR);
  if (spec_.input.color == "rgb") cv::cvtColor(resized, resized, cv::COLOR_BGR2RGB);
  cv::Mat3f input;
  const ModelInputSpec& in = spec_.input;
  double range = in.range_max - in.range_min;
  resized.convertTo(input, CV_32F, range / 255.0, in.range_min);
  if (in.mean != std::array<float, 3>{0.f, 0.f, 0.f} || in.std != std::array<float, 3>{1.f, 1.f, 1.f}) {
    input -= cv::Scalar(in.mean[0], in.mean[1], in.mean[2]);
    cv::divide(input, cv::Scalar(in.std[0], in.std[1], in.std[2]), input);
  }
  return input;
}

cv::Mat1f NetworkDepthEstimator::RunNetwork(const cv::Mat3f& rgb) const {
  return network_->Forward({rgb})[0];
}

cv::Mat1f NetworkDepthEstimator::Predict(const cv::Mat3f& input) const {
  // Mirror the border up to the size the network needs, cut the prediction back.
  int pad_w = (size_multiple_ - input.cols % size_multiple_) % size_multiple_;
  int pad_h = (size_multiple_ - input.rows % size_multiple_) % size_multiple_;
  int left = pad_w / 2, top = pad_h / 2;
  auto pad = [&](const cv::Mat3f& image) {
    if (pad_w == 0 && pad_h == 0) return image;
    cv::Mat3f padded;
    cv::copyMakeBorder(image, padded, top, pad_h - top, left, pad_w - left, cv::BORDER_REFLECT_101);
    return padded;
  };
  cv::Rect inside(left, top, input.cols, input.rows);
  if (!options_.flip_tta) return cv::Mat1f(RunNetwork(pad(input))(inside).clone());
  // The mirrored photo is padded on its own, so the average is exactly
  // mirror-symmetric even when the padding is not.
  cv::Mat3f mirrored;
  cv::flip(input, mirrored, 1);
  std::vector<cv::Mat> outputs = network_->Forward({pad(input), pad(mirrored)});
  cv::Mat1f back;
  cv::flip(outputs[1](inside), back, 1);
  return cv::Mat1f(0.5f * (cv::Mat1f(outputs[0](inside)) + back));
}

cv::Mat1f ComposeCropIntoWhole(const cv::Mat1f& whole, const cv::Mat1f& crop, const cv::Rect& window, int feather) {
  // Bring the whole-photo prediction to the crop's scale (median ratio over
  // the window), then lay the crop in with a linear feather along the
  // window's edges that lie inside the photo.
  std::vector<float> ratios;
  ratios.reserve(crop.total());
  for (int y = 0; y < crop.rows; ++y) {
    for (int x = 0; x < crop.cols; ++x) {
      float w = whole(window.y + y, window.x + x), c = crop(y, x);
      if (w > 0 && c > 0) ratios.push_back(c / w);
    }
  }
  float ratio = 1.f;
  if (!ratios.empty()) {
    std::nth_element(ratios.begin(), ratios.begin() + long(ratios.size() / 2), ratios.end());
    ratio = ratios[ratios.size() / 2];
  }
  cv::Mat1f result = whole * ratio;
  bool open_left = window.x > 0, open_top = window.y > 0;
  bool open_right = window.x + window.width < whole.cols, open_bottom = window.y + window.height < whole.rows;
  for (int y = 0; y < crop.rows; ++y) {
    for (int x = 0; x < crop.cols; ++x) {
      int distance = feather;
      if (open_left) distance = std::min(distance, x);
      if (open_right) distance = std::min(distance, crop.cols - 1 - x);
      if (open_top) distance = std::min(distance, y);
      if (open_bottom) distance = std::min(distance, crop.rows - 1 - y);
      float alpha = feather > 0 ? float(distance + 1) / float(feather + 1) : 1.f;
      alpha = std::min(alpha, 1.f);
      float& out = result(window.y + y, window.x + x);
      out = alpha * crop(y, x) + (1.f - alpha) * out;
    }
  }
  return result;
}

cv::Mat1f NormaliseInverseDepth(const cv::Mat1f& inverse) {
  double low = 0, high = 0;
  cv::Mat1b finite = (inverse == inverse);
  cv::minMaxLoc(inverse, &low, &high, nullptr, nullptr, finite);
  cv::Mat1f result;
  if (!(high > low)) {
    result = cv::Mat1f(inverse.size(), 1.f);
  } else {
    inverse.convertTo(result, CV_32F, (1.0 - kNormalisedInverseFloor) / (high - low),
                      kNormalisedInverseFloor - low * (1.0 - kNormalisedInverseFloor) / (high - low));
  }
  result.setTo(std::numeric_limits<float>::quiet_NaN(), ~finite);
  return result;
}

DepthMap NetworkDepthEstimator::Estimate(const cv::Mat3b& bgr) const { return EstimateInStages(bgr)(); }

std::function<DepthMap()> NetworkDepthEstimator::EstimateInStages(const cv::Mat3b& bgr) const {
  if (bgr.empty()) throw Error("cannot estimate depth of an empty image");
  cv::Mat1f low;
  if (options_.framing == Framing::kFullImage && options_.inference_width > 0) {
    low = Predict(ToNetworkInput(bgr, {options_.inference_width, options_.inference_height}));
  } else if (options_.framing == Framing::kFullImage) {
    low = Predict(ToNetworkInput(bgr, FullImageInferenceSize(bgr.size())));
  } else {
    // The centre at exactly the training framing (for a 4:3 photo, FastDepth's
    // validation crop), which measured more accurate. The border it leaves
    // out comes from a whole-photo prediction, brought to the crop's scale.
    cv::Mat3f whole_input = ToNetworkInput(bgr, FullImageInferenceSize(bgr.size()));
    const ModelInputSpec& in = spec_.input;
    cv::Size window_size(std::min(in.width, whole_input.cols), std::min(in.height, whole_input.rows));
    cv::Rect window((whole_input.cols - window_size.width) / 2, (whole_input.rows - window_size.height) / 2,
                    window_size.width, window_size.height);
    // A model without a training crop (MiDaS, Depth Anything) sees the whole photo.
    if (window.size() == whole_input.size() || in.train_crop_width <= 0) {
      low = Predict(whole_input);
    } else {
      cv::Mat1f whole;
      if (options_.border_resolution >= 1.0) {
        whole = Predict(whole_input);
      } else {
        cv::Mat3f border_input;
        cv::Size border_size(std::max(1, int(std::lround(whole_input.cols * options_.border_resolution))),
                             std::max(1, int(std::lround(whole_input.rows * options_.border_resolution))));
        cv::resize(whole_input, border_input, border_size, 0, 0, cv::INTER_AREA);
        cv::resize(Predict(border_input), whole, whole_input.size(), 0, 0, cv::INTER_LINEAR);
      }
      cv::Mat1f crop = Predict(whole_input(window).clone());
      low = ComposeCropIntoWhole(whole, crop, window, /*feather=*/8);
    }
  }
  if (spec_.output_scale != 1.f) low *= spec_.output_scale;
  if (spec_.output_min > 0) low = cv::max(low, spec_.output_min);
  if (spec_.output_kind == DepthKind::kRelativeInverseDepth && options_.normalise_relative) low = NormaliseInverseDepth(low);
  return [low, bgr, kind = spec_.output_kind, upsample = options_.upsample] {
    DepthMap depth;
    depth.kind = kind;
    depth.values = UpsampleDepth(low, bgr, upsample, kind == DepthKind::kMetricDepth);
    return depth;
  };
}

}  // namespace depthforge
