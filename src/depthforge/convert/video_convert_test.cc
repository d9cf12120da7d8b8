#include "depthforge/convert/video_convert.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>

#include <opencv2/imgproc.hpp>

#include "depthforge/core/error.h"
#include "depthforge/estimate/depth_estimator.h"
#include "depthforge/estimate/metric_alignment.h"
#include "depthforge/testing/test_clips.h"
#include "depthforge/testing/test_util.h"
#include "depthforge/util/interrupt.h"
#include "depthforge/video/video_reader.h"
#include "depthforge/video/video_writer.h"

namespace depthforge {
namespace {
namespace fs = std::filesystem;

// Depth that follows the picture: brighter is nearer. Enough to give each
// frame its own range, without a network.
class BrightnessDepth : public DepthEstimator {
 public:
  DepthMap Estimate(const cv::Mat3b& bgr) const override {
    DepthMap depth;
    cv::Mat1b grey;
    cv::cvtColor(bgr, grey, cv::COLOR_BGR2GRAY);
    grey.convertTo(depth.values, CV_32F, -4.0 / 255, 5.0);  // 1 m (white) .. 5 m (black)
    return depth;
  }
  std::string name() const override { return "brightness"; }
  DepthKind kind() const override { return DepthKind::kMetricDepth; }
};

TEST(VideoConvert, EveryOutputHasItsNameSizeAndEveryFrame) {
  DEPTHFORGE_REQUIRE_MIRROR_FILE(clip, "data/video/vtest.avi");  // 10 fps, constant rate
  testing::TempDir dir;
  VideoConvertOptions options;
  options.outputs = ParseVideoOutputs("sbs,hsbs,tb,anaglyph,rgbd,depth");
  options.show_progress = false;
  options.end = 1.0;
  BrightnessDepth estimator;
  VideoConvertResult result = VideoConverter(estimator, options).Run(clip, dir.path(), "tree");  // named as another stem
  ASSERT_EQ(result.written.size(), 6u);
  VideoReader source(clip);
  const cv::Size frame(source.size().width & ~1, source.size().height & ~1);
  const int64_t expected = std::lround(source.frame_rate() * 1.0);
  EXPECT_EQ(result.frames, expected);
  struct Expected { std::string name; cv::Size size; };
  for (const Expected& e : {Expected{"tree_LRF_Full_SBS.mp4", {2 * frame.width, frame.height}},
                            Expected{"tree_LR.mp4", frame}, Expected{"tree_TBF_fulltb.mp4", {frame.width, 2 * frame.height}},
                            Expected{"tree_redcyan_dubois.mp4", frame}, Expected{"tree_RGBD.mp4", {2 * frame.width, frame.height}},
                            Expected{"tree_depth.mp4", frame}}) {
    VideoReader output(dir.File(e.name));
    EXPECT_EQ(output.size(), e.size) << e.name;
    VideoFrame f;
    int64_t n = 0;
    while (output.Read(f)) ++n;
    EXPECT_EQ(n, result.frames) << e.name;
  }
  EXPECT_THROW(ParseVideoOutputs("sbs,hologram"), OptionError);
  EXPECT_TRUE(IsVideoOutputName("holiday_LR.mp4"));
  EXPECT_TRUE(IsVideoOutputName("holiday_depth16.mkv"));
  EXPECT_FALSE(IsVideoOutputName("holiday.mp4"));
  EXPECT_FALSE(IsVideoOutputName("_LR.mp4"));
}

TEST(VideoConvert, VariableFrameTimingIsKept) {
  // tree.avi holds each picture for a varying number of 1/15 s periods.
  DEPTHFORGE_REQUIRE_MIRROR_FILE(clip, "data/video/tree.avi");
  testing::TempDir dir;
  VideoConvertOptions options;
  options.show_progress = false;
  options.end = 4.0;
  BrightnessDepth estimator;
  VideoConvertResult result = VideoConverter(estimator, options).Run(clip, dir.path(), "tree");
  VideoReader source(clip), converted(dir.File("tree_LR.mp4"));
  VideoFrame a, b;
  int64_t compared = 0;
  while (converted.Read(b)) {
    ASSERT_TRUE(source.Read(a));
    EXPECT_NEAR(b.time, a.time, 1e-3) << compared;
    ++compared;
  }
  EXPECT_EQ(compared, result.frames);
  EXPECT_GT(compared, 3);
}

TEST(VideoConvert, NotAVideoIsOneClearErrorAndLeavesNothing) {
  testing::TempDir dir;
  fs::create_directories(dir.File("out"));
  std::ofstream(dir.File("clip.mp4")) << "not a video";
  VideoConvertOptions options;
  options.show_progress = false;
  BrightnessDepth estimator;
  EXPECT_THAT([&] { VideoConverter(estimator, options).Run(dir.File("clip.mp4"), dir.File("out"), "clip"); },
              ::testing::ThrowsMessage<FileError>(::testing::HasSubstr("clip.mp4: not a video")));
  EXPECT_EQ(testing::CountFiles(dir.File("out")), 0);
}

// A clip of 'count' frames with irregular spacing (1, 1, 2, 1, 3 periods of
// 1/30 s, repeating) and flashes at the given frames.
testing::FlashClip IrregularFlashClip(int count, std::vector<size_t> flashes, const std::string& audio_codec) {
  testing::FlashClip clip;
  const int periods[] = {1, 1, 2, 1, 3};
  double t = 0;
  for (int i = 0; i < count; ++i) {
    clip.frame_times.push_back(t);
    t += periods[i % 5] / 30.0;
  }
  clip.flash_frames = std::move(flashes);
  clip.audio_codec = audio_codec;
  return clip;
}

std::vector<double> FlashTimes(const std::string& path) {
  VideoReader reader(path);
  VideoFrame frame;
  std::vector<double> times;
  bool was_bright = false;
  while (reader.Read(frame)) {
    const bool bright = cv::mean(frame.image)[1] > 128;
    if (bright && !was_bright) times.push_back(frame.time);
    was_bright = bright;
  }
  return times;
}

void ExpectInSync(const std::string& path, size_t flashes) {
  std::vector<double> flash = FlashTimes(path);
  std::vector<double> beeps = testing::BeepOnsets(testing::DecodeAudio(path));
  ASSERT_EQ(flash.size(), flashes) << path;
  ASSERT_EQ(beeps.size(), flashes) << path;
  for (size_t i = 0; i < flashes; ++i) {
    // Within one frame of the 30 fps grid the clip is built on.
    EXPECT_NEAR(beeps[i], flash[i], 1.0 / 30) << path << " flash " << i;
  }
}

TEST(VideoConvert, FlashesAndBeepsStayTogetherWithVariableTiming) {
  testing::TempDir dir;
  // PCM in Matroska: MP4 cannot copy it, so it is re-encoded to AAC.
  testing::WriteFlashClip(dir.File("pcm.mkv"), IrregularFlashClip(120, {9, 41, 77, 110}, "pcm_s16le"));
  // AAC in MP4: copied packet by packet.
  testing::WriteFlashClip(dir.File("aac.mp4"), IrregularFlashClip(120, {9, 41, 77, 110}, "aac"));
  ExpectInSync(dir.File("aac.mp4"), 4);  // the clip itself is right
  VideoConvertOptions options;
  options.show_progress = false;
  options.segment_seconds = 1;  // the audio runs across several joins
  BrightnessDepth estimator;
  VideoConvertResult pcm = VideoConverter(estimator, options).Run(dir.File("pcm.mkv"), dir.File("out"), "pcm");
  EXPECT_THAT(pcm.reencoded_streams, ::testing::ElementsAre("audio pcm_s16le -> aac"));
  ExpectInSync(dir.File("out/pcm_LR.mp4"), 4);
  VideoConvertResult aac = VideoConverter(estimator, options).Run(dir.File("aac.mp4"), dir.File("out"), "aac");
  EXPECT_THAT(aac.copied_streams, ::testing::ElementsAre("audio aac"));
  ExpectInSync(dir.File("out/aac_LR.mp4"), 4);
  EXPECT_EQ(aac.frames, 120);  // every frame, the last one too

  // From a start time: the output begins there, still in sync.
  options.start = 1.5;
  VideoConverter(estimator, options).Run(dir.File("aac.mp4"), dir.File("late"), "aac");
  ExpectInSync(dir.File("late/aac_LR.mp4"), 3);
  std::vector<double> flashes = FlashTimes(dir.File("late/aac_LR.mp4"));
  std::vector<double> source = FlashTimes(dir.File("aac.mp4"));
  EXPECT_NEAR(flashes[0], source[1] - 1.5, 1e-3);
}

TEST(VideoConvert, MaxFpsDropsFramesAndKeepsTheirTimes) {
  testing::TempDir dir;
  testing::WriteFlashClip(dir.File("c.mp4"), testing::ConstantRateClip(60, 30));
  VideoConvertOptions options;
  options.show_progress = false;
  options.max_fps = 10;
  BrightnessDepth estimator;
  VideoConvertResult result = VideoConverter(estimator, options).Run(dir.File("c.mp4"), dir.path(), "c");
  EXPECT_EQ(result.frames, 20);
  VideoReader reader(dir.File("c_LR.mp4"));
  VideoFrame frame;
  int n = 0;
  while (reader.Read(frame)) EXPECT_NEAR(frame.time, n++ * 0.1, 1e-3);
  EXPECT_EQ(n, 20);
}

TEST(VideoConvert, SubtitlesAreCopiedWhereTheContainerTakesThemAndConvertedWhereNot) {
  testing::TempDir dir;
  testing::FlashClip clip = IrregularFlashClip(30, {}, "aac");
  clip.subtitles = true;
  testing::WriteFlashClip(dir.File("s.mkv"), clip);
  VideoConvertOptions options;
  options.show_progress = false;
  options.outputs = ParseVideoOutputs("hsbs,depth16");
  BrightnessDepth estimator;
  VideoConvertResult result = VideoConverter(estimator, options).Run(dir.File("s.mkv"), dir.path(), "s");
  // The report is of the first output, the MP4: no subrip in MP4, so the
  // cue becomes mov_text with its words and times.
  EXPECT_TRUE(result.dropped_streams.empty());
  EXPECT_THAT(result.reencoded_streams, ::testing::Contains("subtitle subrip -> mov_text"));
  EXPECT_THAT(testing::StreamCodecs(dir.File("s_LR.mp4")), ::testing::ElementsAre("h264", "aac", "mov_text"));
  EXPECT_THAT(testing::StreamCodecs(dir.File("s_depth16.mkv")), ::testing::ElementsAre("ffv1", "aac", "subrip"));
  for (const std::string name : {"s_LR.mp4", "s_depth16.mkv"}) {
    std::vector<testing::SubtitleCue> cues = testing::SubtitleCues(dir.File(name));
    ASSERT_EQ(cues.size(), 1u) << name;
    EXPECT_THAT(cues[0].text, ::testing::HasSubstr("hello")) << name;
    EXPECT_NEAR(cues[0].start, 0.5, 0.002) << name;
    EXPECT_NEAR(cues[0].duration, 1.0, 0.002) << name;
  }
}

TEST(VideoConvert, Depth16HoldsMillimetresOfEveryFrame) {
  DEPTHFORGE_REQUIRE_MIRROR_FILE(clip, "data/video/tree.avi");
  testing::TempDir dir;
  VideoConvertOptions options;
  options.show_progress = false;
  options.outputs = {VideoOutput::kDepth16};
  options.stabilizer.mode = Stabilize::kNone;  // the estimator's own values
  options.end = 1.0;
  BrightnessDepth estimator;
  VideoConvertResult result = VideoConverter(estimator, options).Run(clip, dir.path(), "tree");
  std::vector<testing::Gray16Frame> frames = testing::DecodeGray16(dir.File("tree_depth16.mkv"));
  ASSERT_EQ(int64_t(frames.size()), result.frames);
  VideoReader source(clip);
  VideoFrame frame;
  for (const testing::Gray16Frame& depth : frames) {
    ASSERT_TRUE(source.Read(frame));
    EXPECT_NEAR(depth.time, frame.time, 1e-3);
    cv::Mat1f expected = estimator.Estimate(frame.image(cv::Rect({0, 0}, depth.image.size()))).values;
    double worst = 0;
    for (int y = 0; y < expected.rows; y += 7) {
      for (int x = 0; x < expected.cols; x += 7) worst = std::max(worst, std::abs(depth.image(y, x) - 1000.0 * expected(y, x)));
    }
    EXPECT_LE(worst, 1.0) << "millimetres, frame at " << frame.time;
  }
}

TEST(VideoConvert, RotatedPhoneVideosComeOutUpright) {
  testing::TempDir dir;
  testing::FlashClip clip = IrregularFlashClip(10, {}, "");
  clip.size = {160, 96};
  clip.rotation = 90;
  testing::WriteFlashClip(dir.File("phone.mp4"), clip);
  VideoConvertOptions options;
  options.show_progress = false;
  options.outputs = {VideoOutput::kSideBySide};
  BrightnessDepth estimator;
  VideoConverter(estimator, options).Run(dir.File("phone.mp4"), dir.path(), "phone");
  EXPECT_EQ(VideoReader(dir.File("phone_LRF_Full_SBS.mp4")).size(), cv::Size(2 * 96, 160));
}

// Stops the conversion (as Ctrl-C would) after a number of frames.
class InterruptingDepth : public BrightnessDepth {
 public:
  explicit InterruptingDepth(int after) : after_(after) {}
  DepthMap Estimate(const cv::Mat3b& bgr) const override {
    if (++calls_ == after_) RequestInterrupt();
    return BrightnessDepth::Estimate(bgr);
  }
 private:
  int after_;
  mutable int calls_ = 0;
};

TEST(VideoConvert, ResumeContinuesWhereAnInterruptedConversionStopped) {
  DEPTHFORGE_REQUIRE_MIRROR_FILE(clip, "data/video/tree.avi");
  testing::TempDir dir;
  VideoConvertOptions options;
  options.show_progress = false;
  options.end = 10.0;
  options.segment_seconds = 1;
  BrightnessDepth estimator;
  VideoConvertResult fresh = VideoConverter(estimator, options).Run(clip, dir.File("fresh"), "tree");

  ASSERT_GT(fresh.frames, 20);
  // Stopped at the last frame: the frames before it (less the look-ahead's
  // nine) are finished, so several 1 s segments are complete.
  InterruptingDepth interrupting(int(fresh.frames) - 1);
  EXPECT_THROW(VideoConverter(interrupting, options).Run(clip, dir.File("out"), "tree"), Interrupted);
  ClearInterrupt();
  const std::string work = VideoConverter::WorkFolder(dir.File("out"), "tree");
  EXPECT_FALSE(fs::exists(dir.File("out/tree_LR.mp4")));
  EXPECT_TRUE(fs::exists(work + "/000000.state"));  // finished segments are kept
  for (const auto& entry : fs::directory_iterator(work)) {
    EXPECT_EQ(entry.path().filename().string().find(".tmp-"), std::string::npos) << entry.path();
  }

  options.resume = true;
  VideoConvertResult resumed = VideoConverter(estimator, options).Run(clip, dir.File("out"), "tree");
  EXPECT_GT(resumed.resumed_frames, 0);
  EXPECT_LT(resumed.frames, fresh.frames);  // not from the start
  EXPECT_EQ(resumed.frames + resumed.resumed_frames, fresh.frames);
  EXPECT_FALSE(fs::exists(work));
  EXPECT_EQ(testing::CountFiles(dir.File("out")), 1);
  // The same frames at the same times as the uninterrupted run.
  VideoReader a(dir.File("fresh/tree_LR.mp4")), b(dir.File("out/tree_LR.mp4"));
  VideoFrame fa, fb;
  int64_t n = 0;
  while (a.Read(fa)) {
    ASSERT_TRUE(b.Read(fb));
    EXPECT_NEAR(fa.time, fb.time, 1e-3);
    EXPECT_LT(cv::norm(fa.image, fb.image, cv::NORM_L1) / double(fa.image.total() * 3), 3.0) << n;
    ++n;
  }
  EXPECT_FALSE(b.Read(fb));
  EXPECT_EQ(n, fresh.frames);

  // Work done with other settings is not reused: it starts over.
  options.resume = false;
  InterruptingDepth again_interrupting(int(fresh.frames) - 1);
  EXPECT_THROW(VideoConverter(again_interrupting, options).Run(clip, dir.File("other"), "tree"), Interrupted);
  ClearInterrupt();
  options.resume = true;
  options.parallax.strength = 5;
  VideoConvertResult restarted = VideoConverter(estimator, options).Run(clip, dir.File("other"), "tree");
  EXPECT_EQ(restarted.resumed_frames, 0);
  EXPECT_EQ(restarted.frames, fresh.frames);
  options.parallax.strength = 3;

  // Done files are skipped by a batch that resumes.
  VideoConvertResult again = VideoConverter(estimator, options).Run(clip, dir.File("out"), "tree");
  EXPECT_TRUE(again.already_done);
  EXPECT_EQ(again.frames, 0);
}

}  // namespace
}  // namespace depthforge

