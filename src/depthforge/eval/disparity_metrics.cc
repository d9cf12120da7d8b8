#include "depthforge/eval/disparity_metrics.h"

#include <cmath>

#include "depthforge/core/error.h"

namespace depthforge {

DisparityErrors CompareDisparity(const cv::Mat1f& estimate, const cv::Mat1f& ground_truth, int border) {
  if (estimate.size() != ground_truth.size()) throw Error("disparity maps differ in size");
  DisparityErrors e;
  int64_t bad1 = 0, bad2 = 0, estimated = 0;
  double error_sum = 0;
  for (int y = border; y < ground_truth.rows - border; ++y) {
    for (int x = border; x < ground_truth.cols - border; ++x) {
      float g = ground_truth(y, x);
      if (!std::isfinite(g) || g <= 0) continue;
      ++e.pixels;
      float d = estimate(y, x);
      if (!std::isfinite(d)) { ++bad1; ++bad2; continue; }
      double error = std::abs(double(d) - g);
      ++estimated;
      error_sum += error;
      bad1 += error > 1;
      bad2 += error > 2;
    }
  }
  if (e.pixels == 0) return e;
  e.bad1 = 100.0 * double(bad1) / double(e.pixels);
  e.bad2 = 100.0 * double(bad2) / double(e.pixels);
  e.density = 100.0 * double(estimated) / double(e.pixels);
  e.epe = estimated > 0 ? error_sum / double(estimated) : 0;
  return e;
}

}  // namespace depthforge
