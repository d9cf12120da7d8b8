#include "depthforge/train/trainer.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>

#include <unistd.h>

#include "depthforge/core/error.h"
#include "depthforge/estimate/trained_estimator.h"
#include "depthforge/eval/evaluate.h"
#include "depthforge/models/model_store.h"
#include "depthforge/io/rgbd_dataset.h"
#include "depthforge/testing/test_util.h"
#include "depthforge/train/synthetic_scene.h"
#include "depthforge/util/atomic_file.h"

namespace depthforge {
namespace {

TrainResult Train(const TrainOptions& options) {
  ModelStore store(ModelStoreOptions::FromEnvironment());
  return Trainer(options, store).Run();
}
namespace fs = std::filesystem;


struct SmallRun {
  testing::TempDir dir;
  std::string train_csv, val_csv;
  SmallRun() {
    SyntheticSceneOptions scene;
    scene.size = {64, 48};
    train_csv = WriteSyntheticDataset(dir.File("train"), 12, 1, scene, false);
    val_csv = WriteSyntheticDataset(dir.File("val"), 4, 1000, scene, false);
  }
  TrainOptions Options(const std::string& run, Architecture architecture) const {
    TrainOptions o;
    o.architecture = architecture;
    o.loss = DefaultLoss(architecture);
    o.train_data = train_csv;
    o.val_data = val_csv;
    o.run_dir = dir.File(run);
    o.input_size = {64, 48};
    o.base_channels = 8;
    o.batch_size = 4;
    o.epochs = 2;
    o.learning_rate = 3e-3;
    o.show_progress = false;
    o.threads = 1;  // the same sums in the same order, run after run
    return o;
  }
};

TEST(Trainer, EveryArchitectureReducesItsLossOnASmallSet) {
  SmallRun run;
  for (Architecture architecture : {Architecture::kUNet, Architecture::kAttentionUNet, Architecture::kEigen}) {
    TrainOptions o = run.Options(ToString(architecture), architecture);
    o.epochs = 25;
    o.augment.enabled = false;
    o.val_data.clear();
    TrainResult result = Train(o);
    ASSERT_EQ(result.epochs.size(), 25u);
    std::printf("%s: loss %.4f -> %.4f\n", ToString(architecture).c_str(), result.epochs.front().train_loss,
                result.epochs.back().train_loss);
    EXPECT_LT(result.epochs.back().train_loss, 0.85 * result.epochs.front().train_loss) << ToString(architecture);
    EXPECT_TRUE(fs::exists(result.model_path));
    EXPECT_TRUE(fs::exists(o.run_dir + "/loss.png"));
    EXPECT_TRUE(fs::exists(o.run_dir + "/log.csv"));
  }
}

TEST(Trainer, KilledAndResumedEndsWithTheSameWeights) {
  SmallRun run;
  TrainOptions straight = run.Options("straight", Architecture::kUNet);
  Train(straight);
  TrainOptions interrupted = run.Options("interrupted", Architecture::kUNet);
  interrupted.stop_after_batches = 4;  // killed mid-epoch 2 (3 batches per epoch)
  TrainResult first = Train(interrupted);
  EXPECT_TRUE(first.stopped);
  interrupted.stop_after_batches = 0;
  EXPECT_THROW(Train(interrupted), FileError);  // refuses to overwrite a run without --resume
  interrupted.resume = true;
  std::string checkpoint = interrupted.run_dir + "/checkpoint.pt";
  std::string saved = ReadFileBytes(checkpoint);
  WriteFileBytes(checkpoint, saved.substr(0, saved.size() / 2));  // a damaged checkpoint: one clear error
  EXPECT_THAT([&] { Train(interrupted); }, ::testing::ThrowsMessage<FileError>(::testing::HasSubstr("checkpoint")));
  WriteFileBytes(checkpoint, saved);
  TrainResult second = Train(interrupted);
  EXPECT_FALSE(second.stopped);
  EXPECT_EQ(second.batches_done, 2);
  ASSERT_EQ(second.epochs.size(), 2u);
  std::vector<float> a = ReadModelParameters(straight.run_dir + "/model.pt");
  std::vector<float> b = ReadModelParameters(interrupted.run_dir + "/model.pt");
  ASSERT_EQ(a.size(), b.size());
  EXPECT_EQ(a, b);
}

TEST(Trainer, ModelFileWorksForDepthAndEval) {
  SmallRun run;
  TrainResult result = Train(run.Options("model", Architecture::kUNet));
  EstimatorOptions options;
  options.model = result.model_path;
  auto estimator = CreateDepthEstimator(options, ModelStore(ModelStoreOptions::FromEnvironment()));
  auto val = OpenDataset(run.val_csv);
  RgbdSample sample = val->Get(0);
  DepthMap depth = estimator->Estimate(sample.image);
  EXPECT_EQ(depth.values.size(), sample.image.size());
  EvalOptions eval;
  eval.crop = EvalCrop::kNone;
  eval.show_progress = false;
  EvalReport report = EvaluateDataset(*estimator, *val, eval);
  EXPECT_EQ(report.per_image.size(), 4u);
  EXPECT_GT(report.mean.pixels, 0);
}

// Two processes on loopback, each with half of every global batch, must
// end with the weights of one process that sees the whole batch (equal up
// to the order of floating-point sums in the all-reduce). This holds for a
// loss that is a mean over pixels with the same number of valid pixels per
// image (MSE, no augmentation); batch-level losses such as the
// scale-invariant one are, as in PyTorch's DDP, computed per rank.
TEST(Trainer, TwoProcessesMatchOneWithTheSameGlobalBatch) {
  SmallRun run;
  std::string common = std::string(DEPTHFORGE_CLI_PATH) + " train --arch eigen --data " + run.train_csv +
                       " --loss mse --no-augment --epochs 2 --batch 4 --size 64x48 --channels 8 --threads 1 -q";
  auto single = testing::RunCommand(common + " -o " + run.dir.File("single"));
  ASSERT_EQ(single.exit_code, 0) << single.output;
  int port = 20000 + int(getpid() % 20000);
  std::string env = "MASTER_ADDR=127.0.0.1 MASTER_PORT=" + std::to_string(port) + " WORLD_SIZE=2 GLOO_SOCKET_IFNAME=lo ";
  auto pair = testing::RunCommand("(" + env + "RANK=1 " + common + " -o " + run.dir.File("rank1") + " > " +
                                  run.dir.File("rank1.log") + " 2>&1 &) ; " + env + "RANK=0 " + common + " -o " +
                                  run.dir.File("multi"));
  ASSERT_EQ(pair.exit_code, 0) << pair.output;
  std::vector<float> a = ReadModelParameters(run.dir.File("single/model.pt"));
  std::vector<float> b = ReadModelParameters(run.dir.File("multi/model.pt"));
  ASSERT_EQ(a.size(), b.size());
  double worst = 0, scale = 0;
  for (size_t i = 0; i < a.size(); ++i) {
    worst = std::max(worst, double(std::abs(a[i] - b[i])));
    scale = std::max(scale, double(std::abs(a[i])));
  }
  std::printf("largest weight difference %.3g (largest weight %.3g)\n", worst, scale);
  EXPECT_LT(worst, 1e-4 * scale) << "largest difference " << worst;
  EXPECT_FALSE(fs::exists(run.dir.File("rank1/model.pt")));  // only rank 0 writes
}

TEST(Trainer, DistributedSettingsAreChecked) {
  DistributedOptions d;
  d.world_size = 2;
  d.rank = 2;
  EXPECT_THROW(d.Check(), OptionError);
  TrainOptions o;
  o.train_data = "x.csv";
  o.run_dir = "run";
  o.distributed.world_size = 3;
  o.batch_size = 4;
  EXPECT_THROW(o.Check(), OptionError);  // the global batch must split evenly
}

TEST(Trainer, FastDepthFineTunesFromThePretrainedWeights) {
  DEPTHFORGE_REQUIRE_MIRROR_FILE(model, "models/fast_depth_224.tflite");
  SmallRun run;
  TrainOptions o = run.Options("fastdepth", Architecture::kFastDepth);
  o.init_model = model;
  o.input_size = {64, 64};
  o.learning_rate = 1e-4;
  o.epochs = 3;
  o.augment.enabled = false;
  TrainResult result = Train(o);
  ASSERT_EQ(result.epochs.size(), 3u);
  EXPECT_EQ(ToString(o.loss), "l1");
  EXPECT_LT(result.epochs.back().val_loss, result.epochs.front().val_loss);
  // The model file carries the graph: it loads on its own and estimates.
  EstimatorOptions options;
  options.model = result.model_path;
  auto estimator = CreateDepthEstimator(options, ModelStore(ModelStoreOptions::FromEnvironment()));
  RgbdSample sample = OpenDataset(run.val_csv)->Get(0);
  EXPECT_EQ(estimator->Estimate(sample.image).values.size(), sample.image.size());
  o.input_size = {64, 48};  // not a multiple of 32
  o.run_dir = run.dir.File("fastdepth-bad");
  EXPECT_THROW(Train(o), OptionError);
}

TEST(Trainer, BadOptionsAndFilesAreExplained) {
  SmallRun run;
  TrainOptions o = run.Options("bad", Architecture::kUNet);
  o.input_size = {60, 48};
  EXPECT_THROW(Train(o), OptionError);
  o = run.Options("bad2", Architecture::kUNet);
  o.resume = true;
  EXPECT_THROW(Train(o), FileError);  // nothing to resume
  EXPECT_THROW(ArchitectureFromString("resnet"), OptionError);
  EXPECT_THROW(LossKindFromString("huber"), OptionError);
  EXPECT_THROW(ReadModelParameters(run.train_csv), FileError);
}

}  // namespace
}  // namespace depthforge
