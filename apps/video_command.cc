// depthforge video INPUT... -o DIR --as LIST [stereo and encoder flags]
#include <malloc.h>

#include <cstdio>
#include <filesystem>

#include "apps/cli_util.h"
#include "apps/commands.h"
#include "depthforge/convert/video_convert.h"
#include "depthforge/core/error.h"
#include "depthforge/estimate/depth_estimator.h"
#include "depthforge/models/model_store.h"
#include "depthforge/util/interrupt.h"
#include "depthforge/util/paths.h"

namespace depthforge::cli {
namespace fs = std::filesystem;

namespace {

// Files as given; folders contribute their video files (by extension, sorted).
std::vector<std::string> CollectVideos(const std::vector<std::string>& paths) {
  static const std::vector<std::string> kExtensions = {".mp4", ".mkv", ".mov", ".avi", ".webm", ".m4v", ".mts", ".ts", ".wmv", ".flv"};
  std::vector<std::string> files;
  for (const auto& path : paths) {
    std::error_code error;
    if (fs::is_directory(path, error)) {
      std::vector<std::string> found;
      for (const std::string& file : ListFilesWithExtensions(path, kExtensions)) {
        if (!IsVideoOutputName(fs::path(file).filename().string())) found.push_back(file);  // our own outputs are not inputs
      }
      if (found.empty()) throw FileError(path, "folder contains no video files");
      files.insert(files.end(), found.begin(), found.end());
    } else {
      files.push_back(path);  // missing or broken files are reported per file
    }
  }
  return files;
}

}  // namespace

void AddVideoCommand(CLI::App& app) {
  CLI::App* command = app.add_subcommand("video", "Convert videos to stereo 3D (SBS, TB, anaglyph, RGBD, depth)");
  // The flags write straight into the options; the defaults live there.
  struct Flags {
    VideoConvertOptions options;
    std::vector<std::string> inputs;
    std::string output_dir, model, align_to;
    Backend backend = Backend::kAuto;
    bool quiet = false, timing = false;
  };
  auto flags = std::make_shared<Flags>();
  VideoConvertOptions& o = flags->options;
  command->add_option("inputs", flags->inputs, "Video files, or folders of videos")->required();
  command->add_option("-o,--output", flags->output_dir, "Output folder (created if needed)")->required();
  command->add_option_function<std::string>(
      "--as", [flags](const std::string& list) { flags->options.outputs = ParseVideoOutputs(list); },
      "Comma-separated outputs: " + VideoOutputNames().List())->default_str("hsbs");
  AddModelOptions(command, flags->model, flags->align_to);
  AddEnumOption(command, "--backend", flags->backend, BackendNames(), "Inference backend");
  command->add_option("--strength", o.parallax.strength, "Largest parallax, percent of the width")->capture_default_str();
  command->add_option("--convergence", o.parallax.convergence, "Depth at the screen plane, 0 = farthest .. 1 = nearest")
      ->capture_default_str();
  AddViewSynthesisOptions(command, o.view);
  command->add_option("--codec", o.encoder.codec, "Video encoder: libx264 or libx265")->capture_default_str();
  command->add_option("--crf", o.encoder.crf, "Constant quality (lower is better)")->capture_default_str();
  command->add_option("--preset", o.encoder.preset, "Encoder speed preset")->capture_default_str();
  AddEnumOption(command, "--stabilize", o.stabilizer.mode, StabilizeNames(),
                "Temporal steadying of depth (range: a running depth range; flow: also optical-flow blending)");
  command->add_option("--range-smoothing", o.stabilizer.range_smoothing,
                      "Weight of each new frame in the running depth range (1 = per frame)")->capture_default_str();
  command->add_option("--look-ahead", o.stabilizer.look_ahead,
                      "Frames the running depth range looks ahead (undoes its lag; never across a cut)")->capture_default_str();
  command->add_option("--flow-weight", o.stabilizer.flow_weight,
                      "Largest weight of the flow-carried previous depth (higher: steadier, more lag)")->capture_default_str();
  command->add_option("--scene-detect", o.stabilizer.scene_detect, "Reset the steadying at scene cuts (true/false)")
      ->capture_default_str();
  command->add_option("--start", o.start, "Start at this time in seconds")->capture_default_str();
  command->add_option("--end", o.end, "Stop at this time in seconds (0: the whole video)")->capture_default_str();
  command->add_option("--max-fps", o.max_fps, "Drop frames above this rate, timing kept (0: every frame)")
      ->capture_default_str();
  command->add_option("--segment-seconds", o.segment_seconds, "Length of the resumable pieces of work")
      ->capture_default_str();
  command->add_flag("--resume", o.resume,
                    "Continue an interrupted conversion where it stopped; skip videos already converted");
  command->add_flag("-q,--quiet", flags->quiet, "No progress bar");
  command->add_flag("--timing", flags->timing, "Print the busy time of each stage per frame");
  command->callback([flags] {
    VideoConvertOptions options = flags->options;
    options.show_progress = !flags->quiet;
    // Every frame allocates the same few large images. Above glibc's mmap
    // threshold each would be fresh pages from the kernel, zeroed and
    // faulted in again; kept in the heap they are reused (page clearing and
    // faults were ~7 % of a 720p conversion's profile; docs/VIDEO.md).
    mallopt(M_MMAP_THRESHOLD, 64 << 20);
    mallopt(M_TRIM_THRESHOLD, 256 << 20);
    options.Check();
    std::vector<std::string> inputs = CollectVideos(flags->inputs);
    EnsureWritableDirectory(flags->output_dir);
    EstimatorOptions estimator_options;
    estimator_options.model = flags->model;
    estimator_options.align_to = flags->align_to;
    estimator_options.backend = flags->backend;
    // Video frames run through one network thread: rendering and encoding
    // keep the other core busy, and a second network thread only spins
    // (docs/PERFORMANCE.md).
    estimator_options.threads = 1;
    estimator_options.framing = Framing::kFullImage;
    auto estimator = CreateDepthEstimator(estimator_options, ModelStore(ModelStoreOptions::FromEnvironment()));
    VideoConverter converter(*estimator, options);
    InstallInterruptHandler();
    DepthBatchReport report;
    for (size_t i = 0; i < inputs.size(); ++i) {
      if (InterruptRequested()) {
        report.interrupted = true;
        report.not_started = int(inputs.size() - i);
        break;
      }
      try {
        VideoConvertResult result = converter.Run(inputs[i], flags->output_dir, FileStem(inputs[i]));
        ++report.succeeded;
        report.written.insert(report.written.end(), result.written.begin(), result.written.end());
        if (result.already_done) {
          std::printf("%s: already converted (--resume), skipped\n", inputs[i].c_str());
          continue;
        }
        std::printf("%s: %lld frames in %.1f s (%.1f fps)", inputs[i].c_str(), (long long)result.frames,
                    result.seconds, result.frames / std::max(1e-9, result.seconds));
        if (result.resumed_frames > 0) std::printf(", %lld more from the earlier run", (long long)result.resumed_frames);
        if (result.scene_cuts > 0) std::printf(", %d scene cut%s", result.scene_cuts, result.scene_cuts == 1 ? "" : "s");
        if (result.alignment_fits > 0) {
          std::printf(", metres from %d fit%s to %s", result.alignment_fits, result.alignment_fits == 1 ? "" : "s",
                      estimator_options.align_to.c_str());
        }
        std::printf("\n");
        if (flags->timing) {
          const double n = double(std::max<int64_t>(1, result.frames));
          std::printf("  ms per frame, busy: decode %.1f, depth %.1f, render %.1f, encode %.1f\n",
                      1e3 * result.decode_seconds / n, 1e3 * result.depth_seconds / n, 1e3 * result.render_seconds / n,
                      1e3 * result.encode_seconds / n);
        }
        auto list = [](const char* what, const std::vector<std::string>& items) {
          if (items.empty()) return;
          std::string joined;
          for (const auto& item : items) joined += (joined.empty() ? "" : ", ") + item;
          std::printf("  %s: %s\n", what, joined.c_str());
        };
        list("copied", result.copied_streams);
        list("re-encoded", result.reencoded_streams);
        list("left out", result.dropped_streams);
        if (result.truncated) std::printf("  the file ends early (truncated or damaged): what decoded was converted\n");
      } catch (const Interrupted&) {
        report.interrupted = true;
        report.not_started = int(inputs.size() - i);
        std::fprintf(stderr, "video: %s stopped; the finished part is kept: run the same command with --resume to continue\n",
                     inputs[i].c_str());
        break;
      } catch (const Error& e) {
        report.failures.push_back({inputs[i], e.what()});
      }
    }
    std::printf("video: %d of %zu video%s converted, %zu files in %s\n", report.succeeded, inputs.size(),
                inputs.size() == 1 ? "" : "s", report.written.size(), flags->output_dir.c_str());
    FinishBatch("video", report, "video");
  });
}

}  // namespace depthforge::cli
