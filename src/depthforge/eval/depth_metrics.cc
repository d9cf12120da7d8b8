#include "depthforge/eval/depth_metrics.h"

#include <cmath>

#include "depthforge/core/error.h"

namespace depthforge {

cv::Rect EigenCrop(cv::Size size) {
  double sy = size.height / 480.0, sx = size.width / 640.0;
  int top = int(std::lround(45 * sy)), bottom = int(std::lround(471 * sy));
  int left = int(std::lround(41 * sx)), right = int(std::lround(601 * sx));
  return cv::Rect(left, top, right - left, bottom - top);
}

DepthMetrics ComputeDepthMetrics(const cv::Mat1f& prediction, const cv::Mat1f& ground_truth, const EvalRegion& region) {
  if (prediction.size() != ground_truth.size()) {
    throw Error("prediction is " + std::to_string(prediction.cols) + "x" + std::to_string(prediction.rows) +
                " but ground truth is " + std::to_string(ground_truth.cols) + "x" + std::to_string(ground_truth.rows));
  }
  cv::Rect area(0, 0, prediction.cols, prediction.rows);
  if (region.crop) area &= *region.crop;
  DepthMetrics m;
  double sum_log = 0, sum_log_sq = 0;
  for (int y = area.y; y < area.y + area.height; ++y) {
    for (int x = area.x; x < area.x + area.width; ++x) {
      double g = ground_truth(y, x);
      if (!std::isfinite(g) || g < region.min_depth || g > region.max_depth) continue;
      double p = prediction(y, x);
      if (!std::isfinite(p)) p = region.max_depth;
      p = std::clamp(p, double(region.min_depth), double(region.max_depth));
      double diff = p - g;
      double log_diff = std::log(p) - std::log(g);
      ++m.pixels;
      m.abs_rel += std::abs(diff) / g;
      m.sq_rel += diff * diff / g;
      m.rmse += diff * diff;
      m.rmse_log += log_diff * log_diff;
      m.log10 += std::abs(std::log10(p) - std::log10(g));
      m.mae += std::abs(diff);
      double ratio = std::max(p / g, g / p);
      m.delta1 += ratio < 1.25;
      m.delta2 += ratio < 1.25 * 1.25;
      m.delta3 += ratio < 1.25 * 1.25 * 1.25;
      sum_log += log_diff;
      sum_log_sq += log_diff * log_diff;
    }
  }
  if (m.pixels == 0) return m;
  double n = double(m.pixels);
  m.abs_rel /= n; m.sq_rel /= n; m.log10 /= n; m.mae /= n;
  m.rmse = std::sqrt(m.rmse / n);
  m.rmse_log = std::sqrt(m.rmse_log / n);
  m.delta1 /= n; m.delta2 /= n; m.delta3 /= n;
  double mean_log = sum_log / n;
  m.silog = 100.0 * std::sqrt(std::max(0.0, sum_log_sq / n - mean_log * mean_log));
  return m;
}

double PearsonCorrelation(const cv::Mat1f& a, const cv::Mat1f& b) {
  if (a.size() != b.size() || a.empty()) throw Error("correlation needs two maps of the same non-zero size");
  double n = double(a.total()), sa = 0, sb = 0, saa = 0, sbb = 0, sab = 0;
  for (int y = 0; y < a.rows; ++y) {
    for (int x = 0; x < a.cols; ++x) {
      double u = a(y, x), v = b(y, x);
      sa += u; sb += v; saa += u * u; sbb += v * v; sab += u * v;
    }
  }
  double cov = sab / n - sa / n * sb / n;
  double var_a = saa / n - sa / n * sa / n, var_b = sbb / n - sb / n * sb / n;
  return cov / std::sqrt(var_a * var_b);
}

}  // namespace depthforge
