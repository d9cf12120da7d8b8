// Measuring depth against ordinal labels: WHDR, the share of labelled pairs
// with a definite order ("a" or "b" closer) that a depth map orders the
// other way, in percent (Chen et al. 2016's measure, unweighted). Pairs
// labelled "equal" are left out, as are pairs where the map has no value
// at either point (counted apart, so nothing is silently dropped).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "depthforge/core/depth_map.h"
#include "depthforge/io/ordinal_labels.h"

namespace depthforge {

class DepthEstimator;

struct OrdinalScore {
  int ordered = 0;  // pairs with a definite order and a value at both points
  int wrong = 0;    // of those, ordered the other way (or not at all: equal values)
  int unknown = 0;  // pairs with a definite order but no value at a point
  double whdr() const { return ordered > 0 ? 100.0 * wrong / ordered : 0.0; }
  void Add(const OrdinalScore& other);
};

// The map's value at a point: the nearest pixel; NaN outside the map.
float DepthAt(const DepthMap& depth, cv::Point2f point);
// The map's answer for a pair (its nearness order; equal when tied or unknown).
Closer AnswerOf(const DepthMap& depth, const OrdinalPair& pair);
OrdinalScore ScoreOrdinal(const DepthMap& depth, const std::vector<OrdinalPair>& pairs);

// Pairs answered by a ground-truth map: 'count' pairs of random valid
// pixels (seeded), "equal" where their depths differ by less than
// 'equal_ratio' (relative). For experiments where people's answers are
// stood in for by a sensor's.
std::vector<OrdinalPair> OrdinalPairsFromDepth(const DepthMap& truth, int count, uint64_t seed, double equal_ratio = 0.02);

struct OrdinalReport {
  std::string model;
  OrdinalScore total;
  std::vector<std::pair<std::string, OrdinalScore>> per_image;  // as named in the label file
};

// Estimates each labelled photo's depth and scores it. Throws FileError
// naming a photo that cannot be read.
OrdinalReport EvaluateOrdinal(const DepthEstimator& estimator, const OrdinalLabels& labels, bool show_progress);
// {"whdr": .., "ordered_pairs": .., "wrong": .., "unknown": .., "images": [{"image", "whdr", ...}]}
void WriteOrdinalReport(const OrdinalReport& report, const std::string& json_path);

}  // namespace depthforge
