#include "depthforge/render/view_synthesis.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <tuple>
#include <vector>

#include <opencv2/core/utility.hpp>
#include <opencv2/imgproc.hpp>
#include <opencv2/photo.hpp>

#include "depthforge/core/error.h"

namespace depthforge {
namespace {

constexpr float kEmpty = -std::numeric_limits<float>::infinity();

// Grows the foreground by 'radius' pixels along rows where the disparity
// jumps by more than 'threshold', so boundary pixels travel with the object.
cv::Mat1f DilateForegroundEdges(const cv::Mat1f& disparity, int radius, double threshold) {
  if (radius <= 0) return disparity;
  cv::Mat1f grown = disparity.clone();
  for (int y = 0; y < disparity.rows; ++y) {
    const float* d = disparity[y];
    float* g = grown[y];
    for (int x = 0; x < disparity.cols; ++x) {
      if (!std::isfinite(d[x])) continue;
      float best = d[x];
      for (int k = std::max(0, x - radius); k <= std::min(disparity.cols - 1, x + radius); ++k) {
        if (std::isfinite(d[k])) best = std::max(best, d[k]);
      }
      if (best - d[x] > threshold) g[x] = best;
    }
  }
  return grown;
}

// std::ceil is a library call without SSE4.1; this is two instructions
// (exact for |v| < 2^31).
inline int Ceil(float v) {
  const int i = int(v);
  return i + (v > float(i));
}

// Forward-warps one row into a view. Everything the loop reads is a
// parameter or a local: the colour stores go through uchar pointers, which
// may alias anything, so values reached through references would be
// reloaded after every pixel written.
void WarpRow(const cv::Vec3b* src, const float* d, int width, float shift, float threshold, bool z_buffer,
             bool connect_surfaces, cv::Vec3b* color, float* depth) {
  // The z-buffer test comes before the colour is computed: most spans of a
  // view are hidden somewhere, and the blend is the costly part.
  auto visible = [=](int p, float disparity) { return !z_buffer || disparity > depth[p]; };
  // Pixel centres p with a <= p < b get one colour and disparity (the half
  // pixels where a surface starts or ends).
  auto fill = [=](float a, float b, cv::Vec3b c, float disparity) {
    const int first = std::max(0, Ceil(a)), last = std::min(width, Ceil(b));
    for (int p = first; p < last; ++p) {
      if (!visible(p, disparity)) continue;
      depth[p] = disparity;
      color[p] = c;
    }
  };
  // A source pixel on a surface: its target position, that position's
  // ceiling and its colour in float. Along a surface each pixel's end of
  // one span is the start of the next, so these are computed once per
  // pixel and carried.
  struct Point {
    float t;
    int ceil_t;
    float c[3];
  };
  auto point = [&](int x) {
    const float t = float(x) - shift * d[x];
    return Point{t, Ceil(t), {float(src[x][0]), float(src[x][1]), float(src[x][2])}};
  };
  // Pixel centres between a.t and b.t get the linear blend from (a, da) to
  // (b, db). Single precision: positions are below 2^16 pixels.
  auto span = [=](const Point& a, const Point& b, float da, float db) {
    const int first = std::max(0, std::min(a.ceil_t, b.ceil_t)), last = std::min(width, std::max(a.ceil_t, b.ceil_t));
    if (first >= last) return;
    const float step = b.t != a.t ? 1.f / (b.t - a.t) : 0.f;
    const float dc[3] = {b.c[0] - a.c[0], b.c[1] - a.c[1], b.c[2] - a.c[2]};
    for (int p = first; p < last; ++p) {
      const float alpha = std::clamp((float(p) - a.t) * step, 0.f, 1.f);
      const float disparity = da + (db - da) * alpha;
      if (!visible(p, disparity)) continue;
      depth[p] = disparity;
      color[p] = cv::Vec3b(cv::saturate_cast<uchar>(a.c[0] + dc[0] * alpha), cv::saturate_cast<uchar>(a.c[1] + dc[1] * alpha),
                           cv::saturate_cast<uchar>(a.c[2] + dc[2] * alpha));
    }
  };
  if (!connect_surfaces) {
    for (int x = 0; x < width; ++x) {
      if (!std::isfinite(d[x])) continue;
      const int p = int(std::lround(float(x) - shift * d[x]));
      if (p >= 0 && p < width && visible(p, d[x])) depth[p] = d[x], color[p] = src[x];
    }
    return;
  }
  bool joined_before = false;  // whether x continues the surface of x-1
  Point here{};
  for (int x = 0; x < width; ++x) {
    const float dx = d[x];
    if (!std::isfinite(dx)) {
      joined_before = false;
      continue;
    }
    // The half pixel before x when the surface starts here, the span to
    // x+1 when it continues, or the half pixel after x when it ends.
    if (!joined_before) {
      here = point(x);
      fill(here.t - 0.5f, here.t, src[x], dx);
    }
    const bool joined_after = x + 1 < width && std::isfinite(d[x + 1]) && std::abs(dx - d[x + 1]) <= threshold;
    if (joined_after) {
      const Point next = point(x + 1);
      span(here, next, dx, d[x + 1]);
      here = next;
    } else {
      fill(here.t, here.t + 0.5f, src[x], dx);
    }
    joined_before = joined_after;
  }
}

// Fills each hole run of a row with the colour of its background-side edge
// pixel (the farther neighbour), then smooths the filled pixels vertically
// with the fills of the rows above and below, which hides row-to-row streaks
// without ever reading a foreground pixel.
void SmoothFilledHoles(cv::Mat3b& image, const cv::Mat1b& holes, int smoothing) {
  const cv::Mat3b filled = image.clone();  // the fills before smoothing
  cv::parallel_for_(cv::Range(0, image.rows), [&](const cv::Range& rows) {
    for (int y = rows.start; y < rows.end; ++y) {
      const uchar* hole = holes[y];
      cv::Vec3b* out = image[y];
      const int first_row = std::max(0, y - smoothing), last_row = std::min(image.rows - 1, y + smoothing);
      for (int x = 0; x < image.cols; ++x) {
        if (!hole[x]) continue;
        int sum[3] = {0, 0, 0}, count = 0;
        for (int k = first_row; k <= last_row; ++k) {
          if (!holes(k, x)) continue;
          const cv::Vec3b& c = filled(k, x);
          sum[0] += c[0], sum[1] += c[1], sum[2] += c[2];
          ++count;
        }
        // Integer sums, rounded to nearest.
        out[x] = cv::Vec3b(uchar((2 * sum[0] + count) / (2 * count)), uchar((2 * sum[1] + count) / (2 * count)),
                           uchar((2 * sum[2] + count) / (2 * count)));
      }
    }
  });
}

}  // namespace

void FillHolesFromBackground(cv::Mat3b& image, cv::Mat1f& disparity, const cv::Mat1b& holes, int smoothing,
                             double edge_threshold) {
  std::vector<std::tuple<int, int, int>> soft_edges;  // row, hole pixel, object pixel
  for (int y = 0; y < image.rows; ++y) {
    float* d = disparity[y];
    cv::Vec3b* c = image[y];
    int x = 0;
    while (x < image.cols) {
      if (std::isfinite(d[x])) { ++x; continue; }
      int start = x;
      while (x < image.cols && !std::isfinite(d[x])) ++x;
      int end = x;  // hole is [start, end)
      bool has_left = start > 0, has_right = end < image.cols;
      if (!has_left && !has_right) continue;
      bool from_left = has_left && (!has_right || d[start - 1] <= d[end]);
      int edge = from_left ? start - 1 : end;
      if (has_left && has_right && std::abs(d[start - 1] - d[end]) > edge_threshold) {
        soft_edges.push_back(from_left ? std::tuple{y, end - 1, end} : std::tuple{y, start, start - 1});
      }
      for (int k = start; k < end; ++k) {
        c[k] = c[edge];
        d[k] = d[edge];
      }
    }
  }
  if (smoothing > 0) SmoothFilledHoles(image, holes, smoothing);
  // Soft object edges: photos blur an object's outline into what is behind
  // it, so the hole pixel touching the object takes half of the object's
  // edge colour.
  for (const auto& [y, x, object_x] : soft_edges) {
    image(y, x) = cv::Vec3b((cv::Vec3f(image(y, x)) + cv::Vec3f(image(y, object_x))) * 0.5f);
  }
}

void ViewSynthesisOptions::Check() const {
  if (!(edge_threshold > 0 && edge_threshold < 1000)) throw OptionError("edge threshold must be a positive number of pixels");
  if (edge_dilation < 0 || edge_dilation > 16) throw OptionError("edge dilation must be between 0 and 16 pixels");
  if (hole_smoothing < 0 || hole_smoothing > 16) throw OptionError("hole smoothing must be between 0 and 16 rows");
}

const EnumNames<ViewSynthesisOptions::HoleFill>& HoleFillNames() {
  using HoleFill = ViewSynthesisOptions::HoleFill;
  static const EnumNames<HoleFill> kNames{"hole filling", {{"background", HoleFill::kBackground},
      {"telea", HoleFill::kTelea}, {"none", HoleFill::kNone}}};
  return kNames;
}

std::vector<SynthesizedView> SynthesizeViews(const cv::Mat3b& image, const cv::Mat1f& disparity_in,
                                             const std::vector<double>& shifts, const ViewSynthesisOptions& options) {
  options.Check();
  if (image.empty()) throw Error("cannot synthesise a view of an empty image");
  if (image.size() != disparity_in.size()) {
    throw Error("disparity map is " + std::to_string(disparity_in.cols) + "x" + std::to_string(disparity_in.rows) +
                " but the image is " + std::to_string(image.cols) + "x" + std::to_string(image.rows));
  }
  for (double shift : shifts) {
    if (!std::isfinite(shift) || std::abs(shift) > 100) throw OptionError("view shift must be a finite number of baselines");
  }
  // One rule for what a disparity may be: finite and less than the image
  // width (a larger one moves the pixel out of every view); the rest is unknown.
  cv::Mat1f usable = disparity_in.clone();
  const float widest = float(image.cols);
  int64_t usable_pixels = 0;
  for (float& d : usable) {
    if (std::isfinite(d) && std::abs(d) < widest) ++usable_pixels;
    else d = kEmpty;
  }
  if (usable_pixels == 0) {
    throw Error("the disparity map has no usable pixel (every value is NaN, infinite, or " + std::to_string(image.cols) +
                " px or more, the image width)");
  }
  cv::Mat1f disparity = DilateForegroundEdges(usable, options.edge_dilation, options.edge_threshold);

  // The disparity is prepared once for every view asked for.
  std::vector<SynthesizedView> views;
  for (double shift : shifts) {
    SynthesizedView view;
    view.image = cv::Mat3b(image.size(), cv::Vec3b(0, 0, 0));
    view.disparity = cv::Mat1f(image.size(), kEmpty);
    const float threshold = float(options.edge_threshold);
    cv::parallel_for_(cv::Range(0, image.rows), [&](const cv::Range& rows) {
      for (int y = rows.start; y < rows.end; ++y) {
        WarpRow(image[y], disparity[y], image.cols, float(shift), threshold, options.z_buffer, options.connect_surfaces,
                view.image[y], view.disparity[y]);
      }
    });

    view.holes = view.disparity == kEmpty;
    switch (options.hole_fill) {
      case ViewSynthesisOptions::HoleFill::kNone: break;
      case ViewSynthesisOptions::HoleFill::kBackground:
        FillHolesFromBackground(view.image, view.disparity, view.holes, options.hole_smoothing, options.edge_threshold);
        break;
      case ViewSynthesisOptions::HoleFill::kTelea:
        cv::inpaint(view.image, view.holes, view.image, 3, cv::INPAINT_TELEA);
        break;
    }
    view.disparity.setTo(std::numeric_limits<float>::quiet_NaN(), view.disparity == kEmpty);
    views.push_back(std::move(view));
  }
  return views;
}

SynthesizedView SynthesizeView(const cv::Mat3b& image, const cv::Mat1f& disparity, double shift,
                               const ViewSynthesisOptions& options) {
  return std::move(SynthesizeViews(image, disparity, {shift}, options).front());
}



}  // namespace depthforge
