#include "depthforge/convert/video_convert.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>

#include <opencv2/imgproc.hpp>

#include "depthforge/core/error.h"
#include "depthforge/estimate/depth_estimator.h"
#include "depthforge/testing/test_util.h"
#include "depthforge/video/video_reader.h"

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

}  // namespace
}  // namespace depthforge
