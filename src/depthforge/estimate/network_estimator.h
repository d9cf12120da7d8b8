// Depth from a monocular network imported from TFLite and run by LibTorch.
#pragma once

#include <memory>

#include "depthforge/estimate/depth_estimator.h"
#include "depthforge/models/model_registry.h"
#include "depthforge/models/onnx_model.h"
#include "depthforge/models/tflite_model.h"

namespace depthforge {

class Network;

// Lays a crop's depth prediction (covering 'window' of 'whole') over the
// whole-photo prediction: the whole map is rescaled to agree with the crop
// (median ratio over the window) and the crop is feathered in over
// 'feather' pixels along its edges inside the photo.
cv::Mat1f ComposeCropIntoWhole(const cv::Mat1f& whole, const cv::Mat1f& crop, const cv::Rect& window, int feather);

// A relative model's inverse depth, which has no unit and an unknown shift,
// normalised per map so users see one convention: the nearest pixel 1, the
// farthest kNormalisedInverseFloor (not 0, which marks unknown pixels).
// NaN stays NaN.
constexpr double kNormalisedInverseFloor = 1e-3;
cv::Mat1f NormaliseInverseDepth(const cv::Mat1f& inverse);

class NetworkDepthEstimator : public DepthEstimator {
 public:
  // A TFLite model on the backend options.backend picks.
  NetworkDepthEstimator(const TfliteModel& model, ModelSpec spec, EstimatorOptions options);
  // An ONNX model (on LibTorch), described by spec (its sidecar).
  NetworkDepthEstimator(const OnnxModel& model, ModelSpec spec, EstimatorOptions options);
  ~NetworkDepthEstimator() override;

  DepthMap Estimate(const cv::Mat3b& bgr) const override;
  // Runs the network now; the returned function does the edge-aware upsampling.
  std::function<DepthMap()> EstimateInStages(const cv::Mat3b& bgr) const override;
  std::string name() const override { return spec_.name; }
  DepthKind kind() const override { return spec_.output_kind; }

  // The network's own output for an already framed input (H×W×3 float, the
  // model's colour order and normalisation), before any upsampling.
  cv::Mat1f RunNetwork(const cv::Mat3f& rgb) const;
  // Inference size used for a photo of this size under kFullImage; its
  // longer side is at most kMaxInferenceScale times the model's input size.
  // Models with a size multiple (spec.input.multiple_of) keep the photo's
  // aspect ratio; the others take their training framing.
  cv::Size FullImageInferenceSize(cv::Size photo) const;
  static constexpr double kMaxInferenceScale = 4.0;

 private:
  cv::Mat3f ToNetworkInput(const cv::Mat3b& bgr, cv::Size size) const;
  // Any size (mirror-padded to the network's size multiple and cut back),
  // with the optional flip TTA.
  cv::Mat1f Predict(const cv::Mat3f& rgb) const;

  void CheckInferenceSize() const;

  ModelSpec spec_;
  EstimatorOptions options_;
  std::unique_ptr<Network> network_;
  int size_multiple_ = 1;
};

}  // namespace depthforge
