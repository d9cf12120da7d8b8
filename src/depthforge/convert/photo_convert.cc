#include "depthforge/convert/photo_convert.h"

#include <filesystem>
#include <functional>
#include <sstream>
#include <utility>

#include <opencv2/imgcodecs.hpp>

#include "depthforge/core/error.h"
#include "depthforge/estimate/depth_batch.h"
#include "depthforge/io/depth_io.h"
#include "depthforge/io/image_io.h"
#include "depthforge/render/camera.h"
#include "depthforge/render/point_cloud.h"
#include "depthforge/util/atomic_file.h"

namespace depthforge {
namespace fs = std::filesystem;

const EnumNames<ConvertOutput>& ConvertOutputNames() {
  static const EnumNames<ConvertOutput> kNames{"output", {
      {"sbs", ConvertOutput::kSideBySide}, {"hsbs", ConvertOutput::kHalfSideBySide},
      {"tb", ConvertOutput::kTopBottom}, {"htb", ConvertOutput::kHalfTopBottom},
      {"cross", ConvertOutput::kCrossEyed}, {"lr", ConvertOutput::kLeftRight},
      {"anaglyph", ConvertOutput::kAnaglyph}, {"anaglyph-color", ConvertOutput::kAnaglyphColor},
      {"anaglyph-half", ConvertOutput::kAnaglyphHalfColor}, {"anaglyph-grey", ConvertOutput::kAnaglyphGrey},
      {"ply", ConvertOutput::kPly}, {"glb", ConvertOutput::kGlb}, {"obj", ConvertOutput::kObj},
      {"orbit", ConvertOutput::kOrbit}, {"turntable", ConvertOutput::kTurntable}, {"parallax", ConvertOutput::kParallax},
      {"bokeh", ConvertOutput::kBokeh}, {"depth", ConvertOutput::kDepth}}};
  return kNames;
}


std::string KnownConvertOutputs() {
  std::string names;
  for (const auto& [name, output] : ConvertOutputNames().names) names += (names.empty() ? "" : ", ") + name;
  return names;
}

std::string ToString(ConvertOutput output) { return ConvertOutputNames().Name(output); }

std::vector<ConvertOutput> ParseConvertOutputs(const std::string& list) {
  std::vector<ConvertOutput> outputs;
  std::stringstream stream(list);
  std::string item;
  while (std::getline(stream, item, ',')) {
    if (item.empty()) continue;
    ConvertOutput output;
    try {
      output = ConvertOutputNames().Parse(item);
    } catch (const OptionError&) {
      throw OptionError("unknown output '" + item + "' for --as (known: " + KnownConvertOutputs() + ")");
    }
    if (std::find(outputs.begin(), outputs.end(), output) == outputs.end()) outputs.push_back(output);
  }
  if (outputs.empty()) throw OptionError("--as needs at least one output (known: " + KnownConvertOutputs() + ")");
  return outputs;
}

void ConvertOptions::Check() const {
  if (outputs.empty()) throw OptionError("no output requested");
  parallax.Check();
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
  // Every output is written into a staging folder and they appear together;
  // an output that cannot be made from this photo is reported without
  // dropping the others.
  StagingDirectory stage(output_dir);
  auto path_for = [&](const std::string& suffix) { return stage.PathFor(stem + suffix); };
  auto write_image = [&](const std::string& suffix, const cv::Mat& image) {
    std::string path = path_for(suffix + options.image_extension);
    if (options.image_extension == ".jpg") WriteImage(path, image, {cv::IMWRITE_JPEG_QUALITY, options.jpeg_quality});
    else WriteImage(path, image);
  };
  std::vector<std::string> problems;
  auto attempt = [&](const std::string& what, const std::function<void()>& work) {
    try {
      work();
    } catch (const Interrupted&) {
      throw;
    } catch (const FileError& e) {
      problems.push_back(what + ": " + e.reason());  // its path is inside the staging folder
    } catch (const Error& e) {
      problems.push_back(what + ": " + e.what());
    } catch (const cv::Exception& e) {
      problems.push_back(what + ": " + e.err);
    }
  };
  StereoPair pair;
  bool pair_ready = false;
  std::string pair_problem;
  auto stereo_pair = [&]() -> const StereoPair& {
    if (!pair_ready && pair_problem.empty()) {
      try {
        pair = RenderStereoPair(photo, DisparityFromDepth(depth, options.parallax), options.view);
        pair_ready = true;
      } catch (const Error& e) {
        pair_problem = e.what();
      }
    }
    if (!pair_ready) throw Error(pair_problem);
    return pair;
  };
  Intrinsics camera = IntrinsicsForPhoto(photo_bytes, photo.size(), options.fov_degrees);
  for (ConvertOutput output : options.outputs) {
    std::string name = "." + ToString(output);
    attempt(ToString(output), [&] {
      switch (output) {
        case ConvertOutput::kSideBySide: write_image(name, ComposeStereo(stereo_pair().left, pair.right, StereoLayout::kFullSideBySide)); break;
        case ConvertOutput::kHalfSideBySide: write_image(name, ComposeStereo(stereo_pair().left, pair.right, StereoLayout::kHalfSideBySide)); break;
        case ConvertOutput::kTopBottom: write_image(name, ComposeStereo(stereo_pair().left, pair.right, StereoLayout::kFullTopBottom)); break;
        case ConvertOutput::kHalfTopBottom: write_image(name, ComposeStereo(stereo_pair().left, pair.right, StereoLayout::kHalfTopBottom)); break;
        case ConvertOutput::kCrossEyed: write_image(name, ComposeStereo(stereo_pair().left, pair.right, StereoLayout::kCrossEyed)); break;
        case ConvertOutput::kLeftRight:
          write_image(".left", stereo_pair().left);
          write_image(".right", pair.right);
          break;
        case ConvertOutput::kAnaglyph: write_image(name, MakeAnaglyph(stereo_pair().left, pair.right, AnaglyphMode::kDubois)); break;
        case ConvertOutput::kAnaglyphColor: write_image(name, MakeAnaglyph(stereo_pair().left, pair.right, AnaglyphMode::kColor)); break;
        case ConvertOutput::kAnaglyphHalfColor: write_image(name, MakeAnaglyph(stereo_pair().left, pair.right, AnaglyphMode::kHalfColor)); break;
        case ConvertOutput::kAnaglyphGrey: write_image(name, MakeAnaglyph(stereo_pair().left, pair.right, AnaglyphMode::kGrey)); break;
        case ConvertOutput::kPly: WritePly(path_for(".ply"), BackProject(depth, photo, camera, options.point_step)); break;
        case ConvertOutput::kGlb: WriteGlb(path_for(".glb"), BuildMesh(depth, photo, camera, options.mesh)); break;
        case ConvertOutput::kObj:
          // WriteObj writes the texture and material beside the OBJ.
          WriteObj(path_for(".mesh.obj"), BuildMesh(depth, photo, camera, options.mesh));
          break;
        case ConvertOutput::kOrbit:
        case ConvertOutput::kTurntable:
        case ConvertOutput::kParallax:
          WritePhotoVideo(path_for(name + ".mp4"), photo, depth, camera, PhotoVideoKindFromString(ToString(output)),
                          options.video);
          break;
        case ConvertOutput::kBokeh: write_image(name, RenderBokeh(photo, depth, options.bokeh)); break;
        case ConvertOutput::kDepth:
          WriteDepth(path_for(".depth.npy"), depth, DepthFormat::kNpy);
          WriteDepth(path_for(".depth.color.png"), depth, DepthFormat::kColor);
          break;
      }
    });
  }
  std::vector<std::string> written = stage.Commit();
  if (problems.empty()) return written;
  std::string reasons;
  for (const auto& problem : problems) reasons += (reasons.empty() ? "" : "; ") + problem;
  if (written.empty()) throw Error(reasons);
  throw PartialOutputError(reasons + " (the other outputs were written)", written);
}

}  // namespace depthforge
