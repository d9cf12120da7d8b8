#include "depthforge/estimate/joint_bilateral_upsample.h"

#include <algorithm>
#include <cmath>
#include <vector>

#include <opencv2/core/utility.hpp>
#include <opencv2/imgproc.hpp>

#include "depthforge/core/error.h"

namespace depthforge {

void UpsampleOptions::Check() const {
  if (radius < 1 || radius > 8) throw OptionError("upsampling radius must be between 1 and 8, got " + std::to_string(radius));
  if (!(sigma_spatial > 0 && sigma_spatial < 100)) throw OptionError("upsampling spatial sigma must be in (0, 100)");
  if (!(sigma_color > 0 && sigma_color < 1000)) throw OptionError("upsampling colour sigma must be in (0, 1000)");
  if (!(flat_tolerance >= 0 && flat_tolerance < 1)) throw OptionError("upsampling flat tolerance must be in [0, 1)");
}

cv::Mat1f UpsampleDepth(const cv::Mat1f& low, const cv::Mat3b& guide, const UpsampleOptions& options,
                        bool inverse) {
  options.Check();
  if (low.empty() || guide.empty()) throw Error("cannot upsample an empty depth map");
  cv::Mat1f signal(low.size());
  for (int y = 0; y < low.rows; ++y) {
    for (int x = 0; x < low.cols; ++x) {
      float v = low(y, x);
      bool valid = std::isfinite(v) && v > 0;
      signal(y, x) = !valid ? 0.f : (inverse ? 1.f / v : v);
    }
  }
  const float scale_x = float(low.cols) / guide.cols, scale_y = float(low.rows) / guide.rows;
  cv::Mat1f out(guide.size(), 0.f);
  cv::Mat1f bilinear;
  cv::resize(signal, bilinear, guide.size(), 0, 0, cv::INTER_LINEAR);
  if (!options.enabled) {
    out = bilinear;
  } else {
    // Smooth windows: every sample known and all within flat_tolerance of
    // each other. The bilateral result is a weighted mean of the window, as
    // is the bilinear one, so there they differ by less than the tolerance;
    // the costly weights are computed only near edges.
    const int window = 2 * options.radius + 1;
    const cv::Mat kernel = cv::getStructuringElement(cv::MORPH_RECT, {window, window});
    cv::Mat1f window_min, window_max;
    cv::erode(signal, window_min, kernel, {-1, -1}, 1, cv::BORDER_REPLICATE);
    cv::dilate(signal, window_max, kernel, {-1, -1}, 1, cv::BORDER_REPLICATE);
    cv::Mat1b smooth(low.size(), uchar(0));
    for (int y = 0; y < low.rows; ++y) {
      for (int x = 0; x < low.cols; ++x) {
        const float lo = window_min(y, x), hi = window_max(y, x);
        smooth(y, x) = lo > 0 && hi - lo <= float(options.flat_tolerance) * hi;
      }
    }
    // The photo at the depth map's resolution: the colour each depth sample saw.
    cv::Mat3b guide_low;
    cv::resize(guide, guide_low, low.size(), 0, 0, cv::INTER_AREA);
    const int r = options.radius;
    const int taps = 2 * r + 1;
    // Both with a border of r samples of 0 (unknown: no weight), so that no
    // window needs bounds checks.
    cv::Mat1f padded_signal;
    cv::Mat3b padded_guide;
    cv::copyMakeBorder(signal, padded_signal, r, r, r, r, cv::BORDER_CONSTANT, 0);
    cv::copyMakeBorder(guide_low, padded_guide, r, r, r, r, cv::BORDER_CONSTANT, 0);
    // Both weights are separable: the spatial one over x and y, the colour
    // one over the three channels (the exponent of a product is a sum), so
    // every factor comes from a small table, here indexed by the signed
    // difference of a channel (-255..255).
    const double two_sigma_c2 = 2 * options.sigma_color * options.sigma_color;
    float channel_weight_table[511];
    for (int d = -255; d <= 255; ++d) channel_weight_table[d + 255] = float(std::exp(-double(d * d) / two_sigma_c2));
    const float* const channel_weight = channel_weight_table + 255;
    const double two_sigma_s2 = 2 * options.sigma_spatial * options.sigma_spatial;
    // Per output column: the first low-res column of its window and the taps' weights.
    std::vector<int> first_x(size_t(guide.cols));
    std::vector<float> weight_x(size_t(guide.cols) * size_t(taps));
    for (int x = 0; x < guide.cols; ++x) {
      const double lx = (x + 0.5) * scale_x - 0.5;
      first_x[size_t(x)] = int(std::lround(lx)) - r;
      for (int k = 0; k < taps; ++k) {
        double dx = first_x[size_t(x)] + k - lx;
        weight_x[size_t(x) * size_t(taps) + size_t(k)] = float(std::exp(-dx * dx / two_sigma_s2));
      }
    }
    cv::parallel_for_(cv::Range(0, guide.rows), [&](const cv::Range& rows) {
      // Locals, so that the compiler keeps them in registers across the
      // stores to 'out' (it cannot prove those do not alias the captures).
      const int low_rows = low.rows, low_cols = low.cols, cols = guide.cols;
      const int* const window_x = first_x.data();
      const float* const weights_x = weight_x.data();
      const float* const cw = channel_weight;
      std::vector<float> weight_y(static_cast<size_t>(taps));
      for (int y = rows.start; y < rows.end; ++y) {
        const double ly = (y + 0.5) * scale_y - 0.5;
        const int y0 = int(std::lround(ly)) - r;
        for (int k = 0; k < taps; ++k) {
          double dy = y0 + k - ly;
          weight_y[size_t(k)] = float(std::exp(-dy * dy / two_sigma_s2));
        }
        const uchar* guide_row = guide.ptr<uchar>(y);
        float* out_row = out[y];
        const uchar* smooth_row = smooth[std::clamp(y0 + r, 0, low_rows - 1)];
        const float* bilinear_row = bilinear[y];
        for (int x = 0; x < cols; ++x) {
          const int x0 = window_x[x];
          if (smooth_row[std::clamp(x0 + r, 0, low_cols - 1)]) {
            out_row[x] = bilinear_row[x];
            continue;
          }
          const float* wx = weights_x + size_t(x) * size_t(taps);
          const int c0 = guide_row[3 * x], c1 = guide_row[3 * x + 1], c2 = guide_row[3 * x + 2];
          float sum = 0, weight_sum = 0;
          for (int ky = 0; ky < taps; ++ky) {
            // Window row y0 + ky, column x0 + kx is padded row y0 + ky + r, column x0 + kx + r.
            const float* s_row = padded_signal[y0 + ky + r] + (x0 + r);
            const uchar* g_row = padded_guide.ptr<uchar>(y0 + ky + r) + 3 * (x0 + r);
            const float wy = weight_y[size_t(ky)];
            for (int kx = 0; kx < taps; ++kx) {
              const float sample = s_row[kx];
              if (sample <= 0) continue;
              const uchar* g = g_row + 3 * kx;
              const float w = wy * wx[kx] * cw[c0 - g[0]] * cw[c1 - g[1]] * cw[c2 - g[2]];
              sum += w * sample;
              weight_sum += w;
            }
          }
          out_row[x] = weight_sum > 1e-12f ? sum / weight_sum : 0.f;
        }
      }
    });
    // Where no sample had a similar colour, fall back to the bilinear value.
    if (cv::countNonZero(out <= 0) > 0) bilinear.copyTo(out, out <= 0);
  }
  if (inverse) {
    for (int y = 0; y < out.rows; ++y) {
      float* row = out[y];
      for (int x = 0; x < out.cols; ++x) row[x] = row[x] > 1e-6f ? 1.f / row[x] : 0.f;
    }
  }
  return out;
}

}  // namespace depthforge
