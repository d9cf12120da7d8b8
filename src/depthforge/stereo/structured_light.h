// Depth from a projector and a camera with binary-reflected Gray-code
// patterns: every projector column (and row) gets a code, each code bit is
// shown as a stripe pattern and its inverse, and a camera pixel's column is
// read back by comparing the two. Pixels in shadow or with too little
// contrast are marked invalid, never guessed. Depth comes from intersecting
// the camera ray with the plane of the decoded projector column.
#pragma once

#include <string>
#include <vector>

#include <opencv2/core.hpp>

namespace depthforge {

struct GrayCodePatterns {
  cv::Size projector;
  std::vector<std::string> names;  // file stems, in display order
  std::vector<cv::Mat1b> images;
};

// white, black, then for each column bit (most significant first) the
// pattern and its inverse, then the same for rows.
GrayCodePatterns MakeGrayCodePatterns(cv::Size projector);
int GrayBits(int size);  // bits needed to code 'size' positions

// Camera and projector of a structured-light rig (projector as an inverse
// camera): X_projector = R · X_camera + T.
struct ProjectorCameraCalibration {
  cv::Size camera_size, projector_size;
  cv::Matx33d camera_matrix, projector_matrix;
  cv::Matx33d R = cv::Matx33d::eye();
  cv::Vec3d T;
};
void WriteProjectorCameraCalibration(const std::string& path, const ProjectorCameraCalibration& calibration);
ProjectorCameraCalibration ReadProjectorCameraCalibration(const std::string& path);  // throws FileError

struct DecodeOptions {
  double min_contrast = 20;  // white − black (8-bit levels): less is shadow
  double min_bit_margin = 4;  // |pattern − inverse| below this (8-bit levels): bit unreadable
  // ...or below this fraction of the pixel's white − black contrast (blurred
  // stripes and pixels mixing two surfaces at an edge fail this).
  double min_bit_margin_fraction = 0.15;
  // Decoded columns further than this from their 3×3 neighbourhood's median
  // are misreads and marked invalid.
  double max_column_jump = 2.0;
  void Check() const;
};

struct StructuredLightResult {
  cv::Mat1f projector_column, projector_row;  // decoded projector pixel, NaN invalid
  cv::Mat1b valid;
  cv::Mat1f depth;  // along the camera's optical axis, in T's unit; NaN invalid
};

// 'captures' are camera images (grey or BGR, one size) in the order of
// MakeGrayCodePatterns(calibration.projector_size).names.
StructuredLightResult DecodeStructuredLight(const std::vector<cv::Mat>& captures,
                                            const ProjectorCameraCalibration& calibration,
                                            const DecodeOptions& options = {});

// Reads <dir>/<name>.png (or .jpg) for every pattern name; throws FileError
// naming the first missing capture.
std::vector<cv::Mat> ReadCaptures(const std::string& dir, const std::vector<std::string>& names);

}  // namespace depthforge
