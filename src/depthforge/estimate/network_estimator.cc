#include "depthforge/estimate/network_estimator.h"

#include <cmath>

#include <opencv2/imgproc.hpp>

#include "depthforge/core/error.h"
#include "depthforge/models/network.h"
#include "depthforge/models/torch_network.h"

namespace depthforge {

NetworkDepthEstimator::NetworkDepthEstimator(const TfliteModel& model, ModelSpec spec, EstimatorOptions options)
    : spec_(std::move(spec)), options_(std::move(options)) {
  options_.Check();
  ConfigureTorchThreads(options_.threads);
  if (model.InputShape().size() != 4 || model.InputShape()[3] != 3 || model.OutputShape().size() != 4 ||
      model.OutputShape()[3] != 1) {
    throw FileError(model.name, "expected a network with a 3-channel image input and a 1-channel depth output");
  }
  size_multiple_ = model.SizeMultiple();
  network_ = CreateNetwork(model, options_.backend);
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
  int multiple = size_multiple_;
  auto round_to = [&](double v) { return std::max(multiple, int(std::lround(v / multiple)) * multiple); };
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
  if (options_.pad_to_multiple) return {int(std::lround(width)), int(std::lround(height))};
  return {round_to(width), round_to(height)};
}

cv::Mat3f NetworkDepthEstimator::ToNetworkInput(const cv::Mat3b& bgr, cv::Size size) const {
  cv::Mat3b resized;
  bool shrinking = size.width < bgr.cols && size.height < bgr.rows;
  cv::resize(bgr, resized, size, 0, 0, shrinking ? cv::INTER_AREA : cv::INTER_LINEAR);
  if (spec_.input.color == "rgb") cv::cvtColor(resized, resized, cv::COLOR_BGR2RGB);
  cv::Mat3f input;
  double range = spec_.input.range_max - spec_.input.range_min;
  resized.convertTo(input, CV_32F, range / 255.0, spec_.input.range_min);
  return input;
}

cv::Mat1f NetworkDepthEstimator::RunNetwork(const cv::Mat3f& rgb) const {
  return network_->Forward({rgb})[0];
}

cv::Mat1f NetworkDepthEstimator::Predict(const cv::Mat3f& rgb) const {
  if (!options_.flip_tta) return RunNetwork(rgb);
  cv::Mat3f mirrored;
  cv::flip(rgb, mirrored, 1);
  std::vector<cv::Mat> outputs = network_->Forward({rgb, mirrored});
  cv::Mat1f back;
  cv::flip(outputs[1], back, 1);
  return cv::Mat1f(0.5f * (cv::Mat1f(outputs[0]) + back));
}

DepthMap NetworkDepthEstimator::Estimate(const cv::Mat3b& bgr) const {
  if (bgr.empty()) throw Error("cannot estimate depth of an empty image");
  cv::Mat1f low;
  cv::Mat3b guide = bgr;
  if (options_.framing == Framing::kFullImage) {
    cv::Size size = FullImageInferenceSize(bgr.size());
    int multiple = size_multiple_;
    int pad_w = (multiple - size.width % multiple) % multiple;
    int pad_h = (multiple - size.height % multiple) % multiple;
    if (pad_w == 0 && pad_h == 0) {
      low = Predict(ToNetworkInput(bgr, size));
    } else {
      // Keep the exact training pixel scale; mirror the border up to the
      // size the network needs, and cut the prediction back.
      cv::Mat3f input = ToNetworkInput(bgr, size), padded;
      int left = pad_w / 2, top = pad_h / 2;
      cv::copyMakeBorder(input, padded, top, pad_h - top, left, pad_w - left, cv::BORDER_REFLECT_101);
      low = Predict(padded)(cv::Rect(left, top, size.width, size.height)).clone();
    }
  } else {
    const ModelInputSpec& in = spec_.input;
    // The crop in photo coordinates: the training crop scaled back up.
    double scale = double(bgr.rows) / (in.train_resize_height > 0 ? in.train_resize_height : bgr.rows);
    int crop_w = std::min(bgr.cols, int(std::lround((in.train_crop_width > 0 ? in.train_crop_width : bgr.cols) * scale)));
    int crop_h = std::min(bgr.rows, int(std::lround((in.train_crop_height > 0 ? in.train_crop_height : bgr.rows) * scale)));
    cv::Rect crop((bgr.cols - crop_w) / 2, (bgr.rows - crop_h) / 2, crop_w, crop_h);
    cv::Mat1f crop_depth = Predict(ToNetworkInput(bgr(crop), {in.width, in.height}));
    // Bring the crop's prediction to the photo's scale; extend the border
    // outside the crop at network resolution so the upsampler sees a full map.
    double fx = double(in.width) / crop_w, fy = double(in.height) / crop_h;
    int left = int(std::lround(crop.x * fx)), top = int(std::lround(crop.y * fy));
    int right = int(std::lround((bgr.cols - crop.x - crop_w) * fx));
    int bottom = int(std::lround((bgr.rows - crop.y - crop_h) * fy));
    cv::copyMakeBorder(crop_depth, low, top, bottom, left, right, cv::BORDER_REPLICATE);
  }
  if (spec_.output_min > 0) low = cv::max(low, spec_.output_min);
  DepthMap depth;
  depth.kind = spec_.output_kind;
  depth.values = UpsampleDepth(low, guide, options_.upsample, depth.kind == DepthKind::kMetricDepth);
  return depth;
}

}  // namespace depthforge
