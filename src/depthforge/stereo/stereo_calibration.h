// Calibrating a stereo rig from chessboard pairs, and rectifying with it.
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <opencv2/core.hpp>

namespace depthforge {

struct ChessboardOptions {
  cv::Size inner_corners{9, 6};  // corners per row and column
  double square_size = 1.0;      // in the unit the calibration should use (e.g. mm)
  void Check() const;
};

using ImagePairPaths = std::pair<std::string, std::string>;

// Left/right image pairs from a folder (files named left*/right* with the
// same suffix, e.g. left01.jpg + right01.jpg) or from an OpenCV image-list
// XML/YAML file (alternating left and right, relative to the file).
std::vector<ImagePairPaths> FindStereoPairs(const std::string& path);

struct StereoCalibration {
  cv::Size image_size;
  cv::Mat K1, D1, K2, D2;  // intrinsics and distortion of each camera
  cv::Mat R, T;            // right camera pose relative to the left
  cv::Mat R1, R2, P1, P2, Q;  // rectification (cv::stereoRectify)
  double rms = 0;             // stereo reprojection error in pixels
  double rectified_row_error = 0;  // mean |Δy| of corresponding corners after rectification, px
  std::vector<ImagePairPaths> used;
  std::vector<std::pair<ImagePairPaths, std::string>> rejected;  // with the reason

  double baseline() const { return cv::norm(T); }
  double focal() const { return P1.empty() ? 0 : P1.at<double>(0, 0); }
};

// Throws Error naming the problem when fewer than 3 pairs are usable.
StereoCalibration CalibrateStereo(const std::vector<ImagePairPaths>& pairs, const ChessboardOptions& options);

// YAML via cv::FileStorage; reading checks every matrix's shape and throws
// FileError naming the file and the field that is missing or inconsistent.
void WriteCalibration(const std::string& path, const StereoCalibration& calibration);
StereoCalibration ReadCalibration(const std::string& path);

// Undistorts and rectifies a pair of the calibrated size (Error otherwise).
std::pair<cv::Mat, cv::Mat> RectifyPair(const StereoCalibration& calibration, const cv::Mat& left, const cv::Mat& right);

// What depth from disparity needs: depth = focal · baseline / (d + doffs).
struct StereoRig {
  double focal = 0, baseline = 0, doffs = 0;
};
// With a calibration the pair is rectified in place and the rig comes from
// it (zero disparity at infinity); without one, 'uncalibrated' stands.
StereoRig RectifyForDepth(const std::optional<StereoCalibration>& calibration, const StereoRig& uncalibrated,
                          cv::Mat3b& left, cv::Mat3b& right);

}  // namespace depthforge
