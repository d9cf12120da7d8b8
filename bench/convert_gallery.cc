// Pictures for docs/CONVERT.md:   build/bench/convert_gallery OUTPUT_DIR [MIRROR_DIR]
// For a few shared photos: half side-by-side, Dubois anaglyph, bokeh, and
// frames of the orbit, parallax and turntable videos; and, on the Tsukuba
// pair with true disparity, the synthesised right view with a naive warp,
// with OpenCV's Telea inpainting, and with depthforge, beside the real photo.
#include <cstdio>
#include <filesystem>

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "depthforge/estimate/depth_estimator.h"
#include "depthforge/io/image_io.h"
#include "depthforge/models/model_store.h"
#include "depthforge/render/parallax.h"
#include "depthforge/render/bokeh.h"
#include "depthforge/render/camera.h"
#include "depthforge/render/stereo_layout.h"
#include "depthforge/util/atomic_file.h"
#include "depthforge/util/paths.h"
#include "depthforge/video/photo_video.h"

using namespace depthforge;
namespace fs = std::filesystem;

namespace {

void Save(const std::string& path, const cv::Mat& image, int width) {
  cv::Mat small;
  cv::resize(image, small, {}, double(width) / image.cols, double(width) / image.cols, cv::INTER_AREA);
  WriteImage(path, small, {cv::IMWRITE_JPEG_QUALITY, 85});
  std::printf("%s\n", path.c_str());
}

cv::Mat Strip(const std::vector<cv::Mat3b>& frames) {
  cv::Mat strip;
  cv::hconcat(frames, strip);
  return strip;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: convert_gallery OUTPUT_DIR [MIRROR_DIR]\n");
    return 2;
  }
  std::string out = argv[1];
  std::string mirror = argc > 2 ? argv[2] : (getenv("DEPTHFORGE_MIRROR") ? getenv("DEPTHFORGE_MIRROR") : "../shared");
  EnsureWritableDirectory(out);
  ModelStore store(ModelStoreOptions::FromEnvironment());
  auto estimator = CreateDepthEstimator({}, store);
  for (const std::string name : {"leuvenA", "messi5", "home"}) {
    std::string path = (fs::path(mirror) / "data" / "photos" / (name + ".jpg")).string();
    cv::Mat3b photo = ReadImage(path);
    DepthMap depth = estimator->Estimate(photo);
    StereoPair pair = RenderStereoPair(photo, DisparityFromDepth(depth, {}));
    Save(out + "/" + name + "_hsbs.jpg", ComposeStereo(pair.left, pair.right, StereoLayout::kHalfSideBySide), 640);
    Save(out + "/" + name + "_anaglyph.jpg", MakeAnaglyph(pair.left, pair.right, AnaglyphMode::kDubois), 480);
    Save(out + "/" + name + "_bokeh.jpg", RenderBokeh(photo, depth, {}), 480);
    Intrinsics camera = IntrinsicsForPhoto(ReadFileBytes(path), photo.size(), 60);
    for (PhotoVideoKind kind : {PhotoVideoKind::kOrbit, PhotoVideoKind::kParallax, PhotoVideoKind::kTurntable}) {
      std::vector<cv::Mat3b> frames;
      RenderPhotoVideo(photo, depth, camera, kind, {}, [&](int index, const cv::Mat3b& frame) {
        if (index % 18 == 0) frames.push_back(frame.clone());
      });
      Save(out + "/" + name + "_" + ToString(kind) + ".jpg", Strip(frames), 960);
    }
  }
  // View synthesis on Tsukuba: real right view | naive | Telea | depthforge, zoomed on the lamp.
  fs::path tsukuba = fs::path(mirror) / "data" / "stereo" / "middlebury2001" / "tsukuba";
  cv::Mat3b left = ReadImage((tsukuba / "im3.png").string()), right = ReadImage((tsukuba / "im4.png").string());
  cv::Mat raw = cv::imread((tsukuba / "disp3.pgm").string(), cv::IMREAD_UNCHANGED);
  cv::Mat1f disparity;
  raw.convertTo(disparity, CV_32F, 1.0 / 16);
  disparity.setTo(std::nanf(""), raw == 0);
  ViewSynthesisOptions naive;
  naive.z_buffer = false;
  naive.connect_surfaces = false;
  naive.edge_dilation = 0;
  naive.hole_fill = ViewSynthesisOptions::HoleFill::kNone;
  ViewSynthesisOptions telea;
  telea.hole_fill = ViewSynthesisOptions::HoleFill::kTelea;
  cv::Rect lamp(150, 60, 130, 130);
  std::vector<cv::Mat3b> tiles = {right(lamp).clone(), SynthesizeView(left, disparity, 1.0, naive).image(lamp).clone(),
                                  SynthesizeView(left, disparity, 1.0, telea).image(lamp).clone(),
                                  SynthesizeView(left, disparity, 1.0).image(lamp).clone()};
  Save(out + "/tsukuba_view_synthesis.jpg", Strip(tiles), 960);
  return 0;
}
