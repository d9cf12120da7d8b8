// One photo and its depth to every 3D output a user asks for.
#pragma once

#include <string>
#include <vector>

#include <opencv2/core.hpp>

#include "depthforge/core/depth_map.h"
#include "depthforge/core/enum_names.h"
#include "depthforge/render/bokeh.h"
#include "depthforge/render/mesh.h"
#include "depthforge/render/parallax.h"
#include "depthforge/render/stereo_layout.h"
#include "depthforge/render/view_synthesis.h"
#include "depthforge/video/photo_video.h"

namespace depthforge {

enum class ConvertOutput {
  kSideBySide, kHalfSideBySide, kTopBottom, kHalfTopBottom, kCrossEyed, kLeftRight,
  kAnaglyph, kAnaglyphColor, kAnaglyphHalfColor, kAnaglyphGrey,
  kPly, kGlb, kObj,
  kOrbit, kTurntable, kParallax,
  kBokeh, kDepth,
};

// "sbs,anaglyph,glb" -> outputs; throws OptionError naming an unknown entry
// and listing the known names.
std::vector<ConvertOutput> ParseConvertOutputs(const std::string& list);
const EnumNames<ConvertOutput>& ConvertOutputNames();
std::string ToString(ConvertOutput output);
std::string KnownConvertOutputs();

struct ConvertOptions {
  std::vector<ConvertOutput> outputs;
  ParallaxOptions parallax;  // stereo outputs: strength and convergence
  ViewSynthesisOptions view;
  double fov_degrees = 60;      // used when the photo has no EXIF focal length
  int point_step = 1;           // PLY: every n-th pixel
  MeshOptions mesh;
  PhotoVideoOptions video;
  BokehOptions bokeh;
  std::string image_extension = ".jpg";  // stereo and bokeh images: .jpg or .png
  int jpeg_quality = 95;
  void Check() const;
};

// Writes <stem>.<output>.<ext> files in output_dir (separate views as
// <stem>.left.<ext> and <stem>.right.<ext>; OBJ with its .mtl and .png).
// All or nothing: on failure the files written for this photo are removed.
// 'photo_bytes' supply the EXIF focal length. Returns the paths written.
std::vector<std::string> ConvertPhoto(const cv::Mat3b& photo, const std::string& photo_bytes, const DepthMap& depth,
                                      const std::string& output_dir, const std::string& stem,
                                      const ConvertOptions& options);

}  // namespace depthforge
