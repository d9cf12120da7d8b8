#include "depthforge/io/ordinal_labels.h"

#include <cmath>
#include <filesystem>

#include <nlohmann/json.hpp>

#include "depthforge/core/error.h"
#include "depthforge/util/atomic_file.h"

namespace depthforge {
namespace fs = std::filesystem;
using nlohmann::json;

const EnumNames<Closer>& CloserNames() {
  static const EnumNames<Closer> names{"answer", {{"a", Closer::kA}, {"b", Closer::kB}, {"equal", Closer::kEqual}}};
  return names;
}

std::string OrdinalLabels::ImagePath(const LabeledImage& image) const {
  if (fs::path(image.image).is_absolute() || base_dir.empty()) return image.image;
  return (fs::path(base_dir) / image.image).string();
}

int OrdinalLabels::PairCount() const {
  int count = 0;
  for (const auto& image : images) count += int(image.pairs.size());
  return count;
}

namespace {

// A malformed entry, named by where it is.
[[noreturn]] void Bad(const std::string& source, const std::string& where, const std::string& what) {
  throw FileError(source, where + ": " + what);
}

cv::Point2f ReadPoint(const json& value, const std::string& source, const std::string& where) {
  if (!value.is_array() || value.size() != 2 || !value[0].is_number() || !value[1].is_number()) {
    Bad(source, where, "expected [x, y] in pixels");
  }
  const double x = value[0].get<double>(), y = value[1].get<double>();
  if (!std::isfinite(x) || !std::isfinite(y) || x < -0.5 || y < -0.5) Bad(source, where, "outside the image");
  return {float(x), float(y)};
}

json WritePoint(cv::Point2f point) { return json::array({point.x, point.y}); }

}  // namespace

OrdinalLabels ParseOrdinalLabels(const std::string& json_text, const std::string& source) {
  json root = json::parse(json_text, nullptr, false);
  if (root.is_discarded()) throw FileError(source, "not valid JSON");
  if (!root.is_object() || !root.contains("images") || !root["images"].is_array()) {
    throw FileError(source, "expected {\"images\": [...]} (a depthforge label file)");
  }
  OrdinalLabels labels;
  for (size_t i = 0; i < root["images"].size(); ++i) {
    const json& entry = root["images"][i];
    const std::string where = "images[" + std::to_string(i) + "]";
    if (!entry.is_object() || !entry.contains("image") || !entry["image"].is_string() || entry["image"].get<std::string>().empty()) {
      Bad(source, where, "needs \"image\": the photo's path");
    }
    LabeledImage image;
    image.image = entry["image"].get<std::string>();
    const json pairs = entry.value("pairs", json::array());
    if (!pairs.is_array()) Bad(source, where + ".pairs", "expected a list");
    for (size_t p = 0; p < pairs.size(); ++p) {
      const std::string at = where + ".pairs[" + std::to_string(p) + "]";
      const json& pair = pairs[p];
      if (!pair.is_object()) Bad(source, at, "expected {\"a\": [x, y], \"b\": [x, y], \"closer\": ...}");
      OrdinalPair parsed;
      parsed.a = ReadPoint(pair.value("a", json()), source, at + ".a");
      parsed.b = ReadPoint(pair.value("b", json()), source, at + ".b");
      if (!pair.contains("closer") || !pair["closer"].is_string()) Bad(source, at + ".closer", "expected a, b or equal");
      try {
        parsed.closer = CloserNames().Parse(pair["closer"].get<std::string>());
      } catch (const OptionError&) {
        Bad(source, at + ".closer", "expected a, b or equal, got '" + pair["closer"].get<std::string>() + "'");
      }
      parsed.confirmed = pair.value("confirmed", true);
      if (pair.contains("score") && pair["score"].is_number()) parsed.score = pair["score"].get<double>();
      image.pairs.push_back(parsed);
    }
    const json points = entry.value("points", json::array());
    if (!points.is_array()) Bad(source, where + ".points", "expected a list");
    for (size_t p = 0; p < points.size(); ++p) {
      const std::string at = where + ".points[" + std::to_string(p) + "]";
      const json& point = points[p];
      if (!point.is_object() || !point.contains("depth") || !point["depth"].is_number()) {
        Bad(source, at, "expected {\"at\": [x, y], \"depth\": metres}");
      }
      DepthPoint parsed;
      parsed.at = ReadPoint(point.value("at", json()), source, at + ".at");
      parsed.depth = point["depth"].get<double>();
      if (!(parsed.depth > 0) || !std::isfinite(parsed.depth)) Bad(source, at + ".depth", "must be a positive number of metres");
      image.points.push_back(parsed);
    }
    labels.images.push_back(std::move(image));
  }
  return labels;
}

OrdinalLabels ReadOrdinalLabels(const std::string& path) {
  OrdinalLabels labels = ParseOrdinalLabels(ReadFileBytes(path), path);
  labels.base_dir = fs::path(path).parent_path().string();
  return labels;
}

std::string OrdinalLabelsToJson(const OrdinalLabels& labels) {
  json images = json::array();
  for (const LabeledImage& image : labels.images) {
    json pairs = json::array(), points = json::array();
    for (const OrdinalPair& pair : image.pairs) {
      json entry = {{"a", WritePoint(pair.a)}, {"b", WritePoint(pair.b)}, {"closer", CloserNames().Name(pair.closer)}};
      if (!pair.confirmed) entry["confirmed"] = false;
      if (pair.score) entry["score"] = *pair.score;
      pairs.push_back(entry);
    }
    for (const DepthPoint& point : image.points) points.push_back({{"at", WritePoint(point.at)}, {"depth", point.depth}});
    images.push_back({{"image", image.image}, {"pairs", pairs}, {"points", points}});
  }
  return json({{"images", images}}).dump(1) + "\n";
}

void WriteOrdinalLabels(const OrdinalLabels& labels, const std::string& path) {
  WriteFileBytes(path, OrdinalLabelsToJson(labels));
}

}  // namespace depthforge
