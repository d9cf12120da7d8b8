#include "depthforge/io/calibration_file.h"

#include <filesystem>

#include "depthforge/core/error.h"

namespace depthforge {

CalibrationFileReader::CalibrationFileReader(const std::string& path) : path_(path) {
  if (!std::filesystem::exists(path)) throw FileError(path, "no such file");
  try {
    storage_.open(path, cv::FileStorage::READ);
  } catch (const cv::Exception&) {
  }
  if (!storage_.isOpened()) throw FileError(path, "not a readable calibration file (OpenCV YAML/XML)");
}

cv::Mat CalibrationFileReader::Matrix(const std::string& name, int rows, int cols) {
  cv::Mat m;
  try {
    storage_[name] >> m;
  } catch (const cv::Exception&) {
    throw FileError(path_, "matrix " + name + " is malformed");
  }
  if (m.empty()) throw FileError(path_, "missing matrix " + name);
  if ((rows > 0 && m.rows != rows) || (cols > 0 && m.cols != cols)) {
    throw FileError(path_, "matrix " + name + " is " + std::to_string(m.rows) + "x" + std::to_string(m.cols) +
                               ", expected " + std::to_string(rows) + "x" + (cols > 0 ? std::to_string(cols) : "n"));
  }
  m.convertTo(m, CV_64F);
  return m;
}

int CalibrationFileReader::Int(const std::string& name) {
  int value = 0;
  try {
    storage_[name] >> value;
  } catch (const cv::Exception&) {
    throw FileError(path_, name + " is malformed");
  }
  if (value <= 0) throw FileError(path_, "missing or bad " + name);
  return value;
}

double CalibrationFileReader::Double(const std::string& name, double fallback) {
  double value = fallback;
  try {
    if (!storage_[name].empty()) storage_[name] >> value;
  } catch (const cv::Exception&) {
    throw FileError(path_, name + " is malformed");
  }
  return value;
}

}  // namespace depthforge
