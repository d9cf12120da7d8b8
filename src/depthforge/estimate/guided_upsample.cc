#include "depthforge/estimate/guided_upsample.h"

#include <algorithm>
#include <cmath>

#include <opencv2/imgproc.hpp>
#include <opencv2/ximgproc.hpp>

#include "depthforge/core/error.h"

namespace depthforge {

void GuidedUpsampleOptions::Check() const {
  if (!(radius_per_factor > 0 && radius_per_factor <= 20)) throw OptionError("guided filter radius factor must be in (0, 20]");
  if (min_radius < 1) throw OptionError("guided filter minimum radius must be at least 1");
  if (!(epsilon > 0 && epsilon < 1)) throw OptionError("guided filter epsilon must be in (0, 1)");
}

cv::Mat1f UpsampleDepth(const cv::Mat1f& low, const cv::Mat3b& guide, const GuidedUpsampleOptions& options,
                        bool inverse) {
  options.Check();
  cv::Mat1f signal = low;
  if (inverse) {
    signal = cv::Mat1f(low.size());
    for (int y = 0; y < low.rows; ++y) {
      for (int x = 0; x < low.cols; ++x) signal(y, x) = low(y, x) > 0 ? 1.f / low(y, x) : 0.f;
    }
  }
  cv::Mat1f up;
  cv::resize(signal, up, guide.size(), 0, 0, cv::INTER_LINEAR);
  if (options.enabled) {
    double factor = std::max(double(guide.cols) / low.cols, double(guide.rows) / low.rows);
    int radius = std::max(options.min_radius, int(std::lround(options.radius_per_factor * factor)));
    cv::Mat3f guide_float;
    guide.convertTo(guide_float, CV_32F, 1.0 / 255.0);
    cv::Mat1f filtered;
    cv::ximgproc::guidedFilter(guide_float, up, filtered, radius, options.epsilon);
    up = filtered;
  }
  if (inverse) {
    for (int y = 0; y < up.rows; ++y) {
      float* row = up[y];
      for (int x = 0; x < up.cols; ++x) row[x] = row[x] > 1e-6f ? 1.f / row[x] : 0.f;
    }
  }
  return up;
}

}  // namespace depthforge
