// RGB-D datasets for training and evaluation, read one sample at a time
// (nothing loads a whole dataset). Depth is in metres; NaN marks pixels
// without ground truth (as everywhere in depthforge), which every loss and
// metric masks out.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include <opencv2/core.hpp>

namespace depthforge {

struct RgbdSample {
  cv::Mat3b image;   // BGR
  cv::Mat1f depth;   // metres, NaN = unknown
  std::string name;  // for reports
};

class RgbdDataset {
 public:
  virtual ~RgbdDataset() = default;
  virtual size_t size() const = 0;
  virtual RgbdSample Get(size_t index) const = 0;  // throws FileError naming the file
  virtual std::string description() const = 0;
};

struct DatasetOptions {
  // Depth PNG units per metre: 1000 for millimetre PNGs (NYU/TUM-style
  // exports), 256 for KITTI, 5000 for TUM.
  double depth_scale = 1000.0;
  // NYU .mat: which images (0-based) to use; empty = all.
  std::vector<size_t> indices;
  void Check() const;
};

// A CSV of image and depth paths (relative to the CSV's folder; depth as
// 16-bit PNG / depth_scale, .npy metres or .pfm). The header names the
// columns 'image' and 'depth' (or names containing image/rgb/color and
// depth/gt); a two-column list may have any header or none (its first line
// is then a pair of existing files). A UTF-8 byte order mark is skipped.
std::unique_ptr<RgbdDataset> OpenCsvDataset(const std::string& csv_path, const DatasetOptions& options = {});
// A folder with image/ (or rgb/, color/) and depth/ subfolders whose files
// pair up by stem.
std::unique_ptr<RgbdDataset> OpenFolderDataset(const std::string& folder, const DatasetOptions& options = {});
// NYU Depth v2 labelled .mat (MATLAB v7.3 = HDF5): 'images' (N×3×W×H uint8)
// and 'depths' (N×W×H float metres), read one image at a time.
std::unique_ptr<RgbdDataset> OpenNyuMatDataset(const std::string& mat_path, const DatasetOptions& options = {});
// The images of one subset ("train" or "test") of NYU Depth v2's official
// split: splits.mat (MATLAB v5, variables trainNdxs / testNdxs) or a text
// file of indices, one per line; both 1-based as in MATLAB. Returns 0-based
// indices for DatasetOptions::indices. Throws FileError.
std::vector<size_t> ReadNyuSplit(const std::string& path, const std::string& subset);

// By the path: a .csv, a .mat, or a folder.
std::unique_ptr<RgbdDataset> OpenDataset(const std::string& path, const DatasetOptions& options = {});

// Writes the pair list that OpenCsvDataset reads; 'rows' are (image, depth)
// paths relative to the CSV's folder. Atomic.
void WritePairCsv(const std::string& csv_path, const std::vector<std::pair<std::string, std::string>>& rows);

}  // namespace depthforge
