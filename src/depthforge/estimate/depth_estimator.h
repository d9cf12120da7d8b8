// Estimating a depth map from one photo.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <opencv2/core.hpp>

#include "depthforge/core/depth_map.h"
#include "depthforge/core/enum_names.h"
#include "depthforge/estimate/joint_bilateral_upsample.h"
#include "depthforge/models/network.h"

namespace depthforge {

class ModelStore;

class DepthEstimator {
 public:
  virtual ~DepthEstimator() = default;
  // 'bgr' is an 8-bit photo of any size; the map has the same size.
  virtual DepthMap Estimate(const cv::Mat3b& bgr) const = 0;
  // The same in two stages, so that a batch can overlap them: this call
  // does the network work; the returned function finishes the map (e.g.
  // upsampling) and may run on another thread. By default all work is done
  // here.
  virtual std::function<DepthMap()> EstimateInStages(const cv::Mat3b& bgr) const {
    return [depth = Estimate(bgr)] { return depth; };
  }
  virtual std::string name() const = 0;
  virtual DepthKind kind() const = 0;
};

// How a photo is framed for the network. Both first map the whole photo to
// the model's training pixel scale (for FastDepth a 640×480 photo becomes
// 246×246, mirror-padded to the network's multiple of 32).
enum class Framing {
  // Default. The centre is predicted again at exactly the training framing
  // (for a 4:3 photo, FastDepth's validation crop: resize to 250 rows, crop
  // 228×304, squeeze to 224×224), which measured more accurate; the
  // whole-photo prediction, brought to the same scale, fills the border.
  kTrainingCrop,
  // The whole-photo prediction only (one network run), or the photo
  // squeezed to an explicit inference size.
  kFullImage,
};
const EnumNames<Framing>& FramingNames();  // crop | full
Framing FramingFromString(const std::string& name);
std::string ToString(Framing framing);

struct EstimatorOptions {
  // A registry name, or the path of a .tflite, .onnx (with its sidecar
  // .json) or trained .pt file; "" = the registry default.
  std::string model;
  // A metric model (registry name or path) that a relative model's inverse
  // depth is fitted to per photo (scale and shift, robustly), giving metres
  // with the relative model's structure; "" = none (relative models then
  // give normalised inverse depth). metric_alignment.h.
  std::string align_to;
  // Relative models: normalise each map (NormaliseInverseDepth, nearest 1)
  // so photos share one convention. false keeps the network's own output,
  // which --align-to uses: a video's one fit per scene needs values that do
  // not move with each frame's extremes.
  bool normalise_relative = true;
  Framing framing = Framing::kTrainingCrop;  // measured best: docs/ACCURACY.md
  // Network input size for kFullImage (multiples of 32); 0 = the training
  // pixel scale described above.
  int inference_width = 0;
  int inference_height = 0;
  // kTrainingCrop: resolution of the whole-photo prediction that fills the
  // border, relative to the training scale. 0.75 costs about half a run and
  // measured as accurate as 1.0; 0.5 was worse (docs/ACCURACY.md).
  double border_resolution = 0.75;
  bool flip_tta = false;  // average with the prediction on the mirrored photo
  UpsampleOptions upsample;
  Backend backend = Backend::kAuto;
  int threads = 0;  // threads for one network run; 0 = every core
  // How many photos this estimator is made for; 0 = many (a video, a
  // server). Backend::kAuto takes the engine whose set-up pays off
  // (network.h, kOneDnnWorthwhileImages).
  int expected_images = 0;
  void Check() const;
};

// Loads the model (fetching it through 'store' when it is a registry name).
std::unique_ptr<DepthEstimator> CreateDepthEstimator(const EstimatorOptions& options, const ModelStore& store);

}  // namespace depthforge
