#include "depthforge/eval/evaluate.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <filesystem>
#include <optional>

#include <nlohmann/json.hpp>
#include <opencv2/imgproc.hpp>

#include "depthforge/core/error.h"
#include "depthforge/estimate/depth_estimator.h"
#include "depthforge/io/rgbd_dataset.h"
#include "depthforge/util/atomic_file.h"
#include "depthforge/util/progress.h"

namespace depthforge {
namespace fs = std::filesystem;

const EnumNames<EvalCrop>& EvalCropNames() {
  static const EnumNames<EvalCrop> kNames{"crop", {{"eigen", EvalCrop::kEigen}, {"garg", EvalCrop::kGarg},
      {"none", EvalCrop::kNone}}};
  return kNames;
}
EvalCrop EvalCropFromString(const std::string& name) { return EvalCropNames().Parse(name); }

std::string ToString(EvalCrop crop) { return EvalCropNames().Name(crop); }

std::optional<cv::Rect> CropRect(EvalCrop crop, cv::Size size) {
  switch (crop) {
    case EvalCrop::kNone: return std::nullopt;
    case EvalCrop::kEigen: return EigenCrop(size);
    case EvalCrop::kGarg: {
      int top = int(0.40810811 * size.height), bottom = int(0.99189189 * size.height);
      int left = int(0.03594771 * size.width), right = int(0.96405229 * size.width);
      return cv::Rect(left, top, right - left, bottom - top);
    }
  }
  return std::nullopt;
}

const EnumNames<Alignment>& AlignmentNames() {
  static const EnumNames<Alignment> kNames{"alignment", {{"none", Alignment::kNone}, {"median", Alignment::kMedian},
      {"lstsq", Alignment::kLeastSquares}, {"lstsq-disparity", Alignment::kLeastSquaresDisparity}}};
  return kNames;
}
Alignment AlignmentFromString(const std::string& name) { return AlignmentNames().Parse(name); }

std::string ToString(Alignment alignment) { return AlignmentNames().Name(alignment); }

namespace {

// Least-squares s, t minimising sum (s·x + t − y)² over the pairs.
std::pair<double, double> FitScaleShift(const std::vector<double>& x, const std::vector<double>& y) {
  double n = double(x.size()), sx = 0, sy = 0, sxx = 0, sxy = 0;
  for (size_t i = 0; i < x.size(); ++i) { sx += x[i]; sy += y[i]; sxx += x[i] * x[i]; sxy += x[i] * y[i]; }
  double determinant = n * sxx - sx * sx;
  if (std::abs(determinant) < 1e-12) return {1.0, 0.0};
  double s = (n * sxy - sx * sy) / determinant;
  return {s, (sy - s * sx) / n};
}

double Median(std::vector<double> values) {
  if (values.empty()) return 0;
  auto middle = values.begin() + long(values.size() / 2);
  std::nth_element(values.begin(), middle, values.end());
  return *middle;
}

}  // namespace

cv::Mat1f AlignPrediction(const cv::Mat1f& prediction, DepthKind kind, const cv::Mat1f& ground_truth,
                          const cv::Mat1b& mask, Alignment alignment) {
  if (kind != DepthKind::kMetricDepth && alignment == Alignment::kNone) {
    throw OptionError("a " + ToString(kind) + " prediction needs an alignment (median, lstsq or lstsq-disparity)");
  }
  // Work on depth-like values (metric depth, or 1/nearness for inverse maps),
  // except for the disparity fit, which works on nearness.
  bool inverse_kind = kind != DepthKind::kMetricDepth;
  std::vector<double> p, g;
  for (int y = 0; y < prediction.rows; ++y) {
    for (int x = 0; x < prediction.cols; ++x) {
      float v = prediction(y, x);
      if (!mask(y, x) || !std::isfinite(v) || v <= 0) continue;
      double depth_like = inverse_kind ? 1.0 / v : v;
      if (alignment == Alignment::kLeastSquaresDisparity) {
        p.push_back(1.0 / depth_like);
        g.push_back(1.0 / ground_truth(y, x));
      } else {
        p.push_back(depth_like);
        g.push_back(ground_truth(y, x));
      }
    }
  }
  double scale = 1, shift = 0;
  switch (alignment) {
    case Alignment::kNone: break;
    case Alignment::kMedian: scale = Median(g) / std::max(Median(p), 1e-12); break;
    case Alignment::kLeastSquares:
    case Alignment::kLeastSquaresDisparity: std::tie(scale, shift) = FitScaleShift(p, g); break;
  }
  cv::Mat1f aligned(prediction.size());
  for (int y = 0; y < prediction.rows; ++y) {
    for (int x = 0; x < prediction.cols; ++x) {
      float v = prediction(y, x);
      if (!std::isfinite(v) || v <= 0) { aligned(y, x) = 0; continue; }
      double depth_like = inverse_kind ? 1.0 / v : v;
      double result;
      if (alignment == Alignment::kLeastSquaresDisparity) {
        double nearness = scale / depth_like + shift;
        result = nearness > 1e-9 ? 1.0 / nearness : 1e9;
      } else {
        result = scale * depth_like + shift;
      }
      aligned(y, x) = float(result);
    }
  }
  return aligned;
}

double AbsRelAfterMedianScaling(const cv::Mat1f& estimate, const cv::Mat1f& reference) {
  EvalRegion everything;
  everything.min_depth = 1e-9f;
  everything.max_depth = 1e9f;
  const cv::Mat1b all(reference.size(), uchar(255));
  cv::Mat1f aligned = AlignPrediction(estimate, DepthKind::kMetricDepth, reference, all, Alignment::kMedian);
  return ComputeDepthMetrics(aligned, reference, everything).abs_rel;
}

void EvalOptions::Check() const {
  if (!(min_depth > 0 && max_depth > min_depth)) throw OptionError("need 0 < min depth < max depth");
}

DepthMetrics EvaluatePrediction(const DepthMap& prediction, const cv::Mat1f& ground_truth, const EvalOptions& options) {
  options.Check();
  cv::Mat1f values = prediction.values;
  if (values.size() != ground_truth.size()) cv::resize(prediction.values, values, ground_truth.size(), 0, 0, cv::INTER_LINEAR);
  EvalRegion region;
  region.min_depth = options.min_depth;
  region.max_depth = options.max_depth;
  region.crop = CropRect(options.crop, ground_truth.size());
  cv::Mat1b mask = (ground_truth >= options.min_depth) & (ground_truth <= options.max_depth);
  if (region.crop) {
    cv::Mat1b inside(mask.size(), uchar(0));
    inside(*region.crop).setTo(255);
    mask &= inside;
  }
  cv::Mat1f aligned = AlignPrediction(values, prediction.kind, ground_truth, mask, options.alignment);
  return ComputeDepthMetrics(aligned, ground_truth, region);
}

EvalReport EvaluateDataset(const DepthEstimator& estimator, const RgbdDataset& dataset, const EvalOptions& options) {
  options.Check();
  EvalReport report;
  report.model = estimator.name();
  report.data = dataset.description();
  report.options = options;
  Progress progress("eval", double(dataset.size()), "img", options.show_progress ? stderr : nullptr);
  std::vector<DepthMetrics> all;
  for (size_t i = 0; i < dataset.size(); ++i) {
    RgbdSample sample = dataset.Get(i);
    DepthMetrics m = EvaluatePrediction(estimator.Estimate(sample.image), sample.depth, options);
    report.per_image.emplace_back(sample.name, m);
    progress.Set(double(i + 1));
  }
  DepthMetrics& mean = report.mean;
  double n = 0;
  for (auto& [name, m] : report.per_image) {
    if (m.pixels > 0) continue;
    // Nothing was compared: no number, rather than a perfect-looking zero.
    double none = std::numeric_limits<double>::quiet_NaN();
    m.abs_rel = m.sq_rel = m.rmse = m.rmse_log = m.log10 = m.mae = m.delta1 = m.delta2 = m.delta3 = m.silog = none;
  }
  for (const auto& [name, m] : report.per_image) {
    if (m.pixels == 0) continue;  // no valid ground truth in this image
    n += 1;
    mean.pixels += m.pixels;
    mean.abs_rel += m.abs_rel; mean.sq_rel += m.sq_rel; mean.rmse += m.rmse; mean.rmse_log += m.rmse_log;
    mean.log10 += m.log10; mean.mae += m.mae; mean.delta1 += m.delta1; mean.delta2 += m.delta2;
    mean.delta3 += m.delta3; mean.silog += m.silog;
  }
  if (n == 0) {
    throw Error(report.data + ": no image has valid ground truth (every depth is 0, unknown, or outside " +
                std::to_string(options.min_depth) + "-" + std::to_string(options.max_depth) + " m); nothing to measure");
  }
  {
    mean.abs_rel /= n; mean.sq_rel /= n; mean.rmse /= n; mean.rmse_log /= n; mean.log10 /= n; mean.mae /= n;
    mean.delta1 /= n; mean.delta2 /= n; mean.delta3 /= n; mean.silog /= n;
  }
  return report;
}

namespace {

nlohmann::json ToJson(const DepthMetrics& m) {
  return {{"pixels", m.pixels}, {"abs_rel", m.abs_rel}, {"sq_rel", m.sq_rel}, {"rmse", m.rmse},
          {"rmse_log", m.rmse_log}, {"log10", m.log10}, {"mae", m.mae}, {"delta1", m.delta1},
          {"delta2", m.delta2}, {"delta3", m.delta3}, {"silog", m.silog}};
}

}  // namespace

std::vector<std::string> EvalReportPaths(const std::string& json_path) {
  std::string base = fs::path(json_path).replace_extension("").string();
  return {json_path, base + ".csv", base + ".md"};
}

void WriteEvalReport(const EvalReport& report, const std::string& json_path) {
  nlohmann::json json;
  json["model"] = report.model;
  json["data"] = report.data;
  json["images"] = report.per_image.size();
  json["crop"] = ToString(report.options.crop);
  json["alignment"] = ToString(report.options.alignment);
  json["min_depth"] = report.options.min_depth;
  json["max_depth"] = report.options.max_depth;
  json["metrics"] = ToJson(report.mean);
  WriteFileBytes(json_path, json.dump(2) + "\n");

  const std::vector<std::string> paths = EvalReportPaths(json_path);
  std::string csv = "image,pixels,abs_rel,sq_rel,rmse,rmse_log,log10,mae,delta1,delta2,delta3,silog\n";
  char line[512];
  for (const auto& [name, m] : report.per_image) {
    if (m.pixels == 0) {  // no valid ground truth: empty fields
      csv += name + ",0,,,,,,,,,,\n";
      continue;
    }
    std::snprintf(line, sizeof line, "%s,%lld,%.6f,%.6f,%.6f,%.6f,%.6f,%.6f,%.6f,%.6f,%.6f,%.6f\n", name.c_str(),
                  (long long)m.pixels, m.abs_rel, m.sq_rel, m.rmse, m.rmse_log, m.log10, m.mae, m.delta1, m.delta2,
                  m.delta3, m.silog);
    csv += line;
  }
  WriteFileBytes(paths[1], csv);
  const DepthMetrics& m = report.mean;
  std::snprintf(line, sizeof line,
                "| AbsRel | SqRel | RMSE | RMSE log | log10 | MAE | δ1 | δ2 | δ3 | SILog |\n"
                "|---|---|---|---|---|---|---|---|---|---|\n"
                "| %.3f | %.3f | %.3f | %.3f | %.3f | %.3f | %.3f | %.3f | %.3f | %.2f |\n",
                m.abs_rel, m.sq_rel, m.rmse, m.rmse_log, m.log10, m.mae, m.delta1, m.delta2, m.delta3, m.silog);
  std::string md = "# " + report.model + " on " + report.data + "\n\n" + std::to_string(report.per_image.size()) +
                   " images, crop " + ToString(report.options.crop) + ", alignment " + ToString(report.options.alignment) +
                   ", depth " + std::to_string(report.options.min_depth) + "–" + std::to_string(report.options.max_depth) +
                   " m\n\n" + line;
  WriteFileBytes(paths[2], md);
}

}  // namespace depthforge
