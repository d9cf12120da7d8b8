// Small pieces shared by the subcommands: parsing sizes and reporting a
// batch's outcome. No algorithm lives here.
#pragma once

#include <string>

#include <opencv2/core.hpp>

#include "depthforge/estimate/depth_batch.h"

namespace depthforge::cli {

// "640x480" -> size; throws OptionError naming the flag.
cv::Size ParseSize(const std::string& text, const std::string& flag);

// Prints "<label>: interrupted ..." or the failures of a batch to stderr and
// throws CLI::RuntimeError with the exit code (130 interrupted, 1 failures).
void FinishBatch(const std::string& label, const DepthBatchReport& report);

}  // namespace depthforge::cli
