// The depth network architectures depthforge trains. Their LibTorch
// definitions are internal to the torch translation units
// (models/torch_modules.h); this header is free of torch.
#pragma once

#include <string>

#include "depthforge/core/enum_names.h"

namespace depthforge {

enum class Architecture {
  kUNet,           // encoder/decoder with skip connections (Ronneberger et al. 2015)
  kAttentionUNet,  // SELU, channel + spatial attention, RGB + focus channel input
  kEigen,          // Eigen et al. 2014: global coarse network (fully connected) + local fine network
  kFastDepth,      // FastDepth initialised from the imported pretrained weights, for fine-tuning
};
const EnumNames<Architecture>& ArchitectureNames();  // unet|attention-unet|eigen|fastdepth
Architecture ArchitectureFromString(const std::string& name);
std::string ToString(Architecture architecture);

}  // namespace depthforge
