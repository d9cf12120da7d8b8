// Writes photo | colour depth pairs for docs/images, so a person can judge
// the depth maps:   build/bench/depth_gallery OUTPUT_DIR PHOTO...
#include <cstdio>

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "depthforge/estimate/depth_estimator.h"
#include "depthforge/io/depth_io.h"
#include "depthforge/io/image_io.h"
#include "depthforge/models/model_store.h"
#include "depthforge/util/paths.h"

using namespace depthforge;

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: depth_gallery OUTPUT_DIR PHOTO...\n");
    return 2;
  }
  std::string output_dir = argv[1];
  EnsureWritableDirectory(output_dir);
  ModelStore store(ModelStoreOptions::FromEnvironment());
  auto estimator = CreateDepthEstimator({}, store);
  for (int i = 2; i < argc; ++i) {
    cv::Mat3b photo = ReadImage(argv[i]);
    cv::Mat3b color = ColorizeDepth(estimator->Estimate(photo));
    cv::Mat3b pair;
    cv::hconcat(photo, color, pair);
    double scale = 240.0 / pair.rows;
    cv::resize(pair, pair, {}, scale, scale, cv::INTER_AREA);
    std::string path = output_dir + "/" + FileStem(argv[i]) + "_depth.jpg";
    WriteImage(path, pair, {cv::IMWRITE_JPEG_QUALITY, 85});
    std::printf("%s\n", path.c_str());
  }
  return 0;
}
