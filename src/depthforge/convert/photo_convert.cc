#include "depthforge/convert/photo_convert.h"

#include <filesystem>
#include <sstream>
#include <utility>

#include <opencv2/imgcodecs.hpp>

#include "depthforge/core/error.h"
#include "depthforge/estimate/depth_batch.h"
#include "depthforge/io/depth_io.h"
#include "depthforge/io/image_io.h"
#include "depthforge/render/camera.h"
#include "depthforge/render/point_cloud.h"

namespace depthforge {
namespace fs = std::filesystem;

namespace {

const std::vector<std::pair<std::string, ConvertOutput>>& Names() {
  static const std::vector<std::pair<std::string, ConvertOutput>> kNames = {
      {"sbs", ConvertOutput::kSideBySide},          {"hsbs", ConvertOutput::kHalfSideBySide},
      {"tb", ConvertOutput::kTopBottom},            {"htb", ConvertOutput::kHalfTopBottom},
      {"cross", ConvertOutput::kCrossEyed},         {"lr", ConvertOutput::kLeftRight},
      {"anaglyph", ConvertOutput::kAnaglyph},       {"anaglyph-color", ConvertOutput::kAnaglyphColor},
      {"anaglyph-half", ConvertOutput::kAnaglyphHalfColor}, {"anaglyph-grey", ConvertOutput::kAnaglyphGrey},
      {"ply", ConvertOutput::kPly},                 {"glb", ConvertOutput::kGlb},
      {"obj", ConvertOutput::kObj},                 {"orbit", ConvertOutput::kOrbit},
      {"turntable", ConvertOutput::kTurntable},     {"parallax", ConvertOutput::kParallax},
      {"bokeh", ConvertOutput::kBokeh},             {"depth", ConvertOutput::kDepth},
  };
  return kNames;
}

bool IsStereo(ConvertOutput o) { return o <= ConvertOutput::kAnaglyphGrey; }

}  // namespace

std::string KnownConvertOutputs() {
  std::string names;
  for (const auto& [name, output] : Names()) names += (names.empty() ? "" : ", ") + name;
  return names;
}

std::string ToString(ConvertOutput output) {
  for (const auto& [name, value] : Names()) if (value == output) return name;
  return "";
}

std::vector<ConvertOutput> ParseConvertOutputs(const std::string& list) {
  std::vector<ConvertOutput> outputs;
  std::stringstream stream(list);
  std::string item;
  while (std::getline(stream, item, ',')) {
    if (item.empty()) continue;
    bool found = false;
    for (const auto& [name, output] : Names()) {
      if (name != item) continue;
      found = true;
      if (std::find(outputs.begin(), outputs.end(), output) == outputs.end()) outputs.push_back(output);
    }
    if (!found) throw OptionError("unknown output '" + item + "' for --as (known: " + KnownConvertOutputs() + ")");
  }
  if (outputs.empty()) throw OptionError("--as needs at least one output (known: " + KnownConvertOutputs() + ")");
  return outputs;
}

void ConvertOptions::Check() const {
  if (outputs.empty()) throw OptionError("no output requested");
  stereo.Check();
  view.Check();
  if (!(fov_degrees > 1 && fov_degrees < 179)) {
    throw OptionError("field of view must be between 1 and 179 degrees, got " + std::to_string(fov_degrees));
  }
  if (point_step < 1 || point_step > 64) throw OptionError("point step must be between 1 and 64");
  mesh.Check();
  video.Check();
  bokeh.Check();
  if (image_extension != ".jpg" && image_extension != ".png") throw OptionError("image format must be jpg or png");
  if (jpeg_quality < 1 || jpeg_quality > 100) throw OptionError("JPEG quality must be between 1 and 100");
}

std::vector<std::string> ConvertPhoto(const cv::Mat3b& photo, const std::string& photo_bytes, const DepthMap& depth,
                                      const std::string& output_dir, const std::string& stem,
                                      const ConvertOptions& options) {
  options.Check();
  if (depth.values.size() != photo.size()) {
    throw Error("depth map is " + std::to_string(depth.width()) + "x" + std::to_string(depth.height()) +
                " but the photo is " + std::to_string(photo.cols) + "x" + std::to_string(photo.rows));
  }
  std::vector<std::string> written;
  auto path_for = [&](const std::string& suffix) { return (fs::path(output_dir) / (stem + suffix)).string(); };
  auto write_image = [&](const std::string& suffix, const cv::Mat& image) {
    std::string path = path_for(suffix + options.image_extension);
    if (options.image_extension == ".jpg") WriteImage(path, image, {cv::IMWRITE_JPEG_QUALITY, options.jpeg_quality});
    else WriteImage(path, image);
    written.push_back(path);
  };
  try {
    bool needs_stereo = std::any_of(options.outputs.begin(), options.outputs.end(), IsStereo);
    StereoPair pair;
    if (needs_stereo) pair = RenderStereoPair(photo, DisparityFromDepth(depth, options.stereo), options.view);
    Intrinsics camera = IntrinsicsForPhoto(photo_bytes, photo.size(), options.fov_degrees);
    for (ConvertOutput output : options.outputs) {
      std::string name = "." + ToString(output);
      switch (output) {
        case ConvertOutput::kSideBySide: write_image(name, ComposeStereo(pair.left, pair.right, StereoLayout::kFullSideBySide)); break;
        case ConvertOutput::kHalfSideBySide: write_image(name, ComposeStereo(pair.left, pair.right, StereoLayout::kHalfSideBySide)); break;
        case ConvertOutput::kTopBottom: write_image(name, ComposeStereo(pair.left, pair.right, StereoLayout::kFullTopBottom)); break;
        case ConvertOutput::kHalfTopBottom: write_image(name, ComposeStereo(pair.left, pair.right, StereoLayout::kHalfTopBottom)); break;
        case ConvertOutput::kCrossEyed: write_image(name, ComposeStereo(pair.left, pair.right, StereoLayout::kCrossEyed)); break;
        case ConvertOutput::kLeftRight:
          write_image(".left", pair.left);
          write_image(".right", pair.right);
          break;
        case ConvertOutput::kAnaglyph: write_image(name, MakeAnaglyph(pair.left, pair.right, AnaglyphMode::kDubois)); break;
        case ConvertOutput::kAnaglyphColor: write_image(name, MakeAnaglyph(pair.left, pair.right, AnaglyphMode::kColor)); break;
        case ConvertOutput::kAnaglyphHalfColor: write_image(name, MakeAnaglyph(pair.left, pair.right, AnaglyphMode::kHalfColor)); break;
        case ConvertOutput::kAnaglyphGrey: write_image(name, MakeAnaglyph(pair.left, pair.right, AnaglyphMode::kGrey)); break;
        case ConvertOutput::kPly:
          WritePly(path_for(".ply"), BackProject(depth, photo, camera, options.point_step));
          written.push_back(path_for(".ply"));
          break;
        case ConvertOutput::kGlb:
          WriteGlb(path_for(".glb"), BuildMesh(depth, photo, camera, options.mesh));
          written.push_back(path_for(".glb"));
          break;
        case ConvertOutput::kObj: {
          Mesh mesh = BuildMesh(depth, photo, camera, options.mesh);
          // WriteObj writes the texture and material first, then the OBJ.
          written.push_back(path_for(".mesh.png"));
          written.push_back(path_for(".mesh.mtl"));
          WriteObj(path_for(".mesh.obj"), mesh);
          written.push_back(path_for(".mesh.obj"));
          break;
        }
        case ConvertOutput::kOrbit:
        case ConvertOutput::kTurntable:
        case ConvertOutput::kParallax: {
          PhotoVideoKind kind = PhotoVideoKindFromString(ToString(output));
          WritePhotoVideo(path_for(name + ".mp4"), photo, depth, camera, kind, options.video);
          written.push_back(path_for(name + ".mp4"));
          break;
        }
        case ConvertOutput::kBokeh: write_image(name, RenderBokeh(photo, depth, options.bokeh)); break;
        case ConvertOutput::kDepth:
          WriteDepth(path_for(".depth.npy"), depth, DepthFormat::kNpy);
          written.push_back(path_for(".depth.npy"));
          WriteDepth(path_for(".depth.color.png"), depth, DepthFormat::kColor);
          written.push_back(path_for(".depth.color.png"));
          break;
      }
    }
  } catch (...) {
    RemoveAndRethrow(written);
  }
  return written;
}

}  // namespace depthforge
