#include "depthforge/io/rgbd_dataset.h"

#include <hdf5.h>
#include <matio.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <limits>
#include <map>
#include <mutex>
#include <sstream>

#include "depthforge/core/error.h"
#include "depthforge/io/depth_io.h"
#include "depthforge/io/image_io.h"
#include "depthforge/util/atomic_file.h"
#include "depthforge/util/paths.h"

namespace depthforge {
namespace fs = std::filesystem;

void DatasetOptions::Check() const {
  if (!(depth_scale > 0 && std::isfinite(depth_scale))) throw OptionError("depth scale must be a positive number of units per metre");
}

namespace {

// One convention at the boundary: unknown depth is NaN (a 0 in a PNG, a
// negative or infinite value in an array all mean "no measurement").
cv::Mat1f CleanDepth(cv::Mat1f depth) {
  for (auto& v : depth) if (!std::isfinite(v) || v <= 0) v = std::numeric_limits<float>::quiet_NaN();
  return depth;
}

class PairListDataset : public RgbdDataset {
 public:
  PairListDataset(std::vector<std::pair<std::string, std::string>> pairs, std::string description, double depth_scale)
      : pairs_(std::move(pairs)), description_(std::move(description)), depth_scale_(depth_scale) {}
  size_t size() const override { return pairs_.size(); }
  std::string description() const override { return description_; }
  RgbdSample Get(size_t index) const override {
    const auto& [image, depth] = pairs_.at(index);
    RgbdSample sample;
    sample.image = ReadImage(image);
    sample.depth = CleanDepth(ReadMetricDepth(depth, depth_scale_).values);
    sample.name = fs::path(image).stem().string();
    if (sample.depth.size() != sample.image.size()) {
      throw FileError(depth, "depth is " + std::to_string(sample.depth.cols) + "x" + std::to_string(sample.depth.rows) +
                                 " but its image " + image + " is " + std::to_string(sample.image.cols) + "x" +
                                 std::to_string(sample.image.rows));
    }
    return sample;
  }

