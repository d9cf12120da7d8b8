#include "depthforge/video/video_properties.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "depthforge/core/error.h"
#include "depthforge/testing/test_util.h"
#include "depthforge/util/atomic_file.h"
#include "depthforge/video/video_reader.h"
#include "depthforge/video/video_writer.h"

namespace depthforge {
namespace {
using ::testing::HasSubstr;

TEST(VideoProperties, AreWhatTheReaderSees) {
  testing::TempDir dir;
  {
    VideoFileWriter writer(dir.File("v.mp4"), {96, 64}, 20, VideoEncoderOptions{});
    for (int i = 0; i < 30; ++i) writer.WriteFrame(cv::Mat3b(64, 96, cv::Vec3b(uchar(8 * i), 90, 200)), i / 20.0);
    writer.Finish();
  }
  const VideoProperties properties = ReadVideoProperties(dir.File("v.mp4"));
  VideoReader reader(dir.File("v.mp4"));
  EXPECT_EQ(properties.size, cv::Size(96, 64));
  EXPECT_EQ(properties.size, reader.size());
  EXPECT_NEAR(properties.frame_rate, 20, 0.01);
  EXPECT_NEAR(properties.duration, 1.5, 0.06);
  EXPECT_EQ(properties.duration, reader.duration());
  EXPECT_EQ(properties.estimated_frames, reader.estimated_frames());
}

TEST(VideoProperties, ABadFileIsNamed) {
  testing::TempDir dir;
  WriteFileBytes(dir.File("text.mp4"), "this is not a video at all, just some words in a file");
  EXPECT_THAT([&] { ReadVideoProperties(dir.File("text.mp4")); },
              ::testing::ThrowsMessage<FileError>(HasSubstr("not a video")));
  EXPECT_THAT([&] { ReadVideoProperties(dir.File("missing.mp4")); },
              ::testing::ThrowsMessage<FileError>(HasSubstr("no such file")));
}

}  // namespace
}  // namespace depthforge
