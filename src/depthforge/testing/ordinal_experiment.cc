#include "depthforge/testing/ordinal_experiment.h"

#include <filesystem>

#include "depthforge/estimate/depth_estimator.h"
#include "depthforge/io/depth_io.h"
#include "depthforge/io/ordinal_labels.h"
#include "depthforge/io/rgbd_io.h"
#include "depthforge/models/model_store.h"
#include "depthforge/train/training_run.h"

namespace depthforge::testing {
namespace fs = std::filesystem;

namespace {

DepthMap Metric(cv::Mat1f metres) {
  DepthMap depth;
  depth.values = metres;
  return depth;
}

OrdinalReport Measure(const std::string& model, const OrdinalLabels& labels) {
  EstimatorOptions options;
  options.model = model;
  auto estimator = CreateDepthEstimator(options, ModelStore(ModelStoreOptions::FromEnvironment()));
  return EvaluateOrdinal(*estimator, labels, false);
}

}  // namespace

OrdinalExperiment RunOrdinalExperiment(const std::string& mirror, const std::string& work_dir, int epochs,
                                       double learning_rate) {
  OrdinalExperiment experiment;
  experiment.epochs = epochs;
  experiment.learning_rate = learning_rate;
  const fs::path work = work_dir;
  fs::remove_all(work);
  fs::create_directories(work);
  OrdinalLabels labelled, others;
  for (int i = 0; i < 5; ++i) {
    char name[16];
    std::snprintf(name, sizeof name, "%05d", i);
    LabeledImage image;
    image.image = mirror + "/data/rgbd/color/" + name + ".jpg";
    image.pairs = OrdinalPairsFromDepth(ReadMetricDepth(mirror + "/data/rgbd/depth/" + name + ".png"),
                                        experiment.pairs_per_frame, 100 + i);
    labelled.images.push_back(image);
  }
  const std::string other = mirror + "/data/rgbd/other_formats/";
  const std::vector<std::pair<std::string, cv::Mat1f>> frames = {
      {other + "NYU_color.ppm", ReadNyuRawDepth(other + "NYU_depth.pgm")},
      {other + "SUN_color.jpg", ReadSunDepth(other + "SUN_depth.png")},
      {other + "TUM_color.png", ReadTumDepth(other + "TUM_depth.png")}};
  for (size_t i = 0; i < frames.size(); ++i) {
    LabeledImage image;
    image.image = frames[i].first;
    image.pairs = OrdinalPairsFromDepth(Metric(frames[i].second), experiment.pairs_per_frame, 200 + i);
    others.images.push_back(image);
  }
  experiment.labelled_pairs = labelled.PairCount();
  const std::string labels_path = (work / "labels.json").string();
  WriteOrdinalLabels(labelled, labels_path);
  experiment.labelled_imported = Measure("", labelled);
  experiment.others_imported = Measure("", others);

  TrainOptions options;
  options.architecture = Architecture::kFastDepth;
  options.ordinal_data = labels_path;
  options.input_size = {224, 224};
  options.batch_size = 5;
  options.schedule = "none";
  options.show_progress = false;
  options.checkpoint_every = 0;
  TrainOptions unchanged = options;
  unchanged.run_dir = (work / "unchanged").string();
  unchanged.epochs = 1;
  unchanged.learning_rate = 1e-12;
  const ModelStore store(ModelStoreOptions::FromEnvironment());
  const std::string unchanged_model = RunTraining(unchanged, store).model_path;
  experiment.labelled_before = Measure(unchanged_model, labelled);
  experiment.others_before = Measure(unchanged_model, others);

  options.run_dir = (work / "run").string();
  options.epochs = epochs;
  options.learning_rate = learning_rate;
  TrainResult result = RunTraining(options, store);
  experiment.first_loss = result.epochs.front().train_loss;
  experiment.last_loss = result.epochs.back().train_loss;
  experiment.labelled_after = Measure(result.model_path, labelled);
  experiment.others_after = Measure(result.model_path, others);
  fs::remove_all(work);
  return experiment;
}

}  // namespace depthforge::testing
