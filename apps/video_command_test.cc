// `depthforge video` as users run it: a batch with bad files in it.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>

#include "depthforge/convert/video_convert.h"
#include "depthforge/testing/test_clips.h"
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

TEST(VideoCli, AKilledConversionResumesFromItsFinishedSegments) {
  // vtest.avi (10 fps): ten frames to a segment, so the three left after
  // the kill take far longer than the 50 ms between looks (tree.avi holds
  // its pictures for seconds, and its last segments ended before the kill).
  DEPTHFORGE_REQUIRE_MIRROR_FILE(clip, "data/video/vtest.avi");
  testing::TempDir dir;
  const std::string out = dir.File("out");
  const std::string work = VideoConverter::WorkFolder(out, "vtest");
  const std::string args = "video " + clip + " -o " + out + " --as hsbs --end 6 --segment-seconds 1 -q";
  // kill -9 once three segments are done: no chance to clean anything up.
  testing::CommandResult killed = testing::RunCommand(
      std::string(DEPTHFORGE_CLI_PATH) + " " + args + " & pid=$!; for i in $(seq 1200); do [ -e " + work +
      "/000002.state ] && break; sleep 0.05; done; kill -9 $pid; wait $pid; echo status $?");
  ASSERT_THAT(killed.output, HasSubstr("status 137"));
  EXPECT_FALSE(fs::exists(out + "/vtest_LR.mp4"));
  ASSERT_TRUE(fs::exists(work + "/000002.state"));

  auto resumed = RunCli(args + " --resume");
  EXPECT_EQ(resumed.exit_code, 0) << resumed.output;
  EXPECT_THAT(resumed.output, HasSubstr("more from the earlier run"));
  // Only the output is left: no work folder, no temporary file.
  int entries = 0;
  for (const auto& entry : fs::directory_iterator(out)) {
    EXPECT_EQ(entry.path().filename(), "vtest_LR.mp4");
    ++entries;
  }
  EXPECT_EQ(entries, 1);
  // Every frame before 6 s, each once.
  VideoReader source(clip), converted(out + "/vtest_LR.mp4");
  VideoFrame a, b;
  int64_t frames = 0;
  while (converted.Read(b)) {
    ASSERT_TRUE(source.Read(a));
    EXPECT_NEAR(a.time, b.time, 1e-3);
    ++frames;
  }
  EXPECT_TRUE(!source.Read(a) || a.time >= 6.0);
  EXPECT_EQ(frames, 60);

  auto again = RunCli(args + " --resume");
  EXPECT_THAT(again.output, HasSubstr("already converted"));
}

TEST(VideoCli, OutputsInTheInputFolderAreNotConvertedAgain) {
  DEPTHFORGE_REQUIRE_MIRROR_FILE(clip, "data/video/tree.avi");
  testing::TempDir dir;
  fs::copy_file(clip, dir.File("tree.avi"));
  for (int run = 0; run < 2; ++run) {
    auto result = RunCli("video " + dir.path() + " -o " + dir.path() + " --as hsbs,depth16 --end 0.5 -q --stabilize range --hole-fill telea --edge-dilation 0");
    EXPECT_EQ(result.exit_code, 0) << result.output;
    EXPECT_THAT(result.output, HasSubstr("1 of 1 video converted")) << "run " << run;
  }
  EXPECT_EQ(testing::CountFiles(dir.path()), 3);  // tree.avi, tree_LR.mp4, tree_depth16.mkv
  auto bad = RunCli("video " + dir.path() + " -o " + dir.path() + " --stabilize magic");
  EXPECT_EQ(bad.exit_code, 1);
  EXPECT_THAT(bad.output, HasSubstr("magic"));
}

TEST(VideoCli, UnsupportedCodecsAndUnwritableOutputsAreNamed) {
  testing::TempDir dir;
  // An AVI whose video says it is in a codec nobody knows.
  testing::WriteFlashClip(dir.File("h264.avi"), testing::ConstantRateClip(5, 25));
  std::string bytes = ReadFileBytes(dir.File("h264.avi"));
  for (size_t at = bytes.find("H264"); at != std::string::npos; at = bytes.find("H264", at)) bytes.replace(at, 4, "QQQQ");
  WriteFileBytes(dir.File("odd.avi"), bytes);
  auto odd = RunCli("video " + dir.File("odd.avi") + " -o " + dir.File("out") + " -q");
  EXPECT_EQ(odd.exit_code, 1);
  EXPECT_THAT(odd.output, HasSubstr("odd.avi: its video codec"));
  EXPECT_THAT(odd.output, HasSubstr("has no decoder"));
  EXPECT_EQ(testing::CountFiles(dir.File("out")), 0);

  WriteFileBytes(dir.File("file"), "a file, not a folder");
  auto unwritable = RunCli("video " + dir.File("h264.avi") + " -o " + dir.File("file") + " -q");
  EXPECT_EQ(unwritable.exit_code, 1);
  EXPECT_THAT(unwritable.output, HasSubstr(dir.File("file")));
}

}  // namespace
}  // namespace depthforge