 private:
  std::vector<std::pair<std::string, std::string>> pairs_;
  std::string description_;
  double depth_scale_;
};

std::string Trim(const std::string& text) {
  size_t begin = text.find_first_not_of(" \t\r\n");
  if (begin == std::string::npos) return "";
  size_t end = text.find_last_not_of(" \t\r\n");
  return text.substr(begin, end - begin + 1);
}

std::vector<std::string> SplitCsvLine(const std::string& line) {
  std::vector<std::string> fields;
  std::string field;
  bool quoted = false;
  for (char c : line) {
    if (c == '"') quoted = !quoted;
    else if (c == ',' && !quoted) { fields.push_back(field); field.clear(); }
    else if (c != '\r') field += c;
  }
  fields.push_back(field);
  return fields;
}

}  // namespace

std::unique_ptr<RgbdDataset> OpenCsvDataset(const std::string& csv_path, const DatasetOptions& options) {
  options.Check();
  std::string text = ReadFileBytes(csv_path);
  if (text.rfind("\xEF\xBB\xBF", 0) == 0) text.erase(0, 3);  // a UTF-8 byte order mark
  std::istringstream in(text);
  std::string line;
  if (!std::getline(in, line)) throw FileError(csv_path, "empty CSV (expected image,depth pairs)");
  fs::path base = fs::path(csv_path).parent_path();
  auto resolve = [&](const std::string& p) { return fs::path(p).is_absolute() ? p : (base / p).string(); };
  std::vector<std::string> first = SplitCsvLine(line);
  for (auto& field : first) field = Trim(field);
  // The first line is data when its first two fields are files (a list
  // without a header, as the common NYU CSVs are); otherwise it names the
  // columns: 'image' and 'depth', or names that say so (image_path,
  // rgb, depth_path, gt, ...), or any two names for a two-column list.
  std::error_code error;
  bool headerless = first.size() >= 2 && fs::is_regular_file(resolve(first[0]), error) &&
                    fs::is_regular_file(resolve(first[1]), error);
  size_t image_column = 0, depth_column = 1;
  if (!headerless) {
    auto find_column = [&](const std::string& exact, const std::vector<std::string>& words) -> long {
      std::vector<std::string> lower = first;
      for (auto& name : lower) std::transform(name.begin(), name.end(), name.begin(), ::tolower);
      for (size_t i = 0; i < lower.size(); ++i) if (lower[i] == exact) return long(i);
      for (const auto& word : words) {
        for (size_t i = 0; i < lower.size(); ++i) if (lower[i].find(word) != std::string::npos) return long(i);
      }
      return -1;
    };
    long image = find_column("image", {"image", "rgb", "color", "colour", "img", "photo"});
    long depth = find_column("depth", {"depth", "gt", "ground", "label", "target"});
    if (image < 0 || depth < 0 || image == depth) {
      if (first.size() != 2) {
        throw FileError(csv_path, "cannot tell the image and depth columns from the header '" + line +
                                      "' (name them image and depth, or give two columns)");
      }
      image = 0;
      depth = 1;
    }
    image_column = size_t(image);
    depth_column = size_t(depth);
  }
  std::vector<std::pair<std::string, std::string>> pairs;
  if (headerless) pairs.emplace_back(resolve(first[0]), resolve(first[1]));
  int line_number = 1;
  while (std::getline(in, line)) {
    ++line_number;
    if (Trim(line).empty()) continue;
    std::vector<std::string> fields = SplitCsvLine(line);
    if (fields.size() <= std::max(image_column, depth_column)) {
      throw FileError(csv_path, "line " + std::to_string(line_number) + " has too few columns");
    }
    pairs.emplace_back(resolve(Trim(fields[image_column])), resolve(Trim(fields[depth_column])));
  }
  if (pairs.empty()) throw FileError(csv_path, "CSV lists no image/depth pairs");
  return std::make_unique<PairListDataset>(std::move(pairs), csv_path, options.depth_scale);
}

std::unique_ptr<RgbdDataset> OpenFolderDataset(const std::string& folder, const DatasetOptions& options) {
  options.Check();
  fs::path image_dir;
  for (const char* name : {"image", "images", "rgb", "color"}) {
    if (fs::is_directory(fs::path(folder) / name)) { image_dir = fs::path(folder) / name; break; }
  }
  fs::path depth_dir = fs::path(folder) / "depth";
  if (image_dir.empty() || !fs::is_directory(depth_dir)) {
    throw FileError(folder, "expected image/ (or rgb/, color/) and depth/ subfolders");
  }
  std::map<std::string, std::string> depths;
  for (const auto& entry : fs::directory_iterator(depth_dir)) depths[entry.path().stem().string()] = entry.path().string();
  std::vector<std::pair<std::string, std::string>> pairs;
  std::vector<fs::path> images;
  for (const auto& entry : fs::directory_iterator(image_dir)) images.push_back(entry.path());
  std::sort(images.begin(), images.end());
  for (const auto& image : images) {
    auto found = depths.find(image.stem().string());
    if (found != depths.end()) pairs.emplace_back(image.string(), found->second);
  }
  if (pairs.empty()) throw FileError(folder, "no image in " + image_dir.string() + " has a depth file of the same name");
  return std::make_unique<PairListDataset>(std::move(pairs), folder, options.depth_scale);
}

namespace {

// HDF5 handles closed on scope exit.
struct Handle {
  hid_t id;
  herr_t (*close)(hid_t);
  ~Handle() { if (id >= 0) close(id); }
};

class NyuMatDataset : public RgbdDataset {
 public:
  NyuMatDataset(std::string path, std::vector<size_t> indices) : path_(std::move(path)), indices_(std::move(indices)) {
    H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);  // errors are reported as exceptions below
    file_ = H5Fopen(path_.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
    if (file_ < 0) throw FileError(path_, "not an HDF5 (MATLAB v7.3) file");
    images_ = Dims("images");
    depths_ = Dims("depths");
    if (images_.size() != 4 || depths_.size() != 3 || images_[1] != 3 || images_[0] != depths_[0] ||
        images_[2] != depths_[1] || images_[3] != depths_[2]) {
      throw FileError(path_, "expected 'images' N×3×W×H and 'depths' N×W×H datasets");
    }
    if (indices_.empty()) for (size_t i = 0; i < images_[0]; ++i) indices_.push_back(i);
    for (size_t i : indices_) {
      if (i >= images_[0]) throw FileError(path_, "image index " + std::to_string(i) + " is beyond its " + std::to_string(images_[0]) + " images");
    }
  }
  ~NyuMatDataset() override { if (file_ >= 0) H5Fclose(file_); }
  size_t size() const override { return indices_.size(); }
  std::string description() const override { return path_; }

  RgbdSample Get(size_t index) const override {
    std::lock_guard<std::mutex> lock(mutex_);  // the HDF5 library is not thread-safe here
    size_t n = indices_.at(index);
    const int width = int(images_[2]), height = int(images_[3]);
    // MATLAB stores column-major: in HDF5 order a sample is [channel][x][y].
    std::vector<uint8_t> rgb(size_t(3) * size_t(width) * size_t(height));
    Read("images", {n, 0, 0, 0}, {1, 3, size_t(width), size_t(height)}, H5T_NATIVE_UINT8, rgb.data());
    std::vector<float> depth(size_t(width) * size_t(height));
    Read("depths", {n, 0, 0}, {1, size_t(width), size_t(height)}, H5T_NATIVE_FLOAT, depth.data());
    RgbdSample sample;
    sample.image = cv::Mat3b(height, width);
    sample.depth = cv::Mat1f(height, width);
    for (int x = 0; x < width; ++x) {
      for (int y = 0; y < height; ++y) {
        size_t at = size_t(x) * size_t(height) + size_t(y);
        size_t plane = size_t(width) * size_t(height);
        sample.image(y, x) = cv::Vec3b(rgb[2 * plane + at], rgb[plane + at], rgb[at]);
        float d = depth[at];
        sample.depth(y, x) = std::isfinite(d) && d > 0 ? d : std::numeric_limits<float>::quiet_NaN();
      }
    }
    sample.name = "nyu_" + std::to_string(n);
    return sample;
  }

