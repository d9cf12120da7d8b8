// Inputs shared by the benchmarks: the default model and 640×480 copies of
// the shared photos (from $DEPTHFORGE_MIRROR, default ../shared).
#pragma once

#include <vector>

#include "depthforge/estimate/depth_batch.h"
#include "depthforge/models/model_registry.h"
#include "depthforge/models/tflite_model.h"

namespace depthforge::bench {

const ModelSpec& DefaultSpec();
const TfliteModel& DefaultModel();
// 640×480 JPEGs made once per process in a temporary folder.
const std::vector<BatchInput>& Photos640x480();

}  // namespace depthforge::bench
