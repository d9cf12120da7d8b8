// Depth for many photos: gather the inputs, estimate, write every format,
// keep going past bad files and report what failed.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "depthforge/estimate/depth_estimator.h"
#include "depthforge/io/depth_io.h"
#include "depthforge/io/image_io.h"

namespace depthforge {

// Files are taken as given; directories contribute their image files
// (by extension, sorted, not recursive), leaving out depthforge's own
// outputs (IsDepthforgeOutputName, and PNGs that IsDepthforgePng) so that a folder can be converted in
// place more than once. Throws FileError for a path that does not exist.
// Output stems are made unique ("photo", "photo-2").
struct BatchInput {
  std::string path;
  std::string stem;
};
std::vector<BatchInput> CollectImageInputs(const std::vector<std::string>& paths);

// "photo.color.png", "photo.hsbs.jpg", ".tmp-…": names depthforge gives its
// outputs and temporary files.
bool IsDepthforgeOutputName(const std::string& file_name);

struct DepthBatchOptions {
  std::string output_dir;
  // What `depthforge depth` writes: metres, millimetres and a picture.
  std::vector<DepthFormat> formats = {DepthFormat::kNpy, DepthFormat::kPng16, DepthFormat::kColor};
  ImageReadOptions read;
  bool show_progress = true;
  std::string label = "depth";  // progress line label
  // Photos being finished (edge-aware upsampling) and written at the same
  // time, alongside the network. That work costs several network runs per
  // photo, so with one writer the network's core sat idle: two writers on 2
  // cores cut a 40-photo batch by N % (docs/PERFORMANCE.md). 0 = one per core.
  int writers = 0;
  int ResolvedWriters() const;  // writers, or the core count for 0
  void Check() const;
};

// Writes everything one photo produces and returns the paths. It must be
// all or nothing (a StagingDirectory), or throw PartialOutputError naming
// what it kept and why the rest failed; Interrupted abandons the photo.
// Runs on worker threads, several photos at a time (DepthBatchOptions::writers).
using PhotoOutputWriter =
    std::function<std::vector<std::string>(const BatchInput& input, const cv::Mat3b& photo, const DepthMap& depth)>;

// The writer of `depthforge depth`: one file per format in output_dir.
PhotoOutputWriter DepthFormatWriter(const std::string& output_dir, const std::vector<DepthFormat>& formats);

struct DepthBatchReport {
  int succeeded = 0;
  std::vector<std::pair<std::string, std::string>> failures;  // input, reason
  std::vector<std::string> written;                           // output paths
  double seconds = 0;
  bool interrupted = false;  // stopped early by InterruptRequested()
  int not_started = 0;       // inputs left untouched by the interruption
};

// Inference threads for a batch of this many photos: all cores for one
// photo; one core fewer for a batch, whose decoding and writing run
// alongside on the core left (measured 1.45x faster: docs/PERFORMANCE.md).
int RecommendedInferenceThreads(size_t batch_size);

// Decoding the next photo, and finishing (upsampling) and writing the
// previous ones (up to options.writers at once, so 'writer' must be safe to
// call concurrently), overlap with the network run. Throws only for problems
// that stop the whole batch (an unusable output directory); per-image
// problems go to the report, outputs in input order. When InterruptRequested() turns
// true it stops after the images in progress, whose outputs are finished
// first (or, if a writer throws Interrupted, removed).
// Every input is registered with ProtectInput: no output replaces one.
DepthBatchReport RunDepthBatch(const DepthEstimator& estimator, const std::vector<BatchInput>& inputs,
                               const DepthBatchOptions& options, const PhotoOutputWriter& writer);
// With DepthFormatWriter(options.output_dir, options.formats).
DepthBatchReport RunDepthBatch(const DepthEstimator& estimator, const std::vector<BatchInput>& inputs,
                               const DepthBatchOptions& options);

}  // namespace depthforge
