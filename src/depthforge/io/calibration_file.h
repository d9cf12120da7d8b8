// Reading calibration files (OpenCV YAML/XML) with errors that name the
// file and the field that is missing or malformed.
#pragma once

#include <string>

#include <opencv2/core.hpp>

namespace depthforge {

class CalibrationFileReader {
 public:
  explicit CalibrationFileReader(const std::string& path);  // throws FileError
  // A rows×cols matrix as CV_64F (cols < 0: any number of columns).
  cv::Mat Matrix(const std::string& name, int rows, int cols);
  int Int(const std::string& name);              // throws when missing or not positive
  double Double(const std::string& name, double fallback);

 private:
  std::string path_;
  cv::FileStorage storage_;
};

}  // namespace depthforge
