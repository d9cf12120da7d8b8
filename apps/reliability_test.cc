// The hostile inputs of the reliability pass, each fed to the program as a
// user would: inputs are never touched, odd shapes give answers or one clear
// line, stops are prompt and leave nothing half-written, and no number is
// printed for what was not computed.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>

#include <opencv2/imgcodecs.hpp>

#include "depthforge/io/npy.h"
#include "depthforge/testing/test_clips.h"
#include "depthforge/testing/test_util.h"
#include "depthforge/util/atomic_file.h"
#include "depthforge/video/mp4_writer.h"

namespace depthforge {
namespace {
namespace fs = std::filesystem;
using ::testing::HasSubstr;
using ::testing::Not;
using testing::RunCli;
using testing::RunCommand;

int CountTemporaries(const std::string& directory) {
  int count = 0;
  std::error_code error;
  for (const auto& entry : fs::directory_iterator(directory, error)) {
    if (entry.path().filename().string().rfind(".tmp-", 0) == 0) ++count;
  }
  return count;
}

TEST(Reliability, DepthIntoItsOwnFolderNeverOverwritesOrRereadsAnything) {
  DEPTHFORGE_REQUIRE_MIRROR_FILE(photo, "data/photos/fruits.jpg");
  testing::TempDir dir;
  fs::copy_file(photo, dir.File("fruits.jpg"));
  cv::imwrite(dir.File("photo.png"), cv::imread(photo));
  std::string png_before = ReadFileBytes(dir.File("photo.png"));
  auto first = RunCli("depth " + dir.path() + " -o " + dir.path() + " -q");
  EXPECT_EQ(first.exit_code, 1) << first.output;  // photo.png's depth PNG would replace it
  EXPECT_THAT(first.output, HasSubstr("photo.png: would overwrite the input"));
  EXPECT_EQ(ReadFileBytes(dir.File("photo.png")), png_before);
  EXPECT_TRUE(fs::exists(dir.File("fruits.png")) && fs::exists(dir.File("fruits.color.png")));
  auto second = RunCli("depth " + dir.path() + " -o " + dir.path() + " -q");
  EXPECT_THAT(second.output, HasSubstr("1 of 2 images written"));  // fruits.png and fruits.color.png are ours, not photos
  EXPECT_EQ(ReadFileBytes(dir.File("photo.png")), png_before);
  EXPECT_FALSE(fs::exists(dir.File("fruits.color.color.png")));
  EXPECT_EQ(CountTemporaries(dir.path()), 0);
}

TEST(Reliability, EvalChecksItsReportPathsBeforeTheWork) {
  testing::TempDir dir;
  cv::imwrite(dir.File("a.png"), cv::Mat3b(48, 64, cv::Vec3b(90, 80, 70)));
  cv::imwrite(dir.File("a_depth.png"), cv::Mat1w(48, 64, uint16_t(2000)));
  WriteFileBytes(dir.File("pairs.csv"), "a.png,a_depth.png\n");
  auto clobber = RunCli("eval --data " + dir.File("pairs.csv") + " -o " + dir.File("pairs.json") + " --model constant:2 -q");
  EXPECT_EQ(clobber.exit_code, 1);
  EXPECT_THAT(clobber.output, HasSubstr("pairs.csv: would overwrite the input"));
  EXPECT_EQ(ReadFileBytes(dir.File("pairs.csv")), "a.png,a_depth.png\n");
  auto nested = RunCli("eval --data " + dir.File("pairs.csv") + " -o " + dir.File("new/folder/report.json") +
                       " --model constant:2.5 --crop none -q");
  EXPECT_EQ(nested.exit_code, 0) << nested.output;
  EXPECT_TRUE(fs::exists(dir.File("new/folder/report.csv")));
}

TEST(Reliability, EvalAndTrainPrintNoNumberForWhatWasNotComputed) {
  testing::TempDir dir;
  cv::imwrite(dir.File("a.png"), cv::Mat3b(48, 64, cv::Vec3b(90, 80, 70)));
  cv::imwrite(dir.File("zero.png"), cv::Mat1w(48, 64, uint16_t(0)));
  WriteFileBytes(dir.File("zero.csv"), "image,depth\na.png,zero.png\na.png,zero.png\n");
  auto eval = RunCli("eval --data " + dir.File("zero.csv") + " -o " + dir.File("r.json") + " --model constant:2 -q");
  EXPECT_EQ(eval.exit_code, 1);
  EXPECT_THAT(eval.output, HasSubstr("no image has valid ground truth"));
  EXPECT_THAT(eval.output, Not(HasSubstr("AbsRel 0.000")));
  auto train_zero = RunCli("train --arch unet --data " + dir.File("zero.csv") + " -o " + dir.File("run0") +
                           " --epochs 1 --batch 2 --size 64x48 --channels 4 -q");
  EXPECT_EQ(train_zero.exit_code, 1) << train_zero.output;
  EXPECT_THAT(train_zero.output, HasSubstr("the training data has no valid depth"));

  ASSERT_EQ(RunCli("synth -o " + dir.File("synth") + " --count 4 --size 64x48").exit_code, 0);
  auto train = RunCli("train --arch unet --data " + dir.File("synth/pairs.csv") + " -o " + dir.File("run") +
                      " --epochs 1 --batch 2 --size 64x48 --channels 4 -q");
  EXPECT_EQ(train.exit_code, 0) << train.output;
  EXPECT_THAT(train.output, Not(HasSubstr("val loss")));
  EXPECT_THAT(train.output, Not(HasSubstr("val AbsRel")));
  EXPECT_THAT(train.output, HasSubstr("by training loss; give --val"));
  EXPECT_THAT(ReadFileBytes(dir.File("run/log.csv")), HasSubstr(",,,"));  // empty validation fields

  auto cuda = RunCli("train --arch unet --data " + dir.File("synth/pairs.csv") + " -o " + dir.File("gpu") + " --device cuda");
  EXPECT_EQ(cuda.exit_code, 1);
  EXPECT_THAT(cuda.output, HasSubstr("device 'cuda': this build of LibTorch has no CUDA support"));
  EXPECT_THAT(cuda.output, Not(HasSubstr("internal error")));
}

TEST(Reliability, ExtremeAspectRatiosGiveADepthMapInBoundedSize) {
  if (testing::MirrorDir().empty()) GTEST_SKIP() << "no mirror for the model";
  testing::TempDir dir;
  cv::imwrite(dir.File("strip.png"), cv::Mat3b(10000, 1, cv::Vec3b(40, 90, 160)));
  cv::imwrite(dir.File("line.png"), cv::Mat3b(1, 3000, cv::Vec3b(40, 90, 160)));
  auto result = RunCli("depth " + dir.File("strip.png") + " " + dir.File("line.png") + " -o " + dir.File("out") +
                       " --format npy -q");
  ASSERT_EQ(result.exit_code, 0) << result.output;
  EXPECT_EQ(ReadNpy(dir.File("out/strip.npy")).ToFloatMat("strip").size(), cv::Size(1, 10000));
  EXPECT_EQ(ReadNpy(dir.File("out/line.npy")).ToFloatMat("line").size(), cv::Size(3000, 1));
}

TEST(Reliability, TinyPhotosKeepEveryOutputTheyAllow) {
  if (testing::MirrorDir().empty()) GTEST_SKIP() << "no mirror for the model";
  testing::TempDir dir;
  cv::imwrite(dir.File("column.png"), cv::Mat3b(200, 1, cv::Vec3b(40, 90, 160)));
  cv::imwrite(dir.File("dot.png"), cv::Mat3b(2, 2, cv::Vec3b(40, 90, 160)));
  auto result = RunCli("convert " + dir.File("column.png") + " " + dir.File("dot.png") + " -o " + dir.File("out") +
                       " --as hsbs,anaglyph,glb,depth -q");
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_THAT(result.output, HasSubstr("column.png: hsbs: half side-by-side needs a photo at least 2 pixels wide"));
  EXPECT_THAT(result.output, HasSubstr("glb: a photo 1x200 pixels has no surface to mesh"));
  EXPECT_THAT(result.output, Not(HasSubstr("internal error")));
  EXPECT_TRUE(fs::exists(dir.File("out/column.anaglyph.jpg")));  // what could be made was kept
  EXPECT_TRUE(fs::exists(dir.File("out/column.depth.npy")));
  for (const char* name : {"dot.hsbs.jpg", "dot.anaglyph.jpg", "dot.glb", "dot.depth.npy"}) {
    EXPECT_TRUE(fs::exists(dir.File(std::string("out/") + name))) << name;
  }
  EXPECT_EQ(CountTemporaries(dir.File("out")), 0);
}

TEST(Reliability, StereoOnTinyPairsAndHugeSearchRanges) {
  testing::TempDir dir;
  cv::Mat3b tiny(16, 16, cv::Vec3b(50, 60, 70));
  cv::imwrite(dir.File("l.png"), tiny);
  cv::imwrite(dir.File("r.png"), tiny);
  auto small = RunCli("stereo match " + dir.File("l.png") + " " + dir.File("r.png") + " -o " + dir.File("a") +
                      " --assume-rectified");
  EXPECT_EQ(small.exit_code, 1) << small.output;
  EXPECT_THAT(small.output, HasSubstr("matching needs at least 32 pixels of width"));
  DEPTHFORGE_REQUIRE_MIRROR_FILE(left, "data/stereo/middlebury2001/tsukuba/im3.png");
  std::string right = fs::path(left).parent_path().string() + "/im4.png";
  auto wide = RunCli("stereo match " + left + " " + right + " -o " + dir.File("b") + " --max-disp 1000 --assume-rectified");
  EXPECT_EQ(wide.exit_code, 0) << wide.output;
}

TEST(Reliability, ViewUsesOneRuleForUsableDepthAndDisparity) {
  testing::TempDir dir;
  cv::Mat3b photo(60, 80, cv::Vec3b(10, 120, 200));
  cv::imwrite(dir.File("p.png"), photo);
  cv::Mat1f odd_rows(60, 80, std::nanf(""));
  for (int y = 1; y < 60; y += 2) odd_rows.row(y).setTo(2.f + 0.01f * float(y));
  WriteNpy(dir.File("odd.npy"), odd_rows);
  auto odd = RunCli("view " + dir.File("p.png") + " --depth " + dir.File("odd.npy") + " --shift 1 -o " +
                    dir.File("made/for/it/v.png"));
  EXPECT_EQ(odd.exit_code, 0) << odd.output;  // the folder is made too
  for (float bad : {std::nanf(""), INFINITY, 1e9f}) {
    WriteNpy(dir.File("bad.npy"), cv::Mat1f(60, 80, bad));
    auto result = RunCli("view " + dir.File("p.png") + " --disparity " + dir.File("bad.npy") + " --shift 1 -o " +
                         dir.File("bad.png"));
    EXPECT_EQ(result.exit_code, 1) << bad;
    EXPECT_THAT(result.output, HasSubstr("no usable pixel"));
  }
  auto extension = RunCli("view " + dir.File("p.png") + " --depth " + dir.File("odd.npy") + " --shift 1 -o " +
                          dir.File("v.xyz"));
  EXPECT_THAT(extension.output, HasSubstr("unsupported image extension '.xyz'"));
  EXPECT_FALSE(fs::exists(dir.File("bad.png")));
}

TEST(Reliability, PipesAreRefusedNotWaitedOn) {
  testing::TempDir dir;
  ASSERT_EQ(mkfifo(dir.File("photo.png").c_str(), 0600), 0);
  // 'timeout' turns a hang into exit 124 instead of a stuck suite.
  auto result = RunCommand("timeout 60 " DEPTHFORGE_CLI_PATH " depth " + dir.File("photo.png") + " -o " +
                           dir.File("out") + " -q 2>&1");
  EXPECT_EQ(result.exit_code, 1) << result.output;
  EXPECT_THAT(result.output, HasSubstr("photo.png: is not a regular file"));
}

// Starts a one-photo orbit video long enough to be stopped in the middle,
// waits until its staging folder appears, sends 'signal' and returns
// "exit=<status>".
std::string StopAnOrbitVideo(const std::string& photo, const std::string& out, const char* signal) {
  std::string script = "( " DEPTHFORGE_CLI_PATH " convert " + photo + " -o " + out +
                       " --as orbit --seconds 40 -q & pid=$!; "
                       "for i in $(seq 600); do ls -a " + out + " 2>/dev/null | grep -q '^.tmp-' && break; sleep 0.05; done; "
                       "sleep 0.3; kill -" + signal + " $pid; wait $pid; echo exit=$? )";
  return RunCommand(script).output;
}

TEST(Reliability, InterruptAndTerminateStopAVideoAtOnceAndLeaveNothing) {
  DEPTHFORGE_REQUIRE_MIRROR_FILE(photo, "data/photos/fruits.jpg");
  testing::TempDir dir;
  std::string interrupted = StopAnOrbitVideo(photo, dir.File("a"), "INT");
  EXPECT_THAT(interrupted, HasSubstr("exit=130"));
  EXPECT_EQ(testing::CountFiles(dir.File("a")), 0);
  EXPECT_EQ(CountTemporaries(dir.File("a")), 0);
  std::string terminated = StopAnOrbitVideo(photo, dir.File("b"), "TERM");
  EXPECT_THAT(terminated, HasSubstr("exit=143"));
  EXPECT_EQ(testing::CountFiles(dir.File("b")), 0);
  EXPECT_EQ(CountTemporaries(dir.File("b")), 0);
}

TEST(Reliability, WhatAKilledRunLeftIsRemovedByTheNext) {
  DEPTHFORGE_REQUIRE_MIRROR_FILE(photo, "data/photos/fruits.jpg");
  testing::TempDir dir;
  // kill -9 in the middle of a photo: its staging folder stays behind.
  std::string killed = StopAnOrbitVideo(photo, dir.File("out"), "KILL");
  EXPECT_THAT(killed, HasSubstr("exit=137"));
  EXPECT_GT(CountTemporaries(dir.File("out")), 0);
  EXPECT_EQ(testing::CountFiles(dir.File("out")), 0);  // no photo with some outputs and not others
  WriteFileBytes(dir.File("out/.tmp-1-0-keep.png"), "pid 1 still runs");  // not stale: kept
  auto next = RunCli("convert " + photo + " -o " + dir.File("out") + " --as hsbs -q");
  EXPECT_EQ(next.exit_code, 0) << next.output;
  EXPECT_EQ(CountTemporaries(dir.File("out")), 1);
  EXPECT_TRUE(fs::exists(dir.File("out/.tmp-1-0-keep.png")));
}

TEST(Reliability, LargePhotosMakeVideosAtAPlayableSize) {
  DEPTHFORGE_REQUIRE_MIRROR_FILE(photo, "data/photos/fruits.jpg");  // 512x480
  testing::TempDir dir;
  auto result = RunCli("convert " + photo + " -o " + dir.File("out") + " --as orbit --seconds 1 --video-size 256 -q");
  ASSERT_EQ(result.exit_code, 0) << result.output;
  testing::VideoInfo info = testing::ProbeVideo(dir.File("out/fruits.orbit.mp4"));
  EXPECT_EQ(info.size, cv::Size(256, 240));
  EXPECT_EQ(info.frames, 24);
}

}  // namespace
}  // namespace depthforge