 private:
  std::vector<hsize_t> Dims(const char* name) const {
    Handle set{H5Dopen2(file_, name, H5P_DEFAULT), H5Dclose};
    if (set.id < 0) throw FileError(path_, std::string("has no '") + name + "' dataset");
    Handle space{H5Dget_space(set.id), H5Sclose};
    int rank = H5Sget_simple_extent_ndims(space.id);
    std::vector<hsize_t> dims(size_t(std::max(rank, 0)));
    H5Sget_simple_extent_dims(space.id, dims.data(), nullptr);
    return dims;
  }
  void Read(const char* name, std::vector<hsize_t> start, std::vector<hsize_t> count, hid_t type, void* out) const {
    Handle set{H5Dopen2(file_, name, H5P_DEFAULT), H5Dclose};
    Handle space{H5Dget_space(set.id), H5Sclose};
    H5Sselect_hyperslab(space.id, H5S_SELECT_SET, start.data(), nullptr, count.data(), nullptr);
    Handle memory{H5Screate_simple(int(count.size()), count.data(), nullptr), H5Sclose};
    if (H5Dread(set.id, type, memory.id, space.id, H5P_DEFAULT, out) < 0) {
      throw FileError(path_, std::string("cannot read '") + name + "' (truncated or damaged file?)");
    }
  }

  std::string path_;
  std::vector<size_t> indices_;
  hid_t file_ = -1;
  std::vector<hsize_t> images_, depths_;
  mutable std::mutex mutex_;
};

}  // namespace

std::unique_ptr<RgbdDataset> OpenNyuMatDataset(const std::string& mat_path, const DatasetOptions& options) {
  options.Check();
  if (!fs::exists(mat_path)) throw FileError(mat_path, "no such file");
  return std::make_unique<NyuMatDataset>(mat_path, options.indices);
}

std::vector<size_t> ReadNyuSplit(const std::string& path, const std::string& subset) {
  if (subset != "train" && subset != "test") throw OptionError("split subset must be train or test, got '" + subset + "'");
  std::vector<double> one_based;
  std::string extension = fs::path(path).extension().string();
  if (extension == ".mat") {
    mat_t* file = Mat_Open(path.c_str(), MAT_ACC_RDONLY);
    if (file == nullptr) throw FileError(path, "not a readable MATLAB file");
    std::string name = subset + "Ndxs";
    matvar_t* variable = Mat_VarRead(file, name.c_str());
    if (variable == nullptr || variable->data_type != MAT_T_DOUBLE || variable->data == nullptr) {
      if (variable) Mat_VarFree(variable);
      Mat_Close(file);
      throw FileError(path, "has no numeric variable '" + name + "'");
    }
    size_t count = 1;
    for (int d = 0; d < variable->rank; ++d) count *= variable->dims[d];
    const double* values = static_cast<const double*>(variable->data);
    one_based.assign(values, values + count);
    Mat_VarFree(variable);
    Mat_Close(file);
  } else {
    std::istringstream in(ReadFileBytes(path));
    std::string line;
    int line_number = 0;
    while (std::getline(in, line)) {
      ++line_number;
      if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
      try {
        one_based.push_back(std::stod(line));
      } catch (const std::logic_error&) {
        throw FileError(path, "line " + std::to_string(line_number) + " is not an index");
      }
    }
  }
  std::vector<size_t> indices;
  for (double v : one_based) {
    if (!(v >= 1) || v != std::floor(v)) throw FileError(path, "split indices must be whole numbers from 1, got " + std::to_string(v));
    indices.push_back(size_t(v) - 1);
  }
  if (indices.empty()) throw FileError(path, "the " + subset + " split is empty");
  return indices;
}

std::unique_ptr<RgbdDataset> OpenDataset(const std::string& path, const DatasetOptions& options) {
  const std::string extension = LowercaseExtension(path);
  if (fs::is_directory(path)) return OpenFolderDataset(path, options);
  if (extension == ".csv") return OpenCsvDataset(path, options);
  if (extension == ".mat" || extension == ".h5") return OpenNyuMatDataset(path, options);
  if (!fs::exists(path)) throw FileError(path, "no such file or directory");
  throw FileError(path, "not a dataset (expected a .csv pair list, a NYU .mat file or a folder)");
}

void WritePairCsv(const std::string& csv_path, const std::vector<std::pair<std::string, std::string>>& rows) {
  std::string text = "image,depth\n";
  for (const auto& [image, depth] : rows) text += image + "," + depth + "\n";
  WriteFileBytes(csv_path, text);
}

}  // namespace depthforge
