#include "depthforge/studio/job_processor.h"

#include <filesystem>

#include "depthforge/convert/photo_convert.h"
#include "depthforge/convert/video_convert.h"
#include "depthforge/core/error.h"
#include "depthforge/estimate/depth_estimator.h"
#include "depthforge/io/image_io.h"
#include "depthforge/models/model_registry.h"
#include "depthforge/util/atomic_file.h"
#include "depthforge/video/video_properties.h"

namespace depthforge {
namespace fs = std::filesystem;

namespace {

ParallaxOptions Parallax(const JobRequest& request) {
  ParallaxOptions parallax;
  if (request.strength) parallax.strength = *request.strength;
  if (request.convergence) parallax.convergence = *request.convergence;
  return parallax;
}

ConvertOptions PhotoOptions(const JobRequest& request) {
  ConvertOptions options;
  options.outputs = ParseConvertOutputs(request.outputs);
  options.parallax = Parallax(request);
  return options;
}

VideoConvertOptions VideoOptions(const JobRequest& request) {
  VideoConvertOptions options;
  options.outputs = ParseVideoOutputs(request.outputs);
  options.parallax = Parallax(request);
  options.start = request.start;
  options.end = request.end;
  options.resume = true;  // a job that a restart or a dead worker interrupted continues
  options.show_progress = false;
  return options;
}

std::vector<JobOutput> Outputs(const std::vector<std::string>& written) {
  std::vector<JobOutput> outputs;
  for (const std::string& path : written) {
    std::error_code error;
    outputs.push_back({fs::path(path).filename().string(), int64_t(fs::file_size(path, error))});
  }
  return outputs;
}

}  // namespace

void UploadLimits::Check() const {
  if (max_pixels < 1) throw OptionError("the pixel limit must be positive");
  if (!(max_video_seconds > 0)) throw OptionError("the video length limit must be positive");
}

JobProcessor::JobProcessor(ModelStoreOptions store_options, int threads)
    : store_options_(std::move(store_options)), threads_(threads) {}

JobProcessor::~JobProcessor() = default;

double JobProcessor::CheckJob(const Job& job, const std::string& input_path, const UploadLimits& limits) const {
  const std::string name = job.display_name + job.input_extension;
  if (!job.request.model.empty() && !ModelRegistry::Builtin().Contains(job.request.model)) {
    ModelRegistry::Builtin().Find(job.request.model);  // throws, listing the known names
  }
  Parallax(job.request).Check();
  if (job.kind == MediaKind::kImage) {
    PhotoOptions(job.request).Check();
    std::string head = ReadFileBytes(input_path);
    auto header = ProbeImageHeader(head);
    if (header && int64_t(header->width) * header->height > limits.max_pixels) {
      char limit[32];
      std::snprintf(limit, sizeof limit, "%.3g", double(limits.max_pixels) / 1e6);
      throw FileError(name, "the photo is " + std::to_string(header->width) + "x" + std::to_string(header->height) +
                                ", more than the " + limit + " megapixels this server accepts");
    }
    return 0;
  }
  VideoOptions(job.request).Check();
  try {
    const VideoProperties video = ReadVideoProperties(input_path);
    const int64_t pixels = int64_t(video.size.width) * video.size.height;
    if (pixels > limits.max_pixels) throw FileError(name, "the video frames are larger than this server accepts");
    const double end = job.request.end > 0 ? std::min(job.request.end, video.duration) : video.duration;
    if (end - job.request.start > limits.max_video_seconds) {
      throw FileError(name, "the video is " + std::to_string(int(end - job.request.start)) +
                                " s long; this server converts at most " +
                                std::to_string(int(limits.max_video_seconds)) + " s (send a part with start and end)");
    }
    return std::max(0.0, end - job.request.start);
  } catch (const FileError& e) {
    if (e.path() == name) throw;
    throw FileError(name, e.reason());  // never the server's path
  }
}

const DepthEstimator& JobProcessor::Estimator(const std::string& model, bool video) {
  std::lock_guard lock(mutex_);
  const std::string key = model + (video ? "|video" : "|photo");
  auto& estimator = estimators_[key];
  if (!estimator) {
    EstimatorOptions options;
    options.model = model;
    options.threads = threads_;
    // A relative model (MiDaS, Depth Anything) is aligned to the default
    // metric model, so that every output works (meshes and bokeh need
    // metres) and depth images mean the same across models.
    const ModelRegistry& registry = ModelRegistry::Builtin();
    if (registry.Contains(model) && registry.Find(model).output_kind == DepthKind::kRelativeInverseDepth) {
      options.align_to = registry.default_model();
    }
    if (video) {
      // As `depthforge video`: one network thread (rendering and encoding
      // use the other core) and the whole frame.
      options.threads = 1;
      options.framing = Framing::kFullImage;
    }
    estimator = CreateDepthEstimator(options, ModelStore(store_options_));
  }
  return *estimator;
}

void JobProcessor::RunPart(const Job& job, int part, const std::string& input_path, const std::string& work,
                           const std::function<void(double)>& progress, const std::function<bool()>& stop) {
  VideoConvertOptions options = VideoOptions(job.request);
  std::tie(options.start, options.end) = PartRange(job, part);
  options.on_progress = progress;
  options.stop_requested = stop;
  VideoConverter(Estimator(job.request.model, true), options).EncodeSegments(input_path, work);
}

std::vector<JobOutput> JobProcessor::JoinParts(const Job& job, const std::string& input_path,
                                               const std::vector<std::string>& part_works,
                                               const std::string& output_dir) {
  VideoConverter converter(Estimator(job.request.model, true), VideoOptions(job.request));
  VideoConvertResult result;
  result.frame_rate = ReadVideoProperties(input_path).frame_rate;
  if (!(result.frame_rate > 0)) result.frame_rate = 25;  // as EncodeSegments assumes
  fs::create_directories(output_dir);
  converter.JoinSegments(input_path, part_works, output_dir, "video", result);
  return Outputs(result.written);
}

void JobProcessor::Preload() { Estimator("", false); }

std::vector<JobOutput> JobProcessor::Run(const Job& job, const std::string& input_path, const std::string& output_dir,
                                         const std::function<void(double)>& progress,
                                         const std::function<bool()>& stop) {
  fs::create_directories(output_dir);
  if (job.kind == MediaKind::kImage) {
    const ConvertOptions options = PhotoOptions(job.request);
    const std::string bytes = ReadFileBytes(input_path);
    const std::string name = job.display_name + job.input_extension;
    cv::Mat3b photo = DecodeImage(bytes, name);
    progress(0.1);
    DepthMap depth = Estimator(job.request.model, false).Estimate(photo);
    if (stop()) throw Interrupted();
    progress(0.4);
    return Outputs(ConvertPhoto(photo, bytes, depth, output_dir, "photo", options));
  }
  VideoConvertOptions options = VideoOptions(job.request);
  options.on_progress = progress;
  options.stop_requested = stop;
  VideoConverter converter(Estimator(job.request.model, true), options);
  VideoConvertResult result = converter.Run(input_path, output_dir, "video");
  return Outputs(result.written);
}

}  // namespace depthforge
