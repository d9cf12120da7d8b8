#include "depthforge/train/augment.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <random>

#include <opencv2/imgproc.hpp>

#include "depthforge/core/error.h"

namespace depthforge {

void AugmentOptions::Check() const {
  if (max_scale < 0 || max_scale > 1) throw OptionError("augmentation scale must be between 0 and 1");
  if (max_rotation_degrees < 0 || max_rotation_degrees > 45) throw OptionError("augmentation rotation must be 0-45 degrees");
  if (max_translation < 0 || max_translation > 0.5) throw OptionError("augmentation translation must be 0-0.5");
  if (color_jitter < 0 || color_jitter > 1) throw OptionError("colour jitter must be 0-1");
}

RgbdSample PrepareSample(const RgbdSample& sample, cv::Size size, const AugmentOptions& options, uint64_t seed) {
  RgbdSample out;
  out.name = sample.name;
  if (!options.enabled) {
    cv::resize(sample.image, out.image, size, 0, 0, cv::INTER_AREA);
    cv::resize(sample.depth, out.depth, size, 0, 0, cv::INTER_NEAREST);
    return out;
  }
  options.Check();
  std::mt19937_64 rng(seed);
  auto uniform = [&](double lo, double hi) { return std::uniform_real_distribution<double>(lo, hi)(rng); };
  double scale = 1.0 + uniform(0, options.max_scale);
  double angle = uniform(-options.max_rotation_degrees, options.max_rotation_degrees);
  double tx = uniform(-options.max_translation, options.max_translation) * size.width;
  double ty = uniform(-options.max_translation, options.max_translation) * size.height;
  bool flip = options.flip && uniform(0, 1) < 0.5;
  double brightness = 1 + uniform(-options.color_jitter, options.color_jitter);
  double contrast = 1 + uniform(-options.color_jitter, options.color_jitter);
  double saturation = 1 + uniform(-options.color_jitter, options.color_jitter);

  // Source -> output: fit to the output size, then rotate/scale about the centre and translate.
  double fx = double(size.width) / sample.image.cols, fy = double(size.height) / sample.image.rows;
  cv::Matx33d fit(fx, 0, 0, 0, fy, 0, 0, 0, 1);
  cv::Mat rotation = cv::getRotationMatrix2D(cv::Point2f(size.width / 2.f, size.height / 2.f), angle, scale);
  cv::Matx33d rotate(rotation.at<double>(0, 0), rotation.at<double>(0, 1), rotation.at<double>(0, 2) + tx,
                     rotation.at<double>(1, 0), rotation.at<double>(1, 1), rotation.at<double>(1, 2) + ty, 0, 0, 1);
  cv::Matx33d mirror = flip ? cv::Matx33d(-1, 0, size.width - 1.0, 0, 1, 0, 0, 0, 1) : cv::Matx33d::eye();
  cv::Matx33d total = mirror * rotate * fit;
  cv::Mat affine = cv::Mat(total).rowRange(0, 2);
  cv::warpAffine(sample.image, out.image, affine, size, cv::INTER_LINEAR, cv::BORDER_REFLECT);
  // Depth: nearest neighbour, and 0 (unknown) where the warp leaves the source.
  cv::warpAffine(sample.depth, out.depth, affine, size, cv::INTER_NEAREST, cv::BORDER_CONSTANT,
                 cv::Scalar(std::numeric_limits<float>::quiet_NaN()));  // outside the photo: unknown

  cv::Mat3f color;
  out.image.convertTo(color, CV_32F, 1.0 / 255);
  cv::Scalar mean = cv::mean(color);
  double grey_mean = (mean[0] + mean[1] + mean[2]) / 3;
  for (auto& pixel : cv::Mat_<cv::Vec3f>(color)) {
    float grey = (pixel[0] + pixel[1] + pixel[2]) / 3;
    cv::Vec3f saturated = cv::Vec3f(grey, grey, grey) + (pixel - cv::Vec3f(grey, grey, grey)) * float(saturation);
    cv::Vec3f contrasted = (saturated - cv::Vec3f::all(float(grey_mean))) * float(contrast) + cv::Vec3f::all(float(grey_mean));
    pixel = contrasted * float(brightness);
  }
  color.convertTo(out.image, CV_8U, 255.0);
  return out;
}

}  // namespace depthforge
