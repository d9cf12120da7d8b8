// Evaluating a depth estimator on an RGB-D dataset, as papers report it.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <opencv2/core.hpp>

#include "depthforge/core/depth_map.h"
#include "depthforge/eval/depth_metrics.h"
#include "depthforge/core/enum_names.h"

namespace depthforge {

class DepthEstimator;
class RgbdDataset;

enum class EvalCrop { kNone, kEigen, kGarg };
const EnumNames<EvalCrop>& EvalCropNames();  // eigen|garg|none
EvalCrop EvalCropFromString(const std::string& name);
std::string ToString(EvalCrop crop);
// Eigen: rows 45:471, cols 41:601 of 480×640 (scaled); Garg: rows
// 0.40810811h–0.99189189h, cols 0.03594771w–0.96405229w.
std::optional<cv::Rect> CropRect(EvalCrop crop, cv::Size size);

enum class Alignment {
  kNone,            // metric prediction as it is
  kMedian,          // scale by median(gt) / median(prediction)
  kLeastSquares,    // scale and shift in depth, least squares
  kLeastSquaresDisparity,  // scale and shift in inverse depth (as MiDaS evaluates)
};
const EnumNames<Alignment>& AlignmentNames();  // none|median|lstsq|lstsq-disparity
Alignment AlignmentFromString(const std::string& name);
std::string ToString(Alignment alignment);

// Returns the prediction as metric depth aligned to the ground truth over
// 'mask' (non-zero = used). A relative inverse-depth prediction needs an
// alignment; 'kind' says what the prediction's numbers mean.
cv::Mat1f AlignPrediction(const cv::Mat1f& prediction, DepthKind kind, const cv::Mat1f& ground_truth,
                          const cv::Mat1b& mask, Alignment alignment);

// How far 'estimate' is from 'reference' in shape: AbsRel over every pixel
// after median scaling (AlignPrediction's kMedian). Both maps in the same
// units of depth or nearness; used to compare steadied with per-frame maps.
double AbsRelAfterMedianScaling(const cv::Mat1f& estimate, const cv::Mat1f& reference);

struct EvalOptions {
  EvalCrop crop = EvalCrop::kEigen;
  Alignment alignment = Alignment::kNone;
  float min_depth = 1e-3f;
  float max_depth = 10.f;
  bool show_progress = true;
  void Check() const;
};

struct EvalReport {
  std::vector<std::pair<std::string, DepthMetrics>> per_image;
  DepthMetrics mean;  // the mean of the per-image metrics
  std::string model, data;
  EvalOptions options;
};

// One depth map against its ground truth (resized to the ground truth's size).
DepthMetrics EvaluatePrediction(const DepthMap& prediction, const cv::Mat1f& ground_truth, const EvalOptions& options);

// Throws Error when no image has valid ground truth: there is nothing to report.
EvalReport EvaluateDataset(const DepthEstimator& estimator, const RgbdDataset& dataset, const EvalOptions& options);

// The files WriteEvalReport writes for 'json_path': the JSON, then the
// per-image CSV and the Markdown table beside it (same name, .csv / .md).
std::vector<std::string> EvalReportPaths(const std::string& json_path);

// report.json (overall + settings), report.csv (per image) and report.md (a
// table) next to 'json_path'. Atomic. Images without valid ground truth
// have empty metrics (null in JSON).
void WriteEvalReport(const EvalReport& report, const std::string& json_path);

}  // namespace depthforge
