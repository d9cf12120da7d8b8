#include "depthforge/render/bokeh.h"

#include <algorithm>
#include <cmath>
#include <vector>

#include <opencv2/imgproc.hpp>

#include "depthforge/core/error.h"

namespace depthforge {

void BokehOptions::Check() const {
  if (focus_point && focus_distance) throw OptionError("give a focus point or a focus distance, not both");
  if (focus_distance && !(*focus_distance > 0 && std::isfinite(*focus_distance))) {
    throw OptionError("focus distance must be a positive number of metres");
  }
  if (aperture && !(*aperture >= 0 && *aperture <= 200)) throw OptionError("aperture (blur radius) must be 0-200 pixels");
  if (layers < 2 || layers > 64) throw OptionError("bokeh layers must be between 2 and 64");
}

namespace {

cv::Mat1f Disc(float radius) {
  int r = int(std::ceil(radius));
  cv::Mat1f kernel(2 * r + 1, 2 * r + 1, 0.f);
  for (int y = -r; y <= r; ++y) {
    for (int x = -r; x <= r; ++x) {
      // Anti-aliased edge: coverage of the pixel by the disc.
      float d = std::sqrt(float(x * x + y * y));
      kernel(y + r, x + r) = std::clamp(radius + 0.5f - d, 0.f, 1.f);
    }
  }
  return kernel / cv::sum(kernel)[0];
}

}  // namespace

cv::Mat3b RenderBokeh(const cv::Mat3b& image, const DepthMap& depth, const BokehOptions& options) {
  options.Check();
  if (depth.kind != DepthKind::kMetricDepth) throw Error("bokeh needs metric depth, got " + ToString(depth.kind) + " (a relative model gives metres with --align-to)");
  if (depth.values.size() != image.size()) throw Error("depth map and image differ in size");
  cv::Mat1f z = depth.values.clone();
  cv::Mat1b valid = depth.ValidMask();
  if (cv::countNonZero(valid) == 0) throw Error("depth map has no valid pixel");
  double focus;
  if (options.focus_distance) {
    focus = *options.focus_distance;
  } else if (options.focus_point) {
    cv::Point p = *options.focus_point;
    if (p.x < 0 || p.y < 0 || p.x >= image.cols || p.y >= image.rows) {
      throw OptionError("focus point " + std::to_string(p.x) + "," + std::to_string(p.y) + " is outside the " +
                        std::to_string(image.cols) + "x" + std::to_string(image.rows) + " image");
    }
    // The median of a small window, robust to a single odd pixel.
    cv::Rect window(std::max(0, p.x - 3), std::max(0, p.y - 3), 7, 7);
    window &= cv::Rect(0, 0, image.cols, image.rows);
    std::vector<float> around;
    for (int y = window.y; y < window.y + window.height; ++y)
      for (int x = window.x; x < window.x + window.width; ++x) if (valid(y, x)) around.push_back(z(y, x));
    if (around.empty()) throw OptionError("no valid depth at the focus point");
    std::nth_element(around.begin(), around.begin() + long(around.size() / 2), around.end());
    focus = around[around.size() / 2];
  } else {
    cv::Rect centre(image.cols / 3, image.rows / 3, image.cols / 3, image.rows / 3);
    std::vector<float> middle;
    for (int y = centre.y; y < centre.y + centre.height; ++y)
      for (int x = centre.x; x < centre.x + centre.width; ++x) if (valid(y, x)) middle.push_back(z(y, x));
    if (middle.empty()) middle.push_back(float(cv::mean(z, valid)[0]));
    std::nth_element(middle.begin(), middle.begin() + long(middle.size() / 2), middle.end());
    focus = middle[middle.size() / 2];
  }
  const double aperture = options.aperture.value_or(0.012 * image.cols);
  // Unknown depth is treated as in focus (nothing is invented there).
  cv::Mat1f coc(image.size());
  for (int y = 0; y < image.rows; ++y) {
    for (int x = 0; x < image.cols; ++x) {
      double signed_coc = valid(y, x) ? aperture * (1.0 - focus / z(y, x)) : 0.0;  // > 0 behind focus
      coc(y, x) = float(std::clamp(signed_coc, -3 * aperture, aperture));
    }
  }
  if (aperture < 0.5) return image.clone();

  // Layers by signed circle of confusion, far (largest) to near.
  const int layers = options.layers;
  double lo = -3 * aperture, hi = aperture;
  cv::Mat3f color;
  image.convertTo(color, CV_32F, 1.0 / 255);
  cv::Mat3f result(image.size(), cv::Vec3f(0, 0, 0));
  cv::Mat1f covered(image.size(), 0.f);
  cv::Mat1i layer_of(image.size());
  for (int y = 0; y < image.rows; ++y)
    for (int x = 0; x < image.cols; ++x)
      layer_of(y, x) = std::clamp(int((hi - coc(y, x)) / (hi - lo) * layers), 0, layers - 1);
  for (int layer = 0; layer < layers; ++layer) {
    cv::Mat1b in_layer = layer_of == layer;
    if (cv::countNonZero(in_layer) == 0) continue;
    float radius = float(std::abs(hi - (layer + 0.5) * (hi - lo) / layers));
    cv::Mat1f alpha;
    in_layer.convertTo(alpha, CV_32F, 1.0 / 255);
    cv::Mat3f premultiplied;
    cv::Mat3f alpha3;
    cv::merge(std::vector<cv::Mat>{alpha, alpha, alpha}, alpha3);
    premultiplied = color.mul(alpha3);
    if (radius >= 0.5f) {
      cv::Mat1f kernel = Disc(radius);
      cv::filter2D(premultiplied, premultiplied, -1, kernel, {-1, -1}, 0, cv::BORDER_REFLECT);
      cv::filter2D(alpha, alpha, -1, kernel, {-1, -1}, 0, cv::BORDER_REFLECT);
    }
    // "Over": this (nearer) layer on top of what is already composited.
    for (int y = 0; y < image.rows; ++y) {
      for (int x = 0; x < image.cols; ++x) {
        float a = std::clamp(alpha(y, x), 0.f, 1.f);
        result(y, x) = premultiplied(y, x) + result(y, x) * (1.f - a);
        covered(y, x) = a + covered(y, x) * (1.f - a);
      }
    }
  }
  // Where layers thinned out (behind a blurred-away foreground), normalise.
  cv::Mat3b out(image.size());
  for (int y = 0; y < image.rows; ++y) {
    for (int x = 0; x < image.cols; ++x) {
      float c = covered(y, x);
      cv::Vec3f v = c > 1e-4f ? result(y, x) / c : color(y, x);
      out(y, x) = cv::Vec3b(cv::saturate_cast<uchar>(v[0] * 255), cv::saturate_cast<uchar>(v[1] * 255),
                            cv::saturate_cast<uchar>(v[2] * 255));
    }
  }
  return out;
}

}  // namespace depthforge