namespace depthforge {
namespace {

// A relative "model": BrightnessDepth's inverse depth under an arbitrary
// scale and shift; and BrightnessDepth counting its runs.
class RelativeBrightness : public DepthEstimator {
 public:
  DepthMap Estimate(const cv::Mat3b& bgr) const override {
    DepthMap depth;
    depth.kind = DepthKind::kRelativeInverseDepth;
    cv::Mat1b grey;
    cv::cvtColor(bgr, grey, cv::COLOR_BGR2GRAY);
    cv::Mat1f metres;
    grey.convertTo(metres, CV_32F, -4.0 / 255, 5.0);  // as BrightnessDepth
    depth.values = 3.0 / metres + 7.0;                 // an affine image of its inverse depth
    return depth;
  }
  std::string name() const override { return "relative-brightness"; }
  DepthKind kind() const override { return DepthKind::kRelativeInverseDepth; }
};

class CountingBrightnessDepth : public BrightnessDepth {
 public:
  explicit CountingBrightnessDepth(std::shared_ptr<int> runs) : runs_(std::move(runs)) {}
  DepthMap Estimate(const cv::Mat3b& bgr) const override {
    ++*runs_;
    return BrightnessDepth::Estimate(bgr);
  }

 private:
  std::shared_ptr<int> runs_;
};

TEST(VideoConvert, AlignedRelativeModelFitsOncePerSceneAndWritesMetres) {
  DEPTHFORGE_REQUIRE_MIRROR_FILE(tree, "data/video/tree.avi");
  DEPTHFORGE_REQUIRE_MIRROR_FILE(people, "data/video/vtest.avi");
  testing::TempDir dir;
  // Two shots joined: 20 frames of each clip at one size.
  const cv::Size size(320, 240);
  {
    VideoFileWriter writer(dir.File("two_shots.mkv"), size, 10.0, VideoEncoderOptions{});
    int index = 0;
    for (const std::string& clip : {tree, people}) {
      VideoReader reader(clip);
      VideoFrame frame;
      for (int i = 0; i < 20 && reader.Read(frame); ++i) {
        cv::Mat3b resized;
        cv::resize(frame.image, resized, size, 0, 0, cv::INTER_AREA);
        writer.WriteFrame(resized, index++ / 10.0);
      }
    }
    writer.Finish();
  }
  auto runs = std::make_shared<int>(0);
  AlignedDepthEstimator estimator(std::make_unique<RelativeBrightness>(), std::make_unique<CountingBrightnessDepth>(runs));
  VideoConvertOptions options;
  options.show_progress = false;
  options.outputs = {VideoOutput::kDepth16};
  VideoConvertResult result = VideoConverter(estimator, options).Run(dir.File("two_shots.mkv"), dir.path(), "two_shots");
  EXPECT_EQ(result.frames, 40);
  EXPECT_EQ(result.scene_cuts, 1);
  EXPECT_EQ(result.alignment_fits, 2) << "one fit per scene";
  EXPECT_EQ(*runs, 2) << "the metric model runs once per scene, not per frame";
  // The relative map is an exact affine image of the metric one's inverse,
  // so the aligned depth is in metres: 1..5 m, like the metric model's.
  std::vector<testing::Gray16Frame> frames = testing::DecodeGray16(dir.File("two_shots_depth16.mkv"));
  ASSERT_EQ(frames.size(), 40u);
  for (size_t i : {size_t(0), size_t(19), size_t(20), size_t(39)}) {
    double low = 0, high = 0;
    cv::minMaxLoc(frames[i].image, &low, &high, nullptr, nullptr, frames[i].image > 0);
    EXPECT_GE(low, 900) << "frame " << i;
    EXPECT_LE(high, 5100) << "frame " << i;
  }
}

}  // namespace
}  // namespace depthforge
