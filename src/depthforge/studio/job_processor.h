// Runs studio jobs with the library's own entry points: a photo through the
// depth estimator and ConvertPhoto, a video through VideoConverter. The same
// names as `convert --as` and `video --as`, so the studio offers exactly
// what the command line does.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "depthforge/models/model_store.h"
#include "depthforge/studio/job.h"

namespace depthforge {

class DepthEstimator;

struct UploadLimits {
  int64_t max_pixels = 40'000'000;  // photos and video frames (40 MP: a large phone photo)
  double max_video_seconds = 600;   // a 10-minute clip; longer films belong to `depthforge video`
  void Check() const;
};

class JobProcessor {
 public:
  // 'threads': network threads per estimator (0 = every core).
  JobProcessor(ModelStoreOptions store_options, int threads);
  ~JobProcessor();

  // Checks a new job before it is queued: the file really is the photo or
  // video it claims (header readable, within 'limits'), the outputs exist
  // for its kind, the model is a registry name, the stereo settings are in
  // range. Throws OptionError (the request) or FileError (the file) with a
  // message for the user, naming the file by its display name. Returns the
  // seconds a video job covers (0 for photos).
  double CheckJob(const Job& job, const std::string& input_path, const UploadLimits& limits) const;

  // Converts the job's input into 'output_dir' and returns what it wrote
  // (file names in that folder). 'progress' gets 0..1; 'stop' is polled
  // and, when true, ends the job with Interrupted. A video job resumes the
  // segments an earlier attempt finished.
  std::vector<JobOutput> Run(const Job& job, const std::string& input_path, const std::string& output_dir,
                             const std::function<void(double)>& progress, const std::function<bool()>& stop);

  // One part of a video job (job.parts > 1): its segments, encoded into
  // 'work' (what an earlier attempt left there with the same settings is
  // kept). JoinParts muxes every part's folder, in order, into the outputs.
  void RunPart(const Job& job, int part, const std::string& input_path, const std::string& work,
               const std::function<void(double)>& progress, const std::function<bool()>& stop);
  std::vector<JobOutput> JoinParts(const Job& job, const std::string& input_path,
                                   const std::vector<std::string>& part_works, const std::string& output_dir);

  // The photo estimator of a registry model ("" = the default), loaded once
  // (the label page's proposals use it too).
  const DepthEstimator& Estimator(const std::string& model, bool video);

  // Loads the default model now, so that the first job does not pay for it.
  void Preload();

 private:
  ModelStoreOptions store_options_;
  int threads_;
  std::mutex mutex_;
  std::map<std::string, std::unique_ptr<DepthEstimator>> estimators_;  // by model and framing
};

}  // namespace depthforge
