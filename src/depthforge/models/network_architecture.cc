#include "depthforge/models/network_architecture.h"

namespace depthforge {

const EnumNames<Architecture>& ArchitectureNames() {
  static const EnumNames<Architecture> kNames{"architecture", {{"unet", Architecture::kUNet},
      {"attention-unet", Architecture::kAttentionUNet}, {"eigen", Architecture::kEigen},
      {"fastdepth", Architecture::kFastDepth}}};
  return kNames;
}
Architecture ArchitectureFromString(const std::string& name) { return ArchitectureNames().Parse(name); }
std::string ToString(Architecture architecture) { return ArchitectureNames().Name(architecture); }

}  // namespace depthforge
