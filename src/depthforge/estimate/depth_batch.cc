#include "depthforge/estimate/depth_batch.h"

#include <algorithm>
#include <chrono>
#include <deque>
#include <filesystem>
#include <future>
#include <set>
#include <thread>

#include "depthforge/core/error.h"
#include "depthforge/io/png_writer.h"
#include "depthforge/util/atomic_file.h"
#include "depthforge/util/interrupt.h"
#include "depthforge/util/paths.h"
#include "depthforge/util/progress.h"

namespace depthforge {
namespace fs = std::filesystem;

namespace {

const std::vector<std::string> kImageExtensions = {".jpg", ".jpeg", ".png", ".bmp", ".ppm", ".pgm", ".pnm",
                                                   ".tif", ".tiff", ".webp", ".jp2"};

struct Decoded {
  cv::Mat3b image;
  std::string error;
};

Decoded DecodeSafely(const std::string& path, const ImageReadOptions& options) {
  try {
    return {ReadImage(path, options), ""};
  } catch (const Error& e) {
    return {cv::Mat3b(), e.what()};
  }
}

}  // namespace

std::vector<BatchInput> CollectImageInputs(const std::vector<std::string>& paths) {
  std::vector<std::string> files;
  for (const auto& path : paths) {
    std::error_code error;
    if (fs::is_directory(path, error)) {
      std::vector<std::string> found;
      for (const auto& file : ListFilesWithExtensions(path, kImageExtensions)) {
        if (!IsDepthforgeOutputName(fs::path(file).filename().string()) && !IsDepthforgePng(file)) found.push_back(file);
      }
      if (found.empty()) throw FileError(path, "directory contains no image files");
      files.insert(files.end(), found.begin(), found.end());
    } else if (fs::exists(path, error)) {
      files.push_back(path);
    } else {
      throw FileError(path, "no such file or directory");
    }
  }
  std::vector<BatchInput> inputs;
  std::set<std::string> used;
  for (const auto& file : files) {
    std::string stem = FileStem(file);
    std::string unique = stem;
    for (int k = 2; used.count(unique); ++k) unique = stem + "-" + std::to_string(k);
    used.insert(unique);
    inputs.push_back({file, unique});
  }
  return inputs;
}

int RecommendedInferenceThreads(size_t batch_size) {
  int cores = int(std::max(1u, std::thread::hardware_concurrency()));
  return batch_size > 1 ? std::max(1, cores - 1) : cores;
}

void DepthBatchOptions::Check() const {
  if (output_dir.empty()) throw OptionError("an output directory is required");
  if (formats.empty()) throw OptionError("at least one output format is required");
  if (writers < 0) throw OptionError("the number of writers must be 0 (one per core) or more, got " + std::to_string(writers));
  read.Check();
}

int DepthBatchOptions::ResolvedWriters() const {
  return writers > 0 ? writers : int(std::max(1u, std::thread::hardware_concurrency()));
}

PhotoOutputWriter DepthFormatWriter(const std::string& output_dir, const std::vector<DepthFormat>& formats) {
  return [output_dir, formats](const BatchInput& input, const cv::Mat3b&, const DepthMap& depth) {
    StagingDirectory stage(output_dir);
    for (DepthFormat format : formats) {
      std::string name = input.stem + FileSuffix(format);
      CheckNotAnInput(stage.FinalPath(name));  // before the work, not at the end
      WriteDepth(stage.PathFor(name), depth, format);
    }
    return stage.Commit();
  };
}

bool IsDepthforgeOutputName(const std::string& file_name) {
  if (file_name.rfind(".tmp-", 0) == 0) return true;
  // <stem>.<what>.<ext> as `depth` and `convert` name them.
  static const std::vector<std::string> kMarks = {
      ".color.", ".depth.", ".sbs.", ".hsbs.", ".tb.", ".htb.", ".cross.", ".left.", ".right.",
      ".anaglyph.", ".anaglyph-color.", ".anaglyph-half.", ".anaglyph-grey.", ".mesh.", ".bokeh.",
      ".disparity.", ".confidence."};
  std::string lower = file_name;
  std::transform(lower.begin(), lower.end(), lower.begin(), ::tolower);
  for (const auto& mark : kMarks) {
    size_t at = lower.find(mark);
    if (at != std::string::npos && at > 0) return true;
  }
  return false;
}

DepthBatchReport RunDepthBatch(const DepthEstimator& estimator, const std::vector<BatchInput>& inputs,
                               const DepthBatchOptions& options) {
  return RunDepthBatch(estimator, inputs, options, DepthFormatWriter(options.output_dir, options.formats));
}

DepthBatchReport RunDepthBatch(const DepthEstimator& estimator, const std::vector<BatchInput>& inputs,
                               const DepthBatchOptions& options, const PhotoOutputWriter& writer) {
  options.Check();
  EnsureWritableDirectory(options.output_dir);
  DepthBatchReport report;
  auto start = std::chrono::steady_clock::now();
  Progress progress(options.label, double(inputs.size()), "img", options.show_progress ? stderr : nullptr);

  std::future<Decoded> next;
  if (!inputs.empty()) next = std::async(std::launch::async, DecodeSafely, inputs[0].path, options.read);
  for (const auto& input : inputs) ProtectInput(input.path);
  // Photos being finished and written, oldest first; their results are
  // taken in input order, so the report lists outputs as the inputs came.
  struct PendingWrite {
    std::string input;
    std::future<std::vector<std::string>> paths;
  };
  std::deque<PendingWrite> pending;
  const size_t max_pending = size_t(options.ResolvedWriters());
  auto finish_oldest_write = [&]() {
    PendingWrite oldest = std::move(pending.front());
    pending.pop_front();
    try {
      std::vector<std::string> paths = oldest.paths.get();
      ++report.succeeded;
      report.written.insert(report.written.end(), paths.begin(), paths.end());
    } catch (const Interrupted&) {
      // The item in progress was abandoned (a long video); nothing of it is left.
      report.interrupted = true;
      report.not_started += 1;
    } catch (const PartialOutputError& e) {
      report.written.insert(report.written.end(), e.written().begin(), e.written().end());
      report.failures.push_back({oldest.input, e.what()});
    } catch (const Error& e) {
      report.failures.push_back({oldest.input, e.what()});
    }
  };

  for (size_t i = 0; i < inputs.size(); ++i) {
    if (InterruptRequested()) {
      report.interrupted = true;
      report.not_started = int(inputs.size() - i);
      break;
    }
    Decoded decoded = next.get();
    if (i + 1 < inputs.size()) next = std::async(std::launch::async, DecodeSafely, inputs[i + 1].path, options.read);
    if (!decoded.error.empty()) {
      report.failures.push_back({inputs[i].path, decoded.error});
      progress.Set(double(i + 1));
      continue;
    }
    std::function<DepthMap()> finish;
    try {
      finish = estimator.EstimateInStages(decoded.image);
    } catch (const Error& e) {
      report.failures.push_back({inputs[i].path, e.what()});
      progress.Set(double(i + 1));
      continue;
    }
    while (pending.size() >= max_pending) finish_oldest_write();
    // The second stage of the estimate (upsampling) runs with the writing.
    pending.push_back({inputs[i].path, std::async(std::launch::async, [finish = std::move(finish), &writer,
                                                                      input = inputs[i], photo = decoded.image]() {
                         return writer(input, photo, finish());
                       })});
    progress.Set(double(i + 1));
  }
  while (!pending.empty()) finish_oldest_write();
  progress.Finish();
  report.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return report;
}

}  // namespace depthforge
