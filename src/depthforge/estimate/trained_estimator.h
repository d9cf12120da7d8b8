// Depth from a network trained by depthforge (a model.pt of `depthforge
// train`), and reading such model files. Torch stays in the .cc file.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "depthforge/estimate/depth_estimator.h"

namespace depthforge {

// All parameters of a model file, flattened in a fixed order (for tests
// that compare runs).
std::vector<float> ReadModelParameters(const std::string& path);

// A depth estimator from a trained model file (.pt): the photo is resized to
// the trained input size and the output brought back with the edge-aware
// upsampling.
std::unique_ptr<DepthEstimator> LoadTrainedEstimator(const std::string& path, const EstimatorOptions& options);

}  // namespace depthforge
