#include "depthforge/stereo/structured_light.h"

#include <cmath>
#include <filesystem>
#include <limits>

#include <opencv2/imgproc.hpp>

#include "depthforge/core/error.h"
#include "depthforge/io/image_codec.h"
#include "depthforge/io/calibration_file.h"
#include "depthforge/util/atomic_file.h"

namespace depthforge {
namespace fs = std::filesystem;

int GrayBits(int size) {
  int bits = 0;
  while ((1 << bits) < size) ++bits;
  return std::max(bits, 1);
}

GrayCodePatterns MakeGrayCodePatterns(cv::Size projector) {
  if (projector.width < 2 || projector.height < 2 || projector.width > 16384 || projector.height > 16384) {
    throw OptionError("projector size must be between 2x2 and 16384x16384");
  }
  GrayCodePatterns p;
  p.projector = projector;
  p.names = {"white", "black"};
  p.images = {cv::Mat1b(projector, uchar(255)), cv::Mat1b(projector, uchar(0))};
  for (int axis = 0; axis < 2; ++axis) {
    int size = axis == 0 ? projector.width : projector.height;
    int bits = GrayBits(size);
    for (int bit = bits - 1; bit >= 0; --bit) {
      cv::Mat1b pattern(projector);
      for (int y = 0; y < projector.height; ++y) {
        for (int x = 0; x < projector.width; ++x) {
          int position = axis == 0 ? x : y;
          int gray = position ^ (position >> 1);
          pattern(y, x) = ((gray >> bit) & 1) ? 255 : 0;
        }
      }
      char name[32];
      std::snprintf(name, sizeof name, "%s_bit%02d", axis == 0 ? "col" : "row", bit);
      p.names.push_back(name);
      p.images.push_back(pattern);
      p.names.push_back(std::string(name) + "_inv");
      p.images.push_back(cv::Mat1b(255 - pattern));
    }
  }
  return p;
}

void DecodeOptions::Check() const {
  if (min_contrast < 0 || min_bit_margin < 0 || min_bit_margin_fraction < 0 || min_bit_margin_fraction >= 1) {
    throw OptionError("decoding thresholds must not be negative (and the margin fraction below 1)");
  }
}

void WriteProjectorCameraCalibration(const std::string& path, const ProjectorCameraCalibration& c) {
  WriteAtomically(path, [&](const std::string& temp) {
    cv::FileStorage storage(temp, cv::FileStorage::WRITE | cv::FileStorage::FORMAT_YAML);
    storage << "camera_width" << c.camera_size.width << "camera_height" << c.camera_size.height;
    storage << "projector_width" << c.projector_size.width << "projector_height" << c.projector_size.height;
    storage << "camera_matrix" << cv::Mat(c.camera_matrix) << "projector_matrix" << cv::Mat(c.projector_matrix);
    storage << "R" << cv::Mat(c.R) << "T" << cv::Mat(c.T);
  });
}

ProjectorCameraCalibration ReadProjectorCameraCalibration(const std::string& path) {
  CalibrationFileReader file(path);
  ProjectorCameraCalibration c;
  c.camera_size = cv::Size(file.Int("camera_width"), file.Int("camera_height"));
  c.projector_size = cv::Size(file.Int("projector_width"), file.Int("projector_height"));
  c.camera_matrix = cv::Matx33d(file.Matrix("camera_matrix", 3, 3));
  c.projector_matrix = cv::Matx33d(file.Matrix("projector_matrix", 3, 3));
  c.R = cv::Matx33d(file.Matrix("R", 3, 3));
  cv::Mat t = file.Matrix("T", 3, 1);
  c.T = cv::Vec3d(t.at<double>(0), t.at<double>(1), t.at<double>(2));
  if (cv::norm(c.T) <= 0) throw FileError(path, "inconsistent calibration: camera and projector must not coincide");
  return c;
}

std::vector<cv::Mat> ReadCaptures(const std::string& dir, const std::vector<std::string>& names) {
  std::vector<cv::Mat> captures;
  for (const auto& name : names) {
    cv::Mat image;
    for (const char* extension : {".png", ".jpg", ".bmp", ".tif"}) {
      fs::path path = fs::path(dir) / (name + extension);
      if (fs::exists(path)) {
        image = DecodeImageBytes(ReadFileBytes(path.string()), DecodeMode::kGrey);
        if (image.empty()) throw FileError(path.string(), "not a readable image");
        break;
      }
    }
    if (image.empty()) {
      throw FileError(dir, "the capture of pattern '" + name + "' is missing (expected " + name + ".png; " +
                               std::to_string(names.size()) + " captures are needed)");
    }
    captures.push_back(image);
  }
  return captures;
}

StructuredLightResult DecodeStructuredLight(const std::vector<cv::Mat>& captures, const ProjectorCameraCalibration& c,
                                            const DecodeOptions& options) {
  options.Check();
  GrayCodePatterns patterns = MakeGrayCodePatterns(c.projector_size);
  if (captures.size() != patterns.names.size()) {
    throw Error("expected " + std::to_string(patterns.names.size()) + " captures for a " +
                std::to_string(c.projector_size.width) + "x" + std::to_string(c.projector_size.height) +
                " projector, got " + std::to_string(captures.size()));
  }
  std::vector<cv::Mat1f> grey;
  for (size_t i = 0; i < captures.size(); ++i) {
    cv::Mat g = captures[i];
    if (g.channels() == 3) cv::cvtColor(g, g, cv::COLOR_BGR2GRAY);
    if (g.size() != captures[0].size()) throw Error("capture '" + patterns.names[i] + "' differs in size from the others");
    cv::Mat1f f;
    g.convertTo(f, CV_32F);
    grey.push_back(f);
  }
  const cv::Size size = captures[0].size();
  const int column_bits = GrayBits(c.projector_size.width), row_bits = GrayBits(c.projector_size.height);
  StructuredLightResult result;
  const float nan = std::numeric_limits<float>::quiet_NaN();
  result.projector_column = cv::Mat1f(size, nan);
  result.projector_row = cv::Mat1f(size, nan);
  result.valid = cv::Mat1b(size, uchar(0));
  result.depth = cv::Mat1f(size, nan);
  const cv::Matx33d camera_inverse = c.camera_matrix.inv();
  // The projector centre in camera coordinates, and its axes.
  const cv::Vec3d centre = -(c.R.t() * c.T);
  for (int y = 0; y < size.height; ++y) {
    for (int x = 0; x < size.width; ++x) {
      float contrast = grey[0](y, x) - grey[1](y, x);
      if (contrast < options.min_contrast) continue;  // shadow or dark surface
      const float margin = std::max(float(options.min_bit_margin), float(options.min_bit_margin_fraction) * contrast);
      auto decode = [&](size_t first, int bits, int limit) -> int {
        int gray = 0;
        for (int k = 0; k < bits; ++k) {
          float on = grey[first + 2 * size_t(k)](y, x), off = grey[first + 2 * size_t(k) + 1](y, x);
          if (std::abs(on - off) < margin) return -1;
          gray = (gray << 1) | (on > off ? 1 : 0);
        }
        int binary = 0;
        for (int g = gray; g; g >>= 1) binary ^= g;
        return binary < limit ? binary : -1;
      };
      int column = decode(2, column_bits, c.projector_size.width);
      int row = decode(2 + 2 * size_t(column_bits), row_bits, c.projector_size.height);
      if (column < 0 || row < 0) continue;
      result.projector_column(y, x) = float(column);
      result.projector_row(y, x) = float(row);
    }
  }
  // A decoded column that disagrees with its neighbours' median by more
  // than a column or two is a misread (typically a pixel mixing two
  // surfaces at an edge): mark it invalid rather than trust it.
  cv::Mat1f columns = result.projector_column.clone();
  for (int y = 0; y < size.height; ++y) {
    for (int x = 0; x < size.width; ++x) {
      float column = columns(y, x);
      if (!std::isfinite(column)) continue;
      float around[9];
      int n = 0;
      for (int dy = -1; dy <= 1; ++dy)
        for (int dx = -1; dx <= 1; ++dx) {
          int yy = y + dy, xx = x + dx;
          if (yy >= 0 && xx >= 0 && yy < size.height && xx < size.width && std::isfinite(columns(yy, xx))) around[n++] = columns(yy, xx);
        }
      std::nth_element(around, around + n / 2, around + n);
      if (n < 5 || std::abs(column - around[n / 2]) > options.max_column_jump) {
        result.projector_column(y, x) = nan;
        result.projector_row(y, x) = nan;
      }
    }
  }
  // Pixels on the border of the decoded region straddle a shadow or an
  // occluding edge: their light comes partly from the other surface.
  cv::Mat1b decoded = result.projector_column == result.projector_column, inner;
  cv::erode(decoded, inner, cv::Mat(), {-1, -1}, 1, cv::BORDER_CONSTANT, 0);
  result.projector_column.setTo(nan, inner == 0);
  result.projector_row.setTo(nan, inner == 0);
  for (int y = 0; y < size.height; ++y) {
    for (int x = 0; x < size.width; ++x) {
      if (!std::isfinite(result.projector_column(y, x))) continue;
      int column = int(result.projector_column(y, x));
      // The plane of the projector column: through the projector centre and
      // the column's line on the image plane; its normal in projector
      // coordinates is (fx, 0, cx − u).
      double u = column;  // pixel centres at whole coordinates, as OpenCV calibrates
      cv::Vec3d normal_projector(c.projector_matrix(0, 0), 0, c.projector_matrix(0, 2) - u);
      cv::Vec3d normal = c.R.t() * normal_projector;  // in camera coordinates
      cv::Vec3d ray = camera_inverse * cv::Vec3d(x, y, 1.0);  // z component 1
      double denominator = normal.dot(ray);
      if (std::abs(denominator) < 1e-12) continue;
      double z = normal.dot(centre) / denominator;  // the ray point t·ray with z = t
      if (!(z > 0)) continue;
      result.depth(y, x) = float(z);
      result.valid(y, x) = 255;
    }
  }
  return result;
}

}  // namespace depthforge
