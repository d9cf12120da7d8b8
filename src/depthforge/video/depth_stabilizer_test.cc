#include "depthforge/video/depth_stabilizer.h"

#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include <opencv2/imgproc.hpp>

#include "depthforge/core/error.h"
#include "depthforge/eval/depth_metrics.h"
#include "depthforge/eval/evaluate.h"
#include "depthforge/testing/test_util.h"
#include "depthforge/util/atomic_file.h"
#include "depthforge/video/video_reader.h"

namespace depthforge {
namespace {

// A textured scene sliding right by 2 px a frame, with its true nearness
// (a ramp plus a near box) sliding with it.
struct Scene {
  std::vector<cv::Mat3b> frames;
  std::vector<cv::Mat1f> nearness;
};

Scene SlidingScene(int count) {
  cv::RNG rng(7);
  cv::Mat1b texture(120, 400);
  rng.fill(texture, cv::RNG::UNIFORM, 0, 255);
  cv::GaussianBlur(texture, texture, {0, 0}, 2.0);
  cv::Mat1f near(120, 400);
  for (int y = 0; y < near.rows; ++y) {
    for (int x = 0; x < near.cols; ++x) near(y, x) = 0.2f + 0.6f * float(y) / near.rows + (x % 200 > 120 ? 0.5f : 0.f);
  }
  Scene scene;
  for (int i = 0; i < count; ++i) {
    cv::Rect window(150 - 2 * i, 10, 200, 100);
    cv::Mat3b frame;
    cv::cvtColor(texture(window), frame, cv::COLOR_GRAY2BGR);
    scene.frames.push_back(frame);
    scene.nearness.push_back(near(window).clone());
  }
  return scene;
}

// Per-frame estimates: the truth with a per-frame gain and offset (as a
// relative model's scale and shift drift) and blotchy noise.
std::vector<cv::Mat1f> Flickering(const Scene& scene) {
  std::mt19937 random(11);
  std::normal_distribution<float> gain(1.f, 0.05f), noise(0.f, 0.06f);
  std::vector<cv::Mat1f> out;
  for (const cv::Mat1f& truth : scene.nearness) {
    cv::Mat1f blotches(truth.rows / 10, truth.cols / 10);
    for (float& v : blotches) v = noise(random);
    cv::resize(blotches, blotches, truth.size(), 0, 0, cv::INTER_CUBIC);
    out.push_back(truth * gain(random) + 0.02f * gain(random) + blotches);
  }
  return out;
}

TEST(DepthStabilizer, FlowHalvesFlickerAndStaysWithTheTruth) {
  Scene scene = SlidingScene(30);
  std::vector<cv::Mat1f> estimates = Flickering(scene);
  FlickerMeter raw_meter, flow_meter, truth_meter;
  StabilizerOptions options;
  options.mode = Stabilize::kFlow;
  DepthStabilizer stabilizer(options);
  double raw_error = 0, flow_error = 0;
  for (size_t i = 0; i < scene.frames.size(); ++i) {
    StabilizedFrame steady = stabilizer.Add(scene.frames[i], estimates[i]);
    EXPECT_FALSE(steady.scene_cut) << i;
    raw_meter.Add(scene.frames[i], estimates[i]);
    flow_meter.Add(scene.frames[i], steady.nearness);
    truth_meter.Add(scene.frames[i], scene.nearness[i]);
    raw_error += AbsRelAfterMedianScaling(estimates[i], scene.nearness[i]);
    flow_error += AbsRelAfterMedianScaling(steady.nearness, scene.nearness[i]);
  }
  EXPECT_LT(flow_meter.opw(), 0.5 * raw_meter.opw());
  EXPECT_LT(truth_meter.opw(), 0.5 * flow_meter.opw());  // the meter sees the true motion as steady
  EXPECT_LE(flow_error, raw_error * 1.05);               // and no drift from the truth
}

TEST(DepthStabilizer, SceneCutIsFoundAndNoRangeBleedsAcrossIt) {
  DEPTHFORGE_REQUIRE_MIRROR_FILE(first, "data/video/tree.avi");
  DEPTHFORGE_REQUIRE_MIRROR_FILE(second, "data/video/vtest.avi");
  // Two shots joined: 12 frames of one, then 12 of the other at the same size.
  std::vector<cv::Mat3b> frames;
  for (const std::string& path : {first, second}) {
    VideoReader reader(path);
    VideoFrame frame;
    for (int i = 0; i < 12 && reader.Read(frame); ++i) {
      cv::Mat3b sized;
      cv::resize(frame.image, sized, {320, 240}, 0, 0, cv::INTER_AREA);
      frames.push_back(sized);
    }
  }
  ASSERT_EQ(frames.size(), 24u);
  StabilizerOptions options;
  DepthStabilizer stabilizer(options);
  for (size_t i = 0; i < frames.size(); ++i) {
    // Nearness from brightness; the second shot is far darker in range.
    cv::Mat1f nearness;
    cv::Mat1b grey;
    cv::cvtColor(frames[i], grey, cv::COLOR_BGR2GRAY);
    grey.convertTo(nearness, CV_32F, i < 12 ? 1.0 / 255 : 3.0 / 255, i < 12 ? 0.1 : 2.0);
    StabilizedFrame steady = stabilizer.Add(frames[i], nearness);
    EXPECT_EQ(steady.scene_cut, i == 12) << "frame " << i;
    if (i == 12) {
      NearnessRange own = MeasureNearnessRange(nearness);
      EXPECT_NEAR(steady.range.near, own.near, 0.05 * own.near);
      EXPECT_NEAR(steady.range.far, own.far, 0.05 * own.near);
    }
  }
}

TEST(RangeLookAhead, CentresTheRunningRangeAndStopsAtCuts) {
  // Frame i carries its index; the causal range of frame i is {i, i + 1}.
  RangeLookAhead<int> look_ahead(3);
  std::vector<std::pair<int, NearnessRange>> ready;
  for (int i = 0; i < 10; ++i) {
    look_ahead.Add(i, {float(i), float(i + 1)}, /*scene_cut=*/i == 6, ready);
  }
  look_ahead.Finish(ready);
  ASSERT_EQ(ready.size(), 10u);
  for (int i = 0; i < 10; ++i) {
    EXPECT_EQ(ready[size_t(i)].first, i);  // order kept
    // Three frames ahead, but frames before the cut (6) see at most frame 5,
    // and the last ones the last frame.
    const int seen = i < 6 ? std::min(i + 3, 5) : std::min(i + 3, 9);
    EXPECT_EQ(ready[size_t(i)].second.far, float(seen)) << i;
  }
  RangeLookAhead<int> none(0);
  ready.clear();
  none.Add(7, {1, 2}, false, ready);
  ASSERT_EQ(ready.size(), 1u);  // passes straight through
  EXPECT_EQ(ready[0].second.near, 2.f);
}

TEST(DepthStabilizer, StateSurvivesASaveAndLoad) {
  testing::TempDir dir;
  Scene scene = SlidingScene(3);
  DepthStabilizer stabilizer(StabilizerOptions{});
  for (size_t i = 0; i < scene.frames.size(); ++i) stabilizer.Add(scene.frames[i], scene.nearness[i]);
  stabilizer.state().Save(dir.File("s.state"));
  StabilizerState loaded = StabilizerState::Load(dir.File("s.state"));
  EXPECT_TRUE(loaded.has_previous);
  EXPECT_EQ(loaded.range.near, stabilizer.state().range.near);
  EXPECT_EQ(cv::norm(loaded.grey, stabilizer.state().grey, cv::NORM_INF), 0);
  EXPECT_EQ(cv::norm(loaded.nearness, stabilizer.state().nearness, cv::NORM_INF), 0);
  // Both continue the same way.
  DepthStabilizer resumed(StabilizerOptions{}, loaded);
  cv::Mat1f a = stabilizer.Add(scene.frames[0], scene.nearness[0]).nearness;
  cv::Mat1f b = resumed.Add(scene.frames[0], scene.nearness[0]).nearness;
  EXPECT_EQ(cv::norm(a, b, cv::NORM_INF), 0);
  WriteFileBytes(dir.File("bad.state"), "short");
  EXPECT_THROW(StabilizerState::Load(dir.File("bad.state")), FileError);
}

TEST(DepthStabilizer, OptionsCheckExplainsBadValues) {
  StabilizerOptions options;
  options.flow_weight = 1.5;
  EXPECT_THROW(options.Check(), OptionError);
  options = {};
  options.range_smoothing = 0;
  EXPECT_THROW(options.Check(), OptionError);
  options = {};
  options.look_ahead = -1;
  EXPECT_THROW(options.Check(), OptionError);
  EXPECT_EQ(StabilizeNames().Parse("flow"), Stabilize::kFlow);
  EXPECT_THROW(StabilizeNames().Parse("magic"), OptionError);
}

}  // namespace
}  // namespace depthforge
