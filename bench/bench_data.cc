#include "bench/bench_data.h"

#include <cstdlib>
#include <filesystem>

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "depthforge/io/image_io.h"
#include "depthforge/models/model_store.h"

namespace depthforge::bench {
namespace fs = std::filesystem;

const ModelSpec& DefaultSpec() { return ModelRegistry::Builtin().Find("fastdepth-nyu"); }

const TfliteModel& DefaultModel() {
  static const TfliteModel model = [] {
    ModelStore store(ModelStoreOptions::FromEnvironment());
    return ReadTflite(store.Ensure(DefaultSpec()).path);
  }();
  return model;
}

const std::vector<BatchInput>& Photos640x480() {
  static const std::vector<BatchInput> inputs = [] {
    const char* mirror = std::getenv("DEPTHFORGE_MIRROR");
    fs::path photos = fs::path(mirror ? mirror : "../shared") / "data" / "photos";
    fs::path dir = fs::temp_directory_path() / "depthforge-bench-photos";
    fs::create_directories(dir);
    for (const auto& entry : fs::directory_iterator(photos)) {
      cv::Mat3b image = ReadImage(entry.path().string());
      cv::resize(image, image, {640, 480}, 0, 0, cv::INTER_AREA);
      cv::imwrite((dir / entry.path().filename()).string(), image, {cv::IMWRITE_JPEG_QUALITY, 92});
    }
    return CollectImageInputs({dir.string()});
  }();
  return inputs;
}

}  // namespace depthforge::bench
