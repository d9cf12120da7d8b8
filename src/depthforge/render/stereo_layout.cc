#include "depthforge/render/stereo_layout.h"

#include <cmath>

#include <opencv2/imgproc.hpp>

#include "depthforge/core/error.h"

namespace depthforge {

cv::Mat3b ComposeStereo(const cv::Mat3b& left, const cv::Mat3b& right, StereoLayout layout) {
  if (left.size() != right.size() || left.empty()) throw Error("stereo views must be non-empty and of the same size");
  cv::Mat3b out, l = left, r = right;
  switch (layout) {
    case StereoLayout::kFullSideBySide: cv::hconcat(left, right, out); break;
    case StereoLayout::kCrossEyed: cv::hconcat(right, left, out); break;
    case StereoLayout::kFullTopBottom: cv::vconcat(left, right, out); break;
    case StereoLayout::kHalfSideBySide: {
      if (left.cols < 2) throw Error("half side-by-side needs a photo at least 2 pixels wide");
      int half = left.cols / 2;
      cv::resize(left, l, {half, left.rows}, 0, 0, cv::INTER_AREA);
      cv::resize(right, r, {left.cols - half, left.rows}, 0, 0, cv::INTER_AREA);
      cv::hconcat(l, r, out);
      break;
    }
    case StereoLayout::kHalfTopBottom: {
      if (left.rows < 2) throw Error("half top-bottom needs a photo at least 2 pixels tall");
      int half = left.rows / 2;
      cv::resize(left, l, {left.cols, half}, 0, 0, cv::INTER_AREA);
      cv::resize(right, r, {left.cols, left.rows - half}, 0, 0, cv::INTER_AREA);
      cv::vconcat(l, r, out);
      break;
    }
  }
  return out;
}

namespace {

struct LinearLut {
  float to_linear[256];
  LinearLut() {
    for (int i = 0; i < 256; ++i) {
      double c = i / 255.0;
      to_linear[i] = float(c <= 0.04045 ? c / 12.92 : std::pow((c + 0.055) / 1.055, 2.4));
    }
  }
};

uchar ToSrgb(float linear) {
  linear = std::clamp(linear, 0.f, 1.f);
  double c = linear <= 0.0031308 ? 12.92 * linear : 1.055 * std::pow(linear, 1 / 2.4) - 0.055;
  return cv::saturate_cast<uchar>(c * 255.0);
}

}  // namespace

cv::Mat3b MakeAnaglyph(const cv::Mat3b& left, const cv::Mat3b& right, AnaglyphMode mode) {
  if (left.size() != right.size() || left.empty()) throw Error("stereo views must be non-empty and of the same size");
  cv::Mat3b out(left.size());
  if (mode == AnaglyphMode::kDubois) {
    // Dubois' red-cyan least-squares projection, in linear RGB (rows: output
    // R, G, B; columns: input R, G, B).
    static const float kLeft[3][3] = {{0.437f, 0.449f, 0.164f}, {-0.062f, -0.062f, -0.024f}, {-0.048f, -0.050f, -0.017f}};
    static const float kRight[3][3] = {{-0.011f, -0.032f, -0.007f}, {0.377f, 0.761f, 0.009f}, {-0.026f, -0.093f, 1.234f}};
    static const LinearLut lut;
    // sRGB encoding of the result through a 4096-entry table.
    static const auto encode = [] {
      std::vector<uchar> table(4096);
      for (int i = 0; i < 4096; ++i) table[size_t(i)] = ToSrgb(i / 4095.f);
      return table;
    }();
    cv::parallel_for_(cv::Range(0, left.rows), [&](const cv::Range& rows) {
      for (int y = rows.start; y < rows.end; ++y) {
        for (int x = 0; x < left.cols; ++x) {
          const cv::Vec3b& a = left(y, x);
          const cv::Vec3b& b = right(y, x);
          float l[3] = {lut.to_linear[a[2]], lut.to_linear[a[1]], lut.to_linear[a[0]]};
          float r[3] = {lut.to_linear[b[2]], lut.to_linear[b[1]], lut.to_linear[b[0]]};
          cv::Vec3b& o = out(y, x);
          for (int c = 0; c < 3; ++c) {
            float v = kLeft[c][0] * l[0] + kLeft[c][1] * l[1] + kLeft[c][2] * l[2] + kRight[c][0] * r[0] +
                      kRight[c][1] * r[1] + kRight[c][2] * r[2];
            o[2 - c] = encode[size_t(std::clamp(int(v * 4095.f + 0.5f), 0, 4095))];
          }
        }
      }
    });
    return out;
  }
  cv::Mat1b left_grey, right_grey;
  cv::cvtColor(left, left_grey, cv::COLOR_BGR2GRAY);
  cv::cvtColor(right, right_grey, cv::COLOR_BGR2GRAY);
  for (int y = 0; y < left.rows; ++y) {
    for (int x = 0; x < left.cols; ++x) {
      const cv::Vec3b& a = left(y, x);
      const cv::Vec3b& b = right(y, x);
      uchar red = mode == AnaglyphMode::kColor ? a[2] : left_grey(y, x);
      uchar green = mode == AnaglyphMode::kGrey ? right_grey(y, x) : b[1];
      uchar blue = mode == AnaglyphMode::kGrey ? right_grey(y, x) : b[0];
      out(y, x) = cv::Vec3b(blue, green, red);
    }
  }
  return out;
}

StereoPair RenderStereoPair(const cv::Mat3b& image, const cv::Mat1f& disparity, const ViewSynthesisOptions& options) {
  std::vector<SynthesizedView> views = SynthesizeViews(image, disparity, {-0.5, 0.5}, options);
  StereoPair pair;
  pair.left = views[0].image;
  pair.right = views[1].image;
  return pair;
}

}  // namespace depthforge
