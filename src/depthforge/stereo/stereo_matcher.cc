#include "depthforge/stereo/stereo_matcher.h"

#include <cmath>
#include <limits>
#include <vector>

#include <opencv2/calib3d.hpp>
#include <opencv2/features2d.hpp>
#include <opencv2/imgproc.hpp>

#include "depthforge/core/error.h"
#include "depthforge/util/plugin_library.h"

namespace depthforge {

void StereoMatchOptions::Check() const {
  if (max_disparity < 1 || max_disparity > 1024) throw OptionError("max disparity must be between 1 and 1024 pixels");
  if (block_size < 1 || block_size > 21 || block_size % 2 == 0) throw OptionError("block size must be odd, 1-21");
  if (!(wls_lambda > 0) || !(wls_sigma > 0)) throw OptionError("WLS lambda and sigma must be positive");
  if (min_confidence < 0 || min_confidence > 1) throw OptionError("minimum confidence must be between 0 and 1");
}

namespace {

void CheckPair(const cv::Mat& left, const cv::Mat& right) {
  if (left.empty() || right.empty()) throw Error("stereo images must not be empty");
  if (left.size() != right.size()) {
    throw Error("left image is " + std::to_string(left.cols) + "x" + std::to_string(left.rows) + " but right is " +
                std::to_string(right.cols) + "x" + std::to_string(right.rows) + "; a stereo pair must have one size");
  }
}

int RoundUp16(int value) { return (value + 15) / 16 * 16; }

cv::Mat1f ToPixels(const cv::Mat& fixed_point, int min_disparity) {
  cv::Mat1f out(fixed_point.size());
  for (int y = 0; y < out.rows; ++y) {
    for (int x = 0; x < out.cols; ++x) {
      short v = fixed_point.at<short>(y, x);
      out(y, x) = v < min_disparity * 16 ? std::numeric_limits<float>::quiet_NaN() : v / 16.f;
    }
  }
  return out;
}

// What the filter leaves unknown (rows with no confident pixel nearby, the
// far left border) takes, along its row, the smaller of the nearest known
// disparities on either side: unmatched pixels are mostly occluded
// background. Rows with no known pixel stay unknown.
void FillAlongRows(cv::Mat1f& disparity) {
  for (int y = 0; y < disparity.rows; ++y) {
    float* row = disparity[y];
    const int width = disparity.cols;
    std::vector<float> from_left(size_t(width), NAN), from_right(size_t(width), NAN);
    float last = NAN;
    for (int x = 0; x < width; ++x) from_left[size_t(x)] = last = std::isfinite(row[x]) ? row[x] : last;
    last = NAN;
    for (int x = width - 1; x >= 0; --x) from_right[size_t(x)] = last = std::isfinite(row[x]) ? row[x] : last;
    for (int x = 0; x < width; ++x) {
      if (std::isfinite(row[x])) continue;
      float a = from_left[size_t(x)], b = from_right[size_t(x)];
      row[x] = std::isfinite(a) && std::isfinite(b) ? std::min(a, b) : (std::isfinite(a) ? a : b);
    }
  }
}

int SearchRange(int max_disparity, int width) {
  // A disparity as wide as the image matches nothing; keep the range (a
  // multiple of 16, as SGBM needs) inside the image.
  int range = RoundUp16(max_disparity);
  while (range > 16 && range > width - 16) range -= 16;
  return range;
}

}  // namespace

StereoMatchResult MatchStereo(const cv::Mat& left, const cv::Mat& right, const StereoMatchOptions& options) {
  options.Check();
  CheckPair(left, right);
  if (left.cols < kMinStereoWidth || left.rows < options.block_size) {
    throw Error("stereo images are " + std::to_string(left.cols) + "x" + std::to_string(left.rows) +
                "; matching needs at least " + std::to_string(kMinStereoWidth) + " pixels of width and " +
                std::to_string(options.block_size) + " rows");
  }
  int disparities = SearchRange(options.max_disparity, left.cols);
  int channels = left.channels();
  int block = options.block_size;
  auto matcher = cv::StereoSGBM::create(0, disparities, block, 8 * channels * block * block,
                                        32 * channels * block * block, 1, 63, 10, 100, 2,
                                        options.eight_paths ? cv::StereoSGBM::MODE_HH : cv::StereoSGBM::MODE_SGBM_3WAY);
  cv::Mat left_disparity, right_disparity;
  matcher->compute(left, right, left_disparity);
  StereoMatchResult result;
  if (!options.left_right_check) {
    result.disparity = ToPixels(left_disparity, 0);
    result.confidence = cv::Mat1f(left.size(), 1.f);
    result.confidence.setTo(0.f, result.disparity != result.disparity);
    return result;
  }
  // ximgproc's right-view matcher and WLS filter, in libdepthforge_opencv.so
  // (stereo/wls_filter.cc): ximgproc's library tree is too heavy to load
  // at every start-up. The whole image is filtered, including the left
  // border that no right-image pixel sees (max_disparity columns): the
  // filter fills it from its neighbours, guided by the left image, so the
  // map is dense as users expect. Its low confidence stays in the
  // confidence map (and --no-fill leaves it unknown).
  using Entry = void (*)(const cv::Ptr<cv::StereoSGBM>*, const cv::Mat*, const cv::Mat*, const cv::Mat*, double, double,
                         cv::Mat*, cv::Mat*, cv::Mat*);
  auto wls_filter = reinterpret_cast<Entry>(OpenCvLibrarySymbol("depthforge_opencv_wls_filter"));
  cv::Mat filtered, confidence;
  wls_filter(&matcher, &left, &right, &left_disparity, options.wls_lambda, options.wls_sigma, &right_disparity, &filtered,
             &confidence);
  confidence.convertTo(result.confidence, CV_32F, 1.0 / 255);
  if (options.fill) {
    result.disparity = ToPixels(filtered, 0);
    FillAlongRows(result.disparity);
    if (options.min_confidence > 0) {
      result.disparity.setTo(std::numeric_limits<float>::quiet_NaN(), result.confidence < options.min_confidence);
    }
  } else {
    // Consistent pixels only: the raw disparity where the check passed.
    result.disparity = ToPixels(left_disparity, 0);
    result.disparity.setTo(std::numeric_limits<float>::quiet_NaN(), result.confidence <= 0.f);
  }
  return result;
}

cv::Mat1f MatchStereoPlainSgbm(const cv::Mat& left, const cv::Mat& right, int max_disparity) {
  CheckPair(left, right);
  auto matcher = cv::StereoSGBM::create(0, SearchRange(max_disparity, left.cols));
  cv::Mat disparity;
  matcher->compute(left, right, disparity);
  return ToPixels(disparity, 0);
}

cv::Mat1f DepthFromDisparity(const cv::Mat1f& disparity, double focal, double baseline, double doffs) {
  if (!(focal > 0 && baseline > 0)) throw OptionError("focal length and baseline must be positive");
  cv::Mat1f depth(disparity.size());
  for (int y = 0; y < depth.rows; ++y) {
    for (int x = 0; x < depth.cols; ++x) {
      double d = double(disparity(y, x)) + doffs;
      depth(y, x) = std::isfinite(d) && d > 0 ? float(focal * baseline / d) : std::numeric_limits<float>::quiet_NaN();
    }
  }
  return depth;
}

double MedianRowOffset(const cv::Mat& left, const cv::Mat& right) {
  auto orb = cv::ORB::create(2000);
  std::vector<cv::KeyPoint> kl, kr;
  cv::Mat dl, dr;
  orb->detectAndCompute(left, cv::noArray(), kl, dl);
  orb->detectAndCompute(right, cv::noArray(), kr, dr);
  if (dl.empty() || dr.empty()) return std::numeric_limits<double>::quiet_NaN();
  cv::BFMatcher matcher(cv::NORM_HAMMING);
  std::vector<std::vector<cv::DMatch>> knn;
  matcher.knnMatch(dl, dr, knn, 2);
  std::vector<cv::Point2f> pl, pr;
  for (const auto& m : knn) {
    if (m.size() == 2 && m[0].distance < 0.75 * m[1].distance) {
      pl.push_back(kl[size_t(m[0].queryIdx)].pt);
      pr.push_back(kr[size_t(m[0].trainIdx)].pt);
    }
  }
  if (pl.size() < 15) return std::numeric_limits<double>::quiet_NaN();
  // Only matches consistent with one epipolar geometry count: repetitive
  // textures (a chessboard) produce many wrong matches.
  std::vector<uchar> inlier;
  cv::Mat fundamental = cv::findFundamentalMat(pl, pr, cv::FM_RANSAC, 1.0, 0.999, inlier);
  if (fundamental.empty()) return std::numeric_limits<double>::quiet_NaN();
  std::vector<double> offsets;
  for (size_t i = 0; i < pl.size(); ++i) {
    if (inlier[i]) offsets.push_back(std::abs(pl[i].y - pr[i].y));
  }
  if (offsets.size() < 8) return std::numeric_limits<double>::quiet_NaN();
  std::nth_element(offsets.begin(), offsets.begin() + long(offsets.size() / 2), offsets.end());
  return offsets[offsets.size() / 2];
}


}  // namespace depthforge
