#include "depthforge/video/video_reader.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstring>

#include "depthforge/core/error.h"
#include "depthforge/testing/test_clips.h"
#include "depthforge/testing/test_util.h"
#include "depthforge/util/atomic_file.h"
#include "depthforge/video/mp4_writer.h"
#include "depthforge/video/video_writer.h"

namespace depthforge {
namespace {
using ::testing::HasSubstr;

// A WAV file of silence: a real audio-only file.
std::string SilentWav(int samples) {
  auto u32 = [](uint32_t v) { return std::string(reinterpret_cast<const char*>(&v), 4); };
  auto u16 = [](uint16_t v) { return std::string(reinterpret_cast<const char*>(&v), 2); };
  std::string data(size_t(samples) * 2, '\0');
  return "RIFF" + u32(uint32_t(36 + data.size())) + "WAVEfmt " + u32(16) + u16(1) + u16(1) + u32(8000) + u32(16000) +
         u16(2) + u16(16) + "data" + u32(uint32_t(data.size())) + data;
}

TEST(VideoReader, BadInputsNameTheFileAndTheProblem) {
  testing::TempDir dir;
  WriteFileBytes(dir.File("empty.mp4"), "");
  WriteFileBytes(dir.File("text.mp4"), "this is not a video at all, just some words in a file");
  WriteFileBytes(dir.File("sound.wav"), SilentWav(8000));
  EXPECT_THAT([&] { VideoReader r(dir.File("empty.mp4")); }, ::testing::ThrowsMessage<FileError>(HasSubstr("empty file")));
  EXPECT_THAT([&] { VideoReader r(dir.File("text.mp4")); }, ::testing::ThrowsMessage<FileError>(HasSubstr("not a video")));
  EXPECT_THAT([&] { VideoReader r(dir.File("sound.wav")); },
              ::testing::ThrowsMessage<FileError>(HasSubstr("an audio-only file")));
  EXPECT_THAT([&] { VideoReader r(dir.File("missing.mp4")); }, ::testing::ThrowsMessage<FileError>(HasSubstr("no such file")));
}

TEST(VideoReader, ReadsEveryFrameOfARealClipInOrder) {
  DEPTHFORGE_REQUIRE_MIRROR_FILE(clip, "data/video/tree.avi");
  testing::VideoInfo reference = testing::ProbeVideo(clip);  // OpenCV's own count
  VideoReader reader(clip);
  EXPECT_EQ(reader.size(), reference.size);
  VideoFrame frame;
  int64_t frames = 0;
  double last = -1;
  while (reader.Read(frame)) {
    EXPECT_EQ(frame.index, frames);
    EXPECT_GT(frame.time, last);
    EXPECT_EQ(frame.image.size(), reference.size);
    last = frame.time;
    ++frames;
  }
  EXPECT_EQ(frames, reference.frames);
  EXPECT_FALSE(reader.truncated());
}

TEST(VideoWriter, VariableFrameTimesSurviveTheRoundTrip) {
  testing::TempDir dir;
  const std::vector<double> times = {0.0, 0.04, 0.08, 0.20, 0.24, 0.50, 0.54};
  {
    VideoFileWriter writer(dir.File("v.mp4"), {64, 48}, 25, VideoEncoderOptions{});
    for (size_t i = 0; i < times.size(); ++i) writer.WriteFrame(cv::Mat3b(48, 64, cv::Vec3b(uchar(30 * i), 90, 200)), times[i]);
    writer.Finish();
  }
  VideoReader reader(dir.File("v.mp4"));
  VideoFrame frame;
  size_t i = 0;
  while (reader.Read(frame)) {
    ASSERT_LT(i, times.size());
    EXPECT_NEAR(frame.time, times[i], 1e-3) << i;
    EXPECT_NEAR(frame.image(10, 10)[0], 30.0 * double(i), 12.0) << i;  // the right frame, not a neighbour
    ++i;
  }
  EXPECT_EQ(i, times.size());
  // Unfinished: nothing left behind.
  { VideoFileWriter abandoned(dir.File("w.mp4"), {64, 48}, 25, VideoEncoderOptions{}); }
  EXPECT_EQ(testing::CountFiles(dir.path()), 1);
}

TEST(VideoReader, ATruncatedFileGivesWhatDecodes) {
  DEPTHFORGE_REQUIRE_MIRROR_FILE(clip, "data/video/tree.avi");
  testing::TempDir dir;
  std::string bytes = ReadFileBytes(clip);
  WriteFileBytes(dir.File("cut.avi"), bytes.substr(0, bytes.size() / 2));
  VideoReader reader(dir.File("cut.avi"));
  VideoFrame frame;
  int64_t frames = 0;
  while (reader.Read(frame)) ++frames;
  EXPECT_GT(frames, 0);
  EXPECT_LT(frames, testing::ProbeVideo(clip).frames);
}

}  // namespace
}  // namespace depthforge
