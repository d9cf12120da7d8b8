// `depthforge video` as users run it: a batch with bad files in it.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>

#include "depthforge/testing/test_util.h"
#include "depthforge/util/atomic_file.h"
#include "depthforge/video/video_reader.h"

namespace depthforge {
namespace {
namespace fs = std::filesystem;
using ::testing::HasSubstr;
using testing::RunCli;

TEST(VideoCli, BadFilesAreNamedAndTheRestIsConverted) {
  DEPTHFORGE_REQUIRE_MIRROR_FILE(clip, "data/video/tree.avi");
  testing::TempDir dir;
  fs::create_directories(dir.File("in"));
  fs::copy_file(clip, dir.File("in/tree.avi"));
  WriteFileBytes(dir.File("in/empty.mp4"), "");
  WriteFileBytes(dir.File("in/notes.mp4"), "meeting notes, not a video");
  auto result = RunCli("video " + dir.File("in") + " -o " + dir.File("out") + " --as hsbs,anaglyph --end 0.5 -q");
  EXPECT_EQ(result.exit_code, 1) << result.output;
  EXPECT_THAT(result.output, HasSubstr("empty.mp4: empty file"));
  EXPECT_THAT(result.output, HasSubstr("notes.mp4: not a video"));
  EXPECT_THAT(result.output, HasSubstr("video: 1 of 3 videos converted, 2 files"));
  EXPECT_EQ(testing::CountFiles(dir.File("out")), 2);  // nothing partial for the bad ones
  VideoReader half_sbs(dir.File("out/tree_LR.mp4"));
  EXPECT_EQ(half_sbs.size(), VideoReader(clip).size());
  auto unknown = RunCli("video " + clip + " -o " + dir.File("out2") + " --as hologram");
  EXPECT_EQ(unknown.exit_code, 1);
  EXPECT_THAT(unknown.output, HasSubstr("unknown video output 'hologram'"));
}

}  // namespace
}  // namespace depthforge
