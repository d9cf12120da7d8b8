#include "depthforge/stereo/stereo_calibration.h"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <map>

#include <opencv2/calib3d.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "depthforge/core/error.h"
#include "depthforge/io/calibration_file.h"
#include "depthforge/io/image_io.h"
#include "depthforge/util/atomic_file.h"

namespace depthforge {
namespace fs = std::filesystem;

void ChessboardOptions::Check() const {
  if (inner_corners.width < 2 || inner_corners.height < 2) throw OptionError("the board needs at least 2x2 inner corners");
  if (!(square_size > 0)) throw OptionError("square size must be positive");
}

std::vector<ImagePairPaths> FindStereoPairs(const std::string& path) {
  std::vector<ImagePairPaths> pairs;
  if (fs::is_directory(path)) {
    std::map<std::string, std::string> lefts, rights;
    for (const auto& entry : fs::directory_iterator(path)) {
      std::string name = entry.path().filename().string();
      std::string lower = name;
      std::transform(lower.begin(), lower.end(), lower.begin(), ::tolower);
      if (lower.rfind("left", 0) == 0) lefts[lower.substr(4)] = entry.path().string();
      if (lower.rfind("right", 0) == 0) rights[lower.substr(5)] = entry.path().string();
    }
    for (const auto& [suffix, left] : lefts) {
      auto found = rights.find(suffix);
      if (found != rights.end()) pairs.emplace_back(left, found->second);
    }
    if (pairs.empty()) throw FileError(path, "no left*/right* image pairs with matching names");
    return pairs;
  }
  if (!fs::exists(path)) throw FileError(path, "no such file or directory");
  cv::FileStorage storage;
  try {
    storage.open(path, cv::FileStorage::READ);
  } catch (const cv::Exception&) {
  }
  if (!storage.isOpened()) throw FileError(path, "not a readable OpenCV image list (XML/YAML)");
  cv::FileNode list = storage.getFirstTopLevelNode();
  if (list.type() != cv::FileNode::SEQ) throw FileError(path, "expected a list of image names");
  std::vector<std::string> names;
  for (const auto& node : list) names.push_back((fs::path(path).parent_path() / std::string(node)).string());
  if (names.size() % 2 != 0) throw FileError(path, "the image list must alternate left and right images (odd count)");
  for (size_t i = 0; i + 1 < names.size(); i += 2) pairs.emplace_back(names[i], names[i + 1]);
  if (pairs.empty()) throw FileError(path, "the image list is empty");
  return pairs;
}

namespace {

std::vector<cv::Point2f> FindCorners(const cv::Mat& grey, const ChessboardOptions& options) {
  std::vector<cv::Point2f> corners;
  bool found = cv::findChessboardCorners(grey, options.inner_corners, corners,
                                         cv::CALIB_CB_ADAPTIVE_THRESH | cv::CALIB_CB_NORMALIZE_IMAGE);
  if (!found) return {};
  cv::cornerSubPix(grey, corners, {11, 11}, {-1, -1},
                   cv::TermCriteria(cv::TermCriteria::EPS + cv::TermCriteria::COUNT, 30, 0.01));
  return corners;
}

cv::Mat Grey(const std::string& path) {
  cv::Mat3b image = ReadImage(path);
  cv::Mat grey;
  cv::cvtColor(image, grey, cv::COLOR_BGR2GRAY);
  return grey;
}

}  // namespace

StereoCalibration CalibrateStereo(const std::vector<ImagePairPaths>& pairs, const ChessboardOptions& options) {
  options.Check();
  StereoCalibration c;
  std::vector<std::vector<cv::Point3f>> object_points;
  std::vector<std::vector<cv::Point2f>> left_points, right_points;
  std::vector<cv::Point3f> board;
  for (int y = 0; y < options.inner_corners.height; ++y)
    for (int x = 0; x < options.inner_corners.width; ++x)
      board.emplace_back(float(x * options.square_size), float(y * options.square_size), 0.f);
  for (const auto& pair : pairs) {
    cv::Mat left, right;
    try {
      left = Grey(pair.first);
      right = Grey(pair.second);
    } catch (const FileError& e) {
      c.rejected.push_back({pair, e.what()});
      continue;
    }
    if (left.size() != right.size()) {
      c.rejected.push_back({pair, "left and right images differ in size"});
      continue;
    }
    if (c.image_size.empty()) c.image_size = left.size();
    if (left.size() != c.image_size) {
      c.rejected.push_back({pair, "image size differs from the first pair's"});
      continue;
    }
    std::vector<cv::Point2f> l = FindCorners(left, options), r = FindCorners(right, options);
    if (l.empty() || r.empty()) {
      c.rejected.push_back({pair, std::string("chessboard (") + std::to_string(options.inner_corners.width) + "x" +
                                      std::to_string(options.inner_corners.height) + " inner corners) not found in the " +
                                      (l.empty() && r.empty() ? "left and right images" : l.empty() ? "left image" : "right image")});
      continue;
    }
    object_points.push_back(board);
    left_points.push_back(l);
    right_points.push_back(r);
    c.used.push_back(pair);
  }
  if (c.used.size() < 3) {
    throw Error("too few usable chessboard pairs: " + std::to_string(c.used.size()) + " of " + std::to_string(pairs.size()) +
                " (at least 3 are needed)" + (c.rejected.empty() ? "" : "; first problem: " + c.rejected.front().second));
  }
  std::vector<cv::Mat> rvecs, tvecs;
  cv::calibrateCamera(object_points, left_points, c.image_size, c.K1, c.D1, rvecs, tvecs);
  cv::calibrateCamera(object_points, right_points, c.image_size, c.K2, c.D2, rvecs, tvecs);
  cv::Mat E, F;
  c.rms = cv::stereoCalibrate(object_points, left_points, right_points, c.K1, c.D1, c.K2, c.D2, c.image_size, c.R, c.T, E,
                              F, cv::CALIB_USE_INTRINSIC_GUESS,
                              cv::TermCriteria(cv::TermCriteria::COUNT + cv::TermCriteria::EPS, 100, 1e-6));
  cv::stereoRectify(c.K1, c.D1, c.K2, c.D2, c.image_size, c.R, c.T, c.R1, c.R2, c.P1, c.P2, c.Q,
                    cv::CALIB_ZERO_DISPARITY, 0);
  double dy = 0;
  size_t count = 0;
  for (size_t i = 0; i < left_points.size(); ++i) {
    std::vector<cv::Point2f> l, r;
    cv::undistortPoints(left_points[i], l, c.K1, c.D1, c.R1, c.P1);
    cv::undistortPoints(right_points[i], r, c.K2, c.D2, c.R2, c.P2);
    for (size_t k = 0; k < l.size(); ++k, ++count) dy += std::abs(l[k].y - r[k].y);
  }
  c.rectified_row_error = count ? dy / double(count) : 0;
  return c;
}

void WriteCalibration(const std::string& path, const StereoCalibration& c) {
  WriteAtomically(path, [&](const std::string& temp) {
    cv::FileStorage storage(temp, cv::FileStorage::WRITE | cv::FileStorage::FORMAT_YAML);
    if (!storage.isOpened()) throw FileError(path, "cannot write");
    storage << "image_width" << c.image_size.width << "image_height" << c.image_size.height;
    storage << "K1" << c.K1 << "D1" << c.D1 << "K2" << c.K2 << "D2" << c.D2 << "R" << c.R << "T" << c.T;
    storage << "R1" << c.R1 << "R2" << c.R2 << "P1" << c.P1 << "P2" << c.P2 << "Q" << c.Q;
    storage << "rms" << c.rms << "rectified_row_error" << c.rectified_row_error;
    storage.release();
  });
}

StereoCalibration ReadCalibration(const std::string& path) {
  CalibrationFileReader file(path);
  StereoCalibration c;
  c.image_size = cv::Size(file.Int("image_width"), file.Int("image_height"));
  c.K1 = file.Matrix("K1", 3, 3);
  c.D1 = file.Matrix("D1", 1, -1);
  c.K2 = file.Matrix("K2", 3, 3);
  c.D2 = file.Matrix("D2", 1, -1);
  c.R = file.Matrix("R", 3, 3);
  c.T = file.Matrix("T", 3, 1);
  c.R1 = file.Matrix("R1", 3, 3);
  c.R2 = file.Matrix("R2", 3, 3);
  c.P1 = file.Matrix("P1", 3, 4);
  c.P2 = file.Matrix("P2", 3, 4);
  c.Q = file.Matrix("Q", 4, 4);
  c.rms = file.Double("rms", 0);
  c.rectified_row_error = file.Double("rectified_row_error", 0);
  if (c.focal() <= 0 || c.baseline() <= 0) throw FileError(path, "inconsistent calibration: focal length and baseline must be positive");
  return c;
}

std::pair<cv::Mat, cv::Mat> RectifyPair(const StereoCalibration& c, const cv::Mat& left, const cv::Mat& right) {
  if (left.size() != c.image_size || right.size() != c.image_size) {
    throw Error("images are " + std::to_string(left.cols) + "x" + std::to_string(left.rows) + " / " +
                std::to_string(right.cols) + "x" + std::to_string(right.rows) + " but the calibration is for " +
                std::to_string(c.image_size.width) + "x" + std::to_string(c.image_size.height));
  }
  cv::Mat map1x, map1y, map2x, map2y, out_left, out_right;
  cv::initUndistortRectifyMap(c.K1, c.D1, c.R1, c.P1, c.image_size, CV_32FC1, map1x, map1y);
  cv::initUndistortRectifyMap(c.K2, c.D2, c.R2, c.P2, c.image_size, CV_32FC1, map2x, map2y);
  cv::remap(left, out_left, map1x, map1y, cv::INTER_LINEAR);
  cv::remap(right, out_right, map2x, map2y, cv::INTER_LINEAR);
  return {out_left, out_right};
}

StereoRig RectifyForDepth(const std::optional<StereoCalibration>& calibration, const StereoRig& uncalibrated,
                          cv::Mat3b& left, cv::Mat3b& right) {
  if (!calibration) return uncalibrated;
  auto [l, r] = RectifyPair(*calibration, left, right);
  left = l;
  right = r;
  return {calibration->focal(), calibration->baseline(), 0.0};
}

}  // namespace depthforge
