// Ordinal depth labels ("Depth in the Wild", Chen et al. 2016): for pairs
// of points in a photo, which one is closer, as a person sees at a glance;
// and, where known, a point's metric depth. The label file (JSON):
//
//   {"images": [{"image": "photos/room.jpg",
//                "pairs": [{"a": [x, y], "b": [x, y], "closer": "a"|"b"|"equal"}],
//                "points": [{"at": [x, y], "depth": 2.4}]}]}
//
// Coordinates are pixels of the photo as depthforge reads it (EXIF
// orientation applied), x right, y down, (0, 0) the centre of the top-left
// pixel. A relative "image" path is relative to the label file's folder.
// Proposed pairs (`label propose`) also carry "confirmed": false until a
// person answers, and "score" (higher: the model is less sure; asked first).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <opencv2/core.hpp>

#include "depthforge/core/enum_names.h"

namespace depthforge {

enum class Closer { kA, kB, kEqual };
const EnumNames<Closer>& CloserNames();  // a | b | equal

struct OrdinalPair {
  cv::Point2f a, b;
  Closer closer = Closer::kEqual;
  bool confirmed = true;        // false: a proposal's pre-filled answer, not yet seen by a person
  std::optional<double> score;  // proposals: the model's uncertainty about this pair
};

struct DepthPoint {
  cv::Point2f at;
  double depth = 0;  // metres
};

struct LabeledImage {
  std::string image;  // as written in the file
  std::vector<OrdinalPair> pairs;
  std::vector<DepthPoint> points;
};

struct OrdinalLabels {
  std::vector<LabeledImage> images;
  // The image's path for opening it: relative paths against 'base_dir'.
  std::string ImagePath(const LabeledImage& image) const;
  std::string base_dir;  // the label file's folder (set by ReadOrdinalLabels)
  int PairCount() const;
};

// Throws FileError naming the file and, for a bad entry, where it is
// ("images[2].pairs[5].closer: expected a, b or equal").
OrdinalLabels ReadOrdinalLabels(const std::string& path);
OrdinalLabels ParseOrdinalLabels(const std::string& json_text, const std::string& source);
std::string OrdinalLabelsToJson(const OrdinalLabels& labels);
void WriteOrdinalLabels(const OrdinalLabels& labels, const std::string& path);  // atomic

}  // namespace depthforge
