// NumPy .npy arrays (format versions 1-3, little-endian, C order).
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include <opencv2/core.hpp>

namespace depthforge {

struct NpyArray {
  std::string dtype;           // numpy descr, e.g. "<f4", "<f8", "|u1", "<u2"
  std::vector<int64_t> shape;  // C order
  std::string data;            // raw little-endian element bytes

  int64_t element_count() const;
  // Values as float32 in a Mat of shape (rows, cols, channels) where the
  // array is (rows, cols), (rows, cols, channels) or has leading 1s
  // (e.g. 1×1×H×W). Throws FileError(name, ...) for other shapes or dtypes.
  cv::Mat ToFloatMat(const std::string& name) const;
};

NpyArray ParseNpy(const std::string& bytes, const std::string& name);
NpyArray ReadNpy(const std::string& path);

// NumPy .npz archives (a zip of .npy files, stored or deflated), keyed by
// the array name without ".npy" (e.g. "arr_0").
std::map<std::string, NpyArray> ReadNpz(const std::string& path);

// Serialises a continuous Mat (1 to 4 channels, 8U/16U/32S/32F/64F) as an
// array of shape (rows, cols) or (rows, cols, channels).
std::string SerializeNpy(const cv::Mat& mat);
void WriteNpy(const std::string& path, const cv::Mat& mat);  // atomic

}  // namespace depthforge
