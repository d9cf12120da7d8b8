#include "depthforge/video/photo_video.h"

#include <gtest/gtest.h>

#include <filesystem>

#include <opencv2/imgproc.hpp>

#include "depthforge/core/error.h"
#include "depthforge/testing/test_clips.h"
#include "depthforge/testing/test_util.h"
#include "depthforge/video/mp4_writer.h"

namespace depthforge {
namespace {

TEST(PhotoVideo, EachKindDecodesWithTheRightFramesAndSize) {
  testing::TempDir dir;
  cv::Mat3b image(48, 65, cv::Vec3b(30, 60, 90));  // odd width: cut to 64 for H.264
  cv::rectangle(image, {20, 10, 20, 20}, cv::Scalar(255, 255, 255), -1);
  DepthMap depth;
  depth.values = cv::Mat1f(48, 65, 3.f);
  depth.values(cv::Rect(20, 10, 20, 20)).setTo(1.5f);
  Intrinsics camera = IntrinsicsFromFov(image.size(), 60);
  PhotoVideoOptions options;
  options.seconds = 1.0;
  for (PhotoVideoKind kind : {PhotoVideoKind::kOrbit, PhotoVideoKind::kTurntable, PhotoVideoKind::kParallax}) {
    std::string path = dir.File(ToString(kind) + ".mp4");
    EXPECT_EQ(WritePhotoVideo(path, image, depth, camera, kind, options), 24);
    testing::VideoInfo info = testing::ProbeVideo(path);
    EXPECT_EQ(info.frames, 24) << ToString(kind);
    EXPECT_EQ(info.size, cv::Size(64, 48));
    EXPECT_NEAR(info.fps, 24.0, 0.01);
  }
  EXPECT_EQ(testing::CountFiles(dir.path()), 3);  // no temporary files left
}

TEST(PhotoVideo, OrbitFramesMoveTheForegroundMoreThanTheBackground) {
  cv::Mat3b image(60, 80, cv::Vec3b(0, 0, 0));
  for (int x = 0; x < 80; x += 8) image.col(x).setTo(cv::Scalar(0, 255, 0));  // far stripes
  image(cv::Rect(35, 25, 10, 10)).setTo(cv::Scalar(0, 0, 255));                // near red square
  DepthMap depth;
  depth.values = cv::Mat1f(60, 80, 4.f);
  depth.values(cv::Rect(35, 25, 10, 10)).setTo(1.f);
  std::vector<cv::Mat3b> frames;
  PhotoVideoOptions options;
  options.seconds = 1.0;
  options.motion = 0.1;
  RenderPhotoVideo(image, depth, IntrinsicsFromFov(image.size(), 60), PhotoVideoKind::kOrbit, options,
                   [&](int, const cv::Mat3b& frame) { frames.push_back(frame.clone()); });
  ASSERT_EQ(frames.size(), 24u);
  // Frame 0 is the original viewpoint; a quarter turn later the camera is
  // at its side-most point and the near square has shifted.
  cv::Mat diff;
  cv::absdiff(frames[0], frames[6], diff);
  EXPECT_GT(cv::countNonZero(diff.reshape(1)), 0);
  EXPECT_LT(cv::norm(frames[0], image, cv::NORM_L1) / image.total(), 5.0);
}

TEST(PhotoVideo, BadSettingsAndUnwritableOutput) {
  testing::TempDir dir;
  cv::Mat3b image(16, 16, cv::Vec3b(1, 2, 3));
  DepthMap depth;
  depth.values = cv::Mat1f(16, 16, 2.f);
  Intrinsics camera = IntrinsicsFromFov(image.size(), 60);
  PhotoVideoOptions options;
  options.seconds = -1;
  EXPECT_THROW(WritePhotoVideo(dir.File("a.mp4"), image, depth, camera, PhotoVideoKind::kOrbit, options), OptionError);
  EXPECT_THROW(PhotoVideoKindFromString("spin"), OptionError);
  EXPECT_THROW(WritePhotoVideo(dir.File("missing/a.mp4"), image, depth, camera, PhotoVideoKind::kOrbit, {}), FileError);
  EXPECT_EQ(testing::CountFiles(dir.path()), 0);
}

}  // namespace
}  // namespace depthforge
