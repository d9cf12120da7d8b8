// In libdepthforge_opencv.so: OpenCV ximgproc's right-view matcher and
// weighted-least-squares disparity filter for stereo/stereo_matcher.cc,
// which calls it through OpenCvLibrarySymbol (util/plugin_library.h).
#include <opencv2/calib3d.hpp>
#include <opencv2/ximgproc/disparity_filter.hpp>

// Computes the right view's disparity, then filters the left one guided by
// the left image: 'filtered' (16× fixed point) and 'confidence' (0..255).
extern "C" void depthforge_opencv_wls_filter(const cv::Ptr<cv::StereoSGBM>* matcher, const cv::Mat* left,
                                             const cv::Mat* right, const cv::Mat* left_disparity, double lambda,
                                             double sigma, cv::Mat* right_disparity, cv::Mat* filtered,
                                             cv::Mat* confidence) {
  auto right_matcher = cv::ximgproc::createRightMatcher(*matcher);
  right_matcher->compute(*right, *left, *right_disparity);
  auto wls = cv::ximgproc::createDisparityWLSFilter(*matcher);
  wls->setLambda(lambda);
  wls->setSigmaColor(sigma);
  wls->setLRCthresh(1);
  wls->filter(*left_disparity, *left, *filtered, *right_disparity, cv::Rect(0, 0, left->cols, left->rows), *right);
  *confidence = wls->getConfidenceMap();
}
