#include "depthforge/video/mp4_writer.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "depthforge/core/error.h"
#include "depthforge/testing/test_clips.h"
#include "depthforge/testing/test_util.h"

namespace depthforge {
namespace {

TEST(Mp4Writer, OddSizesAreCutToEvenAndEveryFrameIsKept) {
  testing::TempDir dir;
  {
    Mp4Writer writer(dir.File("v.mp4"), {65, 49}, 24);
    EXPECT_EQ(writer.frame_size(), cv::Size(64, 48));
    for (int i = 0; i < 10; ++i) writer.Write(cv::Mat3b(49, 65, cv::Vec3b(uchar(20 * i), 80, 160)));
    EXPECT_FALSE(std::filesystem::exists(dir.File("v.mp4")));  // nothing visible until finished
    writer.Finish();
  }
  testing::VideoInfo info = testing::ProbeVideo(dir.File("v.mp4"));
  EXPECT_EQ(info.frames, 10);
  EXPECT_EQ(info.size, cv::Size(64, 48));
  {
    Mp4Writer abandoned(dir.File("w.mp4"), {32, 32}, 24);
    abandoned.Write(cv::Mat3b(32, 32));
  }  // not finished: no file
  EXPECT_FALSE(std::filesystem::exists(dir.File("w.mp4")));
  EXPECT_THROW(Mp4Writer(dir.File("x.mp4"), {1, 1}, 24), FileError);
}

}  // namespace
}  // namespace depthforge
