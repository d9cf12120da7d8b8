// Procedural indoor scenes with exact depth: a room (floor, ceiling, walls)
// with furniture-like boxes and spheres, textured and lit, seen through a
// pinhole camera. Always-available training and test data.
#pragma once

#include <cstdint>
#include <string>

#include <opencv2/core.hpp>

#include "depthforge/io/rgbd_dataset.h"

namespace depthforge {

struct SyntheticSceneOptions {
  cv::Size size{160, 120};
  double horizontal_fov_degrees = 60;
  void Check() const;
};

// The same seed always gives the same scene (its own random generator).
RgbdSample RenderSyntheticScene(uint64_t seed, const SyntheticSceneOptions& options = {});

// Writes count scenes (seeds seed, seed+1, ...) as image PNGs, 16-bit
// millimetre depth PNGs and pairs.csv in 'output_dir'. Returns the CSV path.
std::string WriteSyntheticDataset(const std::string& output_dir, int count, uint64_t seed,
                                  const SyntheticSceneOptions& options = {}, bool show_progress = true);

}  // namespace depthforge
