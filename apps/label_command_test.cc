// Ordinal labels end to end: proposals, and WHDR from `eval --ordinal`.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>

#include <nlohmann/json.hpp>

#include "depthforge/estimate/depth_estimator.h"
#include "depthforge/eval/ordinal.h"
#include "depthforge/io/depth_io.h"
#include "depthforge/io/image_io.h"
#include "depthforge/io/npy.h"
#include "depthforge/io/ordinal_labels.h"
#include "depthforge/label/ordinal_proposals.h"
#include "depthforge/models/model_store.h"
#include "depthforge/testing/test_util.h"
#include "depthforge/util/atomic_file.h"

namespace depthforge {
namespace {
namespace fs = std::filesystem;
using ::testing::HasSubstr;

// The five RGB-D frames with their depth ground truth (metres).
std::vector<std::pair<std::string, DepthMap>> Frames() {
  std::vector<std::pair<std::string, DepthMap>> frames;
  const std::string mirror = testing::MirrorDir();
  if (mirror.empty()) return frames;
  for (int i = 0; i < 5; ++i) {
    char name[16];
    std::snprintf(name, sizeof name, "%05d", i);
    const std::string color = mirror + "/data/rgbd/color/" + name + ".jpg";
    if (!fs::exists(color)) return {};
    frames.push_back({color, ReadMetricDepth(mirror + "/data/rgbd/depth/" + name + ".png")});
  }
  return frames;
}

TEST(Label, EvalOrdinalWhdrEqualsADirectComputationFromDepthOutput) {
  auto frames = Frames();
  if (frames.empty()) GTEST_SKIP() << "needs the RGB-D frames of the data mirror";
  testing::TempDir dir;
  OrdinalLabels labels;
  for (size_t i = 0; i < frames.size(); ++i) {
    LabeledImage image;
    image.image = frames[i].first;
    image.pairs = OrdinalPairsFromDepth(frames[i].second, 300, 11 + i);
    labels.images.push_back(image);
  }
  WriteOrdinalLabels(labels, dir.File("labels.json"));
  auto eval = testing::RunCli("eval --ordinal " + dir.File("labels.json") + " -o " + dir.File("report.json") + " -q");
  ASSERT_EQ(eval.exit_code, 0) << eval.output;
  auto report = nlohmann::json::parse(ReadFileBytes(dir.File("report.json")));

  // Independently: `depth` writes metres; order each labelled pair by hand.
  std::string inputs;
  for (const auto& frame : frames) inputs += " " + frame.first;
  auto written = testing::RunCli("depth" + inputs + " --format npy -q -o " + dir.File("depth"));
  ASSERT_EQ(written.exit_code, 0) << written.output;
  int ordered = 0, wrong = 0;
  for (size_t i = 0; i < frames.size(); ++i) {
    const cv::Mat1f metres = ReadNpy(dir.File("depth/" + fs::path(frames[i].first).stem().string() + ".npy"))
                                 .ToFloatMat("depth");
    int image_ordered = 0, image_wrong = 0;
    for (const OrdinalPair& pair : labels.images[i].pairs) {
      if (pair.closer == Closer::kEqual) continue;
      const float a = metres(int(std::lround(pair.a.y)), int(std::lround(pair.a.x)));
      const float b = metres(int(std::lround(pair.b.y)), int(std::lround(pair.b.x)));
      ++image_ordered;
      const bool says_a = a < b;
      if (a == b || says_a != (pair.closer == Closer::kA)) ++image_wrong;
    }
    EXPECT_NEAR(report["images"][i]["whdr"].get<double>(), 100.0 * image_wrong / image_ordered, 1e-9);
    ordered += image_ordered;
    wrong += image_wrong;
  }
  EXPECT_EQ(report["ordered_pairs"], ordered);
  EXPECT_EQ(report["wrong"], wrong);
  EXPECT_NEAR(report["whdr"].get<double>(), 100.0 * wrong / ordered, 1e-9);
  EXPECT_GT(wrong, 0);  // the model is not perfect, so the comparison means something
  EXPECT_THAT(eval.output, HasSubstr("WHDR"));
}

TEST(Label, ProposalsRankTheModelsMistakesFirst) {
  auto frames = Frames();
  if (frames.empty()) GTEST_SKIP() << "needs the RGB-D frames of the data mirror";
  auto estimator = CreateDepthEstimator({}, ModelStore(ModelStoreOptions::FromEnvironment()));
  // Every proposal, best-ranked first within its photo; graded by the ground truth.
  struct Graded {
    double rank;  // 0 = first asked .. 1 = last, within its photo
    bool wrong;
  };
  std::vector<Graded> graded;
  ProposalOptions options;
  options.pairs = 60;
  for (const auto& [path, truth] : frames) {
    LabeledImage proposed = ProposeOrdinalPairs(ReadImage(path), path, *estimator, options);
    ASSERT_GE(proposed.pairs.size(), 20u) << path;
    for (size_t i = 0; i < proposed.pairs.size(); ++i) {
      const OrdinalPair& pair = proposed.pairs[i];
      EXPECT_FALSE(pair.confirmed);
      // Pairs the ground truth calls equal (or cannot see) say nothing about mistakes.
      const Closer answer = AnswerOf(truth, pair);
      if (answer == Closer::kEqual) continue;
      graded.push_back({double(i) / double(proposed.pairs.size() - 1), pair.closer != answer});
    }
  }
  int top = 0, top_wrong = 0, bottom = 0, bottom_wrong = 0;
  for (const Graded& g : graded) {
    if (g.rank < 1.0 / 3) {
      ++top;
      top_wrong += g.wrong;
    } else if (g.rank > 2.0 / 3) {
      ++bottom;
      bottom_wrong += g.wrong;
    }
  }
  ASSERT_GT(top, 20);
  ASSERT_GT(bottom, 20);
  const double top_share = double(top_wrong) / top, bottom_share = double(bottom_wrong) / bottom;
  std::printf("proposals: wrong pre-filled answers %.1f %% of the first third (%d), %.1f %% of the last third (%d)\n",
              100 * top_share, top, 100 * bottom_share, bottom);
  EXPECT_GT(top_share, bottom_share);
}

TEST(Label, ProposeWritesRelativePathsAndNamesABadPhoto) {
  auto frames = Frames();
  if (frames.empty()) GTEST_SKIP() << "needs the RGB-D frames of the data mirror";
  testing::TempDir dir;
  fs::create_directories(dir.File("photos"));
  fs::copy_file(frames[0].first, dir.File("photos/room.jpg"));
  auto result = testing::RunCli("label propose " + dir.File("photos") + " -o " + dir.File("labels.json") + " --pairs 12 -q");
  ASSERT_EQ(result.exit_code, 0) << result.output;
  OrdinalLabels labels = ReadOrdinalLabels(dir.File("labels.json"));
  ASSERT_EQ(labels.images.size(), 1u);
  EXPECT_EQ(labels.images[0].image, "photos/room.jpg");
  EXPECT_EQ(labels.images[0].pairs.size(), 12u);
  WriteFileBytes(dir.File("broken.jpg"), "not a photo");
  auto bad = testing::RunCli("label propose " + dir.File("broken.jpg") + " -o " + dir.File("other.json") + " -q");
  EXPECT_EQ(bad.exit_code, 1);
  EXPECT_THAT(bad.output, HasSubstr("broken.jpg"));
  EXPECT_FALSE(fs::exists(dir.File("other.json")));
  auto missing = testing::RunCli("eval --ordinal " + dir.File("nothing.json") + " -o " + dir.File("r.json"));
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_THAT(missing.output, HasSubstr("nothing.json"));
}

}  // namespace
}  // namespace depthforge

