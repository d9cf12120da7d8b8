#include "depthforge/eval/image_metrics.h"

#include <cmath>
#include <limits>

#include <opencv2/imgproc.hpp>

#include "depthforge/core/error.h"

namespace depthforge {
namespace {

void CheckSizes(const cv::Mat3b& a, const cv::Mat3b& b, const cv::Mat1b& mask) {
  if (a.size() != b.size() || a.empty()) throw Error("image metrics need two images of the same non-zero size");
  if (!mask.empty() && mask.size() != a.size()) throw Error("image metric mask has the wrong size");
}

}  // namespace

double Psnr(const cv::Mat3b& a, const cv::Mat3b& b, const cv::Mat1b& mask) {
  CheckSizes(a, b, mask);
  double sum = 0;
  int64_t count = 0;
  for (int y = 0; y < a.rows; ++y) {
    for (int x = 0; x < a.cols; ++x) {
      if (!mask.empty() && !mask(y, x)) continue;
      for (int c = 0; c < 3; ++c) {
        double e = double(a(y, x)[c]) - b(y, x)[c];
        sum += e * e;
      }
      count += 3;
    }
  }
  if (count == 0) return std::numeric_limits<double>::quiet_NaN();
  double mse = sum / double(count);
  return mse == 0 ? std::numeric_limits<double>::infinity() : 10.0 * std::log10(255.0 * 255.0 / mse);
}

double Ssim(const cv::Mat3b& a, const cv::Mat3b& b, const cv::Mat1b& mask) {
  CheckSizes(a, b, mask);
  cv::Mat1f x, y;
  cv::Mat1b gray_a, gray_b;
  cv::cvtColor(a, gray_a, cv::COLOR_BGR2GRAY);
  cv::cvtColor(b, gray_b, cv::COLOR_BGR2GRAY);
  gray_a.convertTo(x, CV_32F);
  gray_b.convertTo(y, CV_32F);
  const double c1 = std::pow(0.01 * 255, 2), c2 = std::pow(0.03 * 255, 2);
  auto blur = [](const cv::Mat1f& m) {
    cv::Mat1f out;
    cv::GaussianBlur(m, out, {11, 11}, 1.5, 1.5, cv::BORDER_REFLECT);
    return out;
  };
  cv::Mat1f mu_x = blur(x), mu_y = blur(y);
  cv::Mat1f xx = blur(x.mul(x)) - mu_x.mul(mu_x);
  cv::Mat1f yy = blur(y.mul(y)) - mu_y.mul(mu_y);
  cv::Mat1f xy = blur(x.mul(y)) - mu_x.mul(mu_y);
  double sum = 0;
  int64_t count = 0;
  for (int r = 0; r < x.rows; ++r) {
    for (int c = 0; c < x.cols; ++c) {
      if (!mask.empty() && !mask(r, c)) continue;
      double mx = mu_x(r, c), my = mu_y(r, c);
      double s = ((2 * mx * my + c1) * (2 * xy(r, c) + c2)) /
                 ((mx * mx + my * my + c1) * (xx(r, c) + yy(r, c) + c2));
      sum += s;
      ++count;
    }
  }
  return count > 0 ? sum / double(count) : std::numeric_limits<double>::quiet_NaN();
}

}  // namespace depthforge
