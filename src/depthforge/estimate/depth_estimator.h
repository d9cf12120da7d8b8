// Estimating a depth map from one photo.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include <opencv2/core.hpp>

#include "depthforge/core/depth_map.h"
#include "depthforge/estimate/guided_upsample.h"
#include "depthforge/models/network.h"

namespace depthforge {

class ModelStore;

class DepthEstimator {
 public:
  virtual ~DepthEstimator() = default;
  // 'bgr' is an 8-bit photo of any size; the map has the same size.
  virtual DepthMap Estimate(const cv::Mat3b& bgr) const = 0;
  virtual std::string name() const = 0;
  virtual DepthKind kind() const = 0;
};

// How a photo is framed for the network.
enum class Framing {
  // As FastDepth was trained and validated: resize to the training height,
  // centre-crop, resize to the network size; the border outside the crop
  // is extended from the crop's edge.
  kTrainingCrop,
  // The whole photo resized to the inference size: nothing is cut off.
  kFullImage,
};
Framing FramingFromString(const std::string& name);  // "crop" | "full"
std::string ToString(Framing framing);

struct EstimatorOptions {
  std::string model;  // registry name or .tflite path; "" = registry default
  Framing framing = Framing::kTrainingCrop;  // measured best: docs/ACCURACY.md
  // Network input size for kFullImage; 0 = derived from the model's training
  // framing (keeps the training pixel scale), rounded to the size multiple.
  int inference_width = 0;
  int inference_height = 0;
  // For automatic sizes: keep the exact scale and mirror-pad to the size
  // multiple, instead of rounding the size (which rescales the photo).
  bool pad_to_multiple = true;
  bool flip_tta = false;  // average with the prediction on the mirrored photo
  GuidedUpsampleOptions upsample;
  Backend backend = Backend::kTorch;
  int threads = 0;  // LibTorch threads; 0 = every core
  void Check() const;
};

// Loads the model (fetching it through 'store' when it is a registry name).
std::unique_ptr<DepthEstimator> CreateDepthEstimator(const EstimatorOptions& options, const ModelStore& store);

}  // namespace depthforge
