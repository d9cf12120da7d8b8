// Questions worth a person's glance: pairs of points for ordinal labelling,
// placed and ordered so that answering the first few teaches the most.
//
// Points sit inside homogeneous regions of the photo (mean-shift
// segmentation, OpenCV's pyrMeanShiftFiltering, then flood-filled regions),
// each where it is farthest from its region's edges, so a click is never
// ambiguous between two surfaces. Pairs join neighbouring regions (where
// depth order is subtle: contact, occlusion) and regions across the image.
// Each pair is pre-filled with the model's answer (unconfirmed) and scored
// by how unsure the model is: its prediction and its prediction on the
// mirrored photo disagree on the order, or the two depths are nearly equal.
// The least sure come first.
#pragma once

#include <cstdint>

#include <opencv2/core.hpp>

#include "depthforge/io/ordinal_labels.h"

namespace depthforge {

class DepthEstimator;

struct ProposalOptions {
  int pairs = 40;              // per photo, at most
  double neighbour_share = 0.6;  // of the pairs, between touching regions; the rest across the image
  int working_side = 320;      // segmentation runs at this longest side (speed; points are mapped back)
  double spatial_radius = 10;  // mean shift, pixels at the working size
  double colour_radius = 24;   // mean shift, colour distance
  double min_region_share = 0.003;  // regions smaller than this share of the photo get no point
  double equal_gap = 0.02;     // |log depth| difference under which the model's answer is "equal"
  uint64_t seed = 1;
  void Check() const;
};

// Proposals for one photo (BGR, as ReadImage gives it). 'image' is the path
// written into the label file.
LabeledImage ProposeOrdinalPairs(const cv::Mat3b& photo, const std::string& image, const DepthEstimator& estimator,
                                 const ProposalOptions& options = {});

// The regions and their points, exposed for tests: label per pixel of the
// photo (-1 = no region) and one point per region.
struct Segmentation {
  cv::Mat1i labels;
  std::vector<cv::Point2f> points;  // index = region label
};
Segmentation SegmentForLabelling(const cv::Mat3b& photo, const ProposalOptions& options = {});

}  // namespace depthforge