namespace depthforge {
namespace {

TEST(Label, TrainOrdinalFromTheCommandLineAndItsBadInputs) {
  auto frames = Frames();
  if (frames.empty()) GTEST_SKIP() << "needs the RGB-D frames of the data mirror";
  testing::TempDir dir;
  OrdinalLabels labels;
  LabeledImage image;
  image.image = frames[1].first;
  image.pairs = OrdinalPairsFromDepth(frames[1].second, 50, 3);
  image.points.push_back({{100, 100}, 2.0});
  labels.images.push_back(image);
  WriteOrdinalLabels(labels, dir.File("labels.json"));
  auto trained = testing::RunCli("train --arch unet --ordinal " + dir.File("labels.json") + " -o " + dir.File("run") +
                                 " --epochs 2 --size 64x48 -q");
  ASSERT_EQ(trained.exit_code, 0) << trained.output;
  EXPECT_TRUE(fs::exists(dir.File("run/model.pt")));
  auto measured = testing::RunCli("eval --model " + dir.File("run/model.pt") + " --ordinal " + dir.File("labels.json") +
                                  " -o " + dir.File("report.json") + " -q");
  EXPECT_EQ(measured.exit_code, 0) << measured.output;
  // Only unconfirmed proposals: nothing to learn from, said before any work.
  for (auto& pair : labels.images[0].pairs) pair.confirmed = false;
  labels.images[0].points.clear();
  WriteOrdinalLabels(labels, dir.File("proposals.json"));
  auto nothing = testing::RunCli("train --arch unet --ordinal " + dir.File("proposals.json") + " -o " + dir.File("run2") + " -q");
  EXPECT_EQ(nothing.exit_code, 1);
  EXPECT_THAT(nothing.output, HasSubstr("proposals.json: has no answered pair"));
  auto neither = testing::RunCli("train --arch unet -o " + dir.File("run3") + " -q");
  EXPECT_EQ(neither.exit_code, 1);
  EXPECT_THAT(neither.output, HasSubstr("--ordinal"));
}

}  // namespace
}  // namespace depthforge
