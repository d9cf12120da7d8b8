#include "depthforge/label/ordinal_proposals.h"

#include <algorithm>
#include <cmath>
#include <random>
#include <set>

#include <opencv2/imgproc.hpp>

#include "depthforge/core/error.h"
#include "depthforge/estimate/depth_estimator.h"
#include "depthforge/eval/ordinal.h"

namespace depthforge {

void ProposalOptions::Check() const {
  if (pairs < 1 || pairs > 100000) throw OptionError("--pairs must be between 1 and 100000");
  if (!(neighbour_share >= 0 && neighbour_share <= 1)) throw OptionError("the neighbour share must be in [0, 1]");
  if (working_side < 32) throw OptionError("the working size must be at least 32 pixels");
  if (!(spatial_radius > 0 && colour_radius > 0)) throw OptionError("the mean-shift radii must be positive");
  if (!(min_region_share > 0 && min_region_share < 1)) throw OptionError("the smallest region share must be in (0, 1)");
  if (!(equal_gap >= 0)) throw OptionError("the equal gap must not be negative");
}

Segmentation SegmentForLabelling(const cv::Mat3b& photo, const ProposalOptions& options) {
  options.Check();
  const double scale = std::min(1.0, double(options.working_side) / std::max(photo.cols, photo.rows));
  cv::Mat3b small;
  cv::resize(photo, small, cv::Size(std::max(1, int(std::lround(photo.cols * scale))), std::max(1, int(std::lround(photo.rows * scale)))),
             0, 0, cv::INTER_AREA);
  cv::Mat3b filtered;
  cv::pyrMeanShiftFiltering(small, filtered, options.spatial_radius, options.colour_radius, 1);

  // Regions: flood fills of near-equal colour over the filtered image.
  cv::Mat1i labels(small.size(), -1);
  cv::Mat1b mask(small.rows + 2, small.cols + 2, uchar(0));
  const int min_area = std::max(4, int(options.min_region_share * small.total()));
  Segmentation segmentation;
  int next = 0;
  for (int y = 0; y < small.rows; ++y) {
    for (int x = 0; x < small.cols; ++x) {
      if (mask(y + 1, x + 1)) continue;
      cv::Rect box;
      const int area = cv::floodFill(filtered, mask, {x, y}, cv::Scalar(), &box, cv::Scalar::all(3), cv::Scalar::all(3),
                                     4 | cv::FLOODFILL_MASK_ONLY | cv::FLOODFILL_FIXED_RANGE | (255 << 8));
      // This fill's pixels: set in the mask now, not yet labelled.
      cv::Mat1b region = mask(cv::Rect(box.x + 1, box.y + 1, box.width, box.height)) == 255;
      region &= labels(box) == -1;
      // Mark the fill as done (254), distinct from the next fill's 255.
      mask(cv::Rect(box.x + 1, box.y + 1, box.width, box.height)).setTo(254, region);
      if (area < min_area) {
        labels(box).setTo(-2, region);  // too small: no point, but no longer free
        continue;
      }
      labels(box).setTo(next, region);
      // The point farthest from the region's edges.
      cv::Mat1b padded;
      cv::copyMakeBorder(region, padded, 1, 1, 1, 1, cv::BORDER_CONSTANT, 0);
      cv::Mat1f distance;
      cv::distanceTransform(padded, distance, cv::DIST_L2, 3);
      cv::Point best;
      cv::minMaxLoc(distance, nullptr, nullptr, nullptr, &best);
      segmentation.points.emplace_back(float((box.x + best.x - 1 + 0.5) / scale - 0.5),
                                       float((box.y + best.y - 1 + 0.5) / scale - 0.5));
      ++next;
    }
  }
  labels.setTo(-1, labels == -2);
  cv::resize(labels, segmentation.labels, photo.size(), 0, 0, cv::INTER_NEAREST);
  return segmentation;
}

LabeledImage ProposeOrdinalPairs(const cv::Mat3b& photo, const std::string& image, const DepthEstimator& estimator,
                                 const ProposalOptions& options) {
  options.Check();
  LabeledImage labelled;
  labelled.image = image;
  const Segmentation segmentation = SegmentForLabelling(photo, options);
  const int regions = int(segmentation.points.size());
  if (regions < 2) return labelled;

  // Touching regions, from horizontally and vertically adjacent pixels.
  std::set<std::pair<int, int>> touching;
  const cv::Mat1i& labels = segmentation.labels;
  for (int y = 0; y < labels.rows; ++y) {
    for (int x = 0; x < labels.cols; ++x) {
      const int here = labels(y, x);
      if (here < 0) continue;
      for (const cv::Point step : {cv::Point(1, 0), cv::Point(0, 1)}) {
        if (x + step.x >= labels.cols || y + step.y >= labels.rows) continue;
        const int there = labels(y + step.y, x + step.x);
        if (there >= 0 && there != here) touching.insert({std::min(here, there), std::max(here, there)});
      }
    }
  }
  std::mt19937_64 random(options.seed);
  std::vector<std::pair<int, int>> neighbours(touching.begin(), touching.end());
  std::shuffle(neighbours.begin(), neighbours.end(), random);
  std::vector<std::pair<int, int>> chosen;
  std::set<std::pair<int, int>> used;
  const int wanted_neighbours = int(std::lround(options.pairs * options.neighbour_share));
  for (const auto& pair : neighbours) {
    if (int(chosen.size()) >= wanted_neighbours) break;
    chosen.push_back(pair);
    used.insert(pair);
  }
  std::uniform_int_distribution<int> pick(0, regions - 1);
  const int possible = regions * (regions - 1) / 2;
  for (int tries = 0; int(chosen.size()) < std::min(options.pairs, possible) && tries < options.pairs * 50; ++tries) {
    int a = pick(random), b = pick(random);
    if (a == b) continue;
    const std::pair<int, int> pair{std::min(a, b), std::max(a, b)};
    if (used.insert(pair).second) chosen.push_back(pair);
  }

  // The model's answers, and how sure it is: the photo and its mirror.
  const DepthMap depth = estimator.Estimate(photo);
  cv::Mat3b mirrored;
  cv::flip(photo, mirrored, 1);
  DepthMap mirror_depth = estimator.Estimate(mirrored);
  cv::flip(mirror_depth.values, mirror_depth.values, 1);
  for (const auto& [first, second] : chosen) {
    OrdinalPair pair;
    pair.a = segmentation.points[size_t(first)];
    pair.b = segmentation.points[size_t(second)];
    const float a = DepthAt(depth, pair.a), b = DepthAt(depth, pair.b);
    const float mirror_a = DepthAt(mirror_depth, pair.a), mirror_b = DepthAt(mirror_depth, pair.b);
    const int order = CompareNearness(depth.kind, a, b);
    const int mirror_order = CompareNearness(mirror_depth.kind, mirror_a, mirror_b);
    const double gap = (a > 0 && b > 0) ? std::abs(std::log(double(a) / double(b))) : 0.0;
    pair.closer = order == 0 || gap < options.equal_gap ? Closer::kEqual : order > 0 ? Closer::kA : Closer::kB;
    pair.confirmed = false;
    // Disagreement outranks any closeness; among the rest, the closer the
    // two depths the less sure.
    pair.score = (order != mirror_order ? 1.0 : 0.0) + std::exp(-gap / 0.1);
    labelled.pairs.push_back(pair);
  }
  std::stable_sort(labelled.pairs.begin(), labelled.pairs.end(),
                   [](const OrdinalPair& x, const OrdinalPair& y) { return *x.score > *y.score; });
  return labelled;
}

}  // namespace depthforge
