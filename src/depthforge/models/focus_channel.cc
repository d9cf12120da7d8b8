#include "depthforge/models/focus_channel.h"

#include <algorithm>
#include <cmath>
#include <vector>

#include <opencv2/imgproc.hpp>

namespace depthforge {

cv::Mat3f FocusChannel(const cv::Mat3b& image, double min_sigma) {
  cv::Mat1b grey;
  cv::cvtColor(image, grey, cv::COLOR_BGR2GRAY);
  cv::Mat1f laplacian;
  cv::Laplacian(grey, laplacian, CV_32F);
  // Local variance (sharpness) of the inner 4x4 cells of a 6x6 grid.
  std::vector<double> scores;
  for (int gy = 1; gy < 5; ++gy) {
    for (int gx = 1; gx < 5; ++gx) {
      cv::Rect cell(gx * image.cols / 6, gy * image.rows / 6, image.cols / 6, image.rows / 6);
      cv::Scalar mean, deviation;
      cv::meanStdDev(laplacian(cell), mean, deviation);
      scores.push_back(deviation[0] * deviation[0]);
    }
  }
  std::sort(scores.rbegin(), scores.rend());
  double sigma = std::max(min_sigma, std::sqrt(std::abs(scores[0] - scores[1])) / 10.0);
  sigma = std::min(sigma, 0.05 * std::max(image.cols, image.rows));
  cv::Mat3f color, narrow, wide;
  image.convertTo(color, CV_32F, 1.0 / 255);
  cv::GaussianBlur(color, narrow, {0, 0}, sigma);
  cv::GaussianBlur(color, wide, {0, 0}, 2 * sigma);
  cv::Mat3f dog = narrow - wide;
  // Map to [0, 1] around 0.5, as an image the network can take.
  double lo, hi;
  cv::minMaxLoc(dog.reshape(1), &lo, &hi);
  double range = std::max(std::abs(lo), std::abs(hi));
  return range > 1e-9 ? cv::Mat3f(dog * (0.5 / range) + cv::Scalar::all(0.5)) : cv::Mat3f(dog.size(), cv::Vec3f(0.5f, 0.5f, 0.5f));
}

}  // namespace depthforge
