// End-to-end tests of the depthforge program, run as a user would.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>

#include <opencv2/imgcodecs.hpp>

#include "depthforge/io/npy.h"
#include "depthforge/testing/test_util.h"
#include "depthforge/util/atomic_file.h"

namespace depthforge {
namespace {
namespace fs = std::filesystem;
using ::testing::HasSubstr;
using testing::RunCli;

TEST(Cli, DepthBatchWithOneBadFile) {
  DEPTHFORGE_REQUIRE_MIRROR_FILE(photo, "data/photos/fruits.jpg");
  testing::TempDir dir;
  fs::create_directories(dir.File("in"));
  fs::copy_file(photo, dir.File("in/fruits.jpg"));
  cv::Mat1w deep(60, 80, uint16_t(30000));  // a 16-bit grey photo
  cv::imwrite(dir.File("in/deep.png"), deep);
  WriteFileBytes(dir.File("in/broken.jpg"), ReadFileBytes(photo).substr(0, 5000));
  auto result = RunCli("depth " + dir.File("in") + " -o " + dir.File("out") + " --format npy,png16,pfm,color -q");
  EXPECT_EQ(result.exit_code, 1) << result.output;
  EXPECT_THAT(result.output, HasSubstr("2 of 3 images written"));
  EXPECT_THAT(result.output, HasSubstr("broken.jpg: truncated jpeg"));
  EXPECT_EQ(testing::CountFiles(dir.File("out")), 8);
  cv::Mat depth = ReadNpy(dir.File("out/fruits.npy")).ToFloatMat("fruits.npy");
  EXPECT_EQ(depth.size(), cv::Size(512, 480));
  EXPECT_TRUE(fs::exists(dir.File("out/deep.color.png")));
}

TEST(Cli, UnwritableOutputIsOneClearLine) {
  DEPTHFORGE_REQUIRE_MIRROR_FILE(photo, "data/photos/fruits.jpg");
  testing::TempDir dir;
  WriteFileBytes(dir.File("taken"), "a file");
  auto result = RunCli("depth " + photo + " -o " + dir.File("taken"));
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_THAT(result.output, HasSubstr("depthforge: error: " + dir.File("taken") + ": exists and is not a directory"));
  EXPECT_EQ(ReadFileBytes(dir.File("taken")), "a file");
}

TEST(Cli, BadArgumentsAreExplained) {
  testing::TempDir dir;
  auto missing = RunCli("depth /no/such/photo.jpg -o " + dir.File("out"));
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_THAT(missing.output, HasSubstr("/no/such/photo.jpg: no such file or directory"));
  DEPTHFORGE_REQUIRE_MIRROR_FILE(photo, "data/photos/fruits.jpg");
  auto format = RunCli("depth " + photo + " -o " + dir.File("out") + " --format npy,gif");
  EXPECT_EQ(format.exit_code, 1);
  EXPECT_THAT(format.output, HasSubstr("unknown depth format 'gif'"));
  auto model = RunCli("depth " + photo + " -o " + dir.File("out") + " --model midas-large");
  EXPECT_EQ(model.exit_code, 1);
  EXPECT_THAT(model.output, HasSubstr("unknown model 'midas-large' (known models: fastdepth-nyu"));
  auto size = RunCli("depth " + photo + " -o " + dir.File("out") + " --framing full --size 250x224");
  EXPECT_EQ(size.exit_code, 1);
  EXPECT_THAT(size.output, HasSubstr("must be a multiple of 32"));
  EXPECT_FALSE(fs::exists(dir.File("out")) && testing::CountFiles(dir.File("out")) > 0);
}

TEST(Cli, ModelFileBackendsAndTta) {
  DEPTHFORGE_REQUIRE_MIRROR_FILE(photo, "data/photos/home.jpg");
  DEPTHFORGE_REQUIRE_MIRROR_FILE(model, "models/fast_depth_224.tflite");
  testing::TempDir dir;
  auto torch = RunCli("depth " + photo + " -o " + dir.File("torch") + " --model " + model + " --backend torch --format npy -q");
  ASSERT_EQ(torch.exit_code, 0) << torch.output;
  // The default (auto) runs this int8 model in int8 with XNNPACK.
  auto int8 = RunCli("depth " + photo + " -o " + dir.File("int8") + " --model " + model + " --format npy -q");
  ASSERT_EQ(int8.exit_code, 0) << int8.output;
  auto opencv = RunCli("depth " + photo + " -o " + dir.File("opencv") + " --backend opencv --format npy -q");
  ASSERT_EQ(opencv.exit_code, 0) << opencv.output;
  cv::Mat a = ReadNpy(dir.File("torch/home.npy")).ToFloatMat("a");
  cv::Mat b = ReadNpy(dir.File("opencv/home.npy")).ToFloatMat("b");
  EXPECT_EQ(a.size(), cv::Size(512, 384));
  EXPECT_LT(cv::norm(a, b, cv::NORM_INF), 1e-2);  // same float network, two backends
  // int8 against float: the output's quantisation step is 0.072 m.
  cv::Mat q = ReadNpy(dir.File("int8/home.npy")).ToFloatMat("q");
  EXPECT_LT(cv::mean(cv::abs(q - a))[0], 0.05);
  EXPECT_GT(cv::norm(q, a, cv::NORM_INF), 1e-3);  // really a different backend
  auto tta = RunCli("depth " + photo + " -o " + dir.File("tta") + " --tta --framing full --format npy -q");
  ASSERT_EQ(tta.exit_code, 0) << tta.output;
  cv::Mat c = ReadNpy(dir.File("tta/home.npy")).ToFloatMat("c");
  EXPECT_GT(cv::norm(a, c, cv::NORM_INF), 1e-3);  // the options change the result

  WriteFileBytes(dir.File("broken.tflite"), ReadFileBytes(model).substr(0, 4000));
  auto broken = RunCli("depth " + photo + " -o " + dir.File("x") + " --model " + dir.File("broken.tflite"));
  EXPECT_EQ(broken.exit_code, 1);
  EXPECT_THAT(broken.output, HasSubstr("depthforge: error: " + dir.File("broken.tflite") + ": malformed flatbuffer"));
}

TEST(Cli, ModelsPullListVerify) {
  if (testing::MirrorDir().empty()) GTEST_SKIP() << "no mirror";
  testing::TempDir home;
  std::string env = "DEPTHFORGE_HOME=" + home.path() + " DEPTHFORGE_MIRROR=" + testing::MirrorDir() + " ";
  std::string cli = std::string(DEPTHFORGE_CLI_PATH);
  auto pull = testing::RunCommand(env + cli + " models pull");
  EXPECT_EQ(pull.exit_code, 0) << pull.output;
  EXPECT_THAT(pull.output, HasSubstr("from mirror, sha256 verified"));
  auto list = testing::RunCommand(env + cli + " models list");
  EXPECT_THAT(list.output, ::testing::ContainsRegex("fastdepth-nyu\\* +yes"));
  auto verify = testing::RunCommand(env + cli + " models verify");
  EXPECT_EQ(verify.exit_code, 0);
  EXPECT_THAT(verify.output, HasSubstr("fastdepth-nyu: OK"));
  // A damaged cache (same size) is hashed again, never used, and repaired.
  std::string cached = home.File("models/fast_depth_224.tflite");
  std::string bytes = ReadFileBytes(cached);
  bytes[bytes.size() / 2] ^= 0x5a;
  WriteFileBytes(cached, bytes);
  auto repair = testing::RunCommand(env + cli + " models pull");
  EXPECT_EQ(repair.exit_code, 0) << repair.output;
  EXPECT_THAT(repair.output, HasSubstr("from mirror, sha256 verified"));
  EXPECT_EQ(ReadFileBytes(cached), ReadFileBytes(testing::MirrorFile("models/fast_depth_224.tflite")));
  EXPECT_FALSE(fs::exists(cached + ".part"));
  // Offline, not mirrored, not cached: say where to get the file.
  testing::TempDir empty_home;
  auto offline = testing::RunCommand("DEPTHFORGE_HOME=" + empty_home.path() + " DEPTHFORGE_MIRROR=" + empty_home.path() +
                                     " http_proxy=http://127.0.0.1:1 https_proxy=http://127.0.0.1:1 " + cli + " models pull");
  EXPECT_EQ(offline.exit_code, 1);
  EXPECT_THAT(offline.output, HasSubstr("Download https://raw.githubusercontent.com/openmv/openmv/"));
  EXPECT_THAT(offline.output, HasSubstr("and save it as " + empty_home.path() + "/models/fast_depth_224.tflite"));
}

}  // namespace
}  // namespace depthforge

namespace depthforge {
namespace {

// The dynamic loader's record of a successful command (LD_DEBUG=files):
// which libraries it opened.
std::string LoaderRecord(const std::string& arguments) {
  auto result = testing::RunCommand("LD_DEBUG=files " + std::string(DEPTHFORGE_CLI_PATH) + " " + arguments);
  EXPECT_EQ(result.exit_code, 0) << arguments << "\n" << result.output.substr(result.output.size() > 2000 ? result.output.size() - 2000 : 0);
  return result.output;
}

bool LoadsLibTorch(const std::string& arguments) {
  return LoaderRecord(arguments).find("file=libtorch_cpu.so") != std::string::npos;
}

TEST(Cli, LoadsLibTorchOnlyWhenACommandNeedsIt) {
  DEPTHFORGE_REQUIRE_MIRROR_FILE(photo, "data/photos/home.jpg");
  DEPTHFORGE_REQUIRE_MIRROR_FILE(model, "models/fast_depth_224.tflite");
  testing::TempDir dir;
  EXPECT_FALSE(LoadsLibTorch("--version"));
  EXPECT_FALSE(LoadsLibTorch("depth --help"));
  EXPECT_FALSE(LoadsLibTorch("depth " + photo + " --model " + model + " -o " + dir.File("a") + " -q"));
  // The float backend is LibTorch: the same command then loads it.
  EXPECT_TRUE(LoadsLibTorch("depth " + photo + " --model " + model + " --backend torch -o " + dir.File("b") + " -q"));
}

// OpenCV's imgcodecs (GDAL, DICOM, PDF, ... ~0.2 s to load) only for
// formats depthforge does not decode itself.
TEST(Cli, LoadsOpenCvsImageCodecsOnlyForOtherFormats) {
  DEPTHFORGE_REQUIRE_MIRROR_FILE(photo, "data/photos/home.jpg");
  DEPTHFORGE_REQUIRE_MIRROR_FILE(ppm, "data/rgbd/other_formats/NYU_color.ppm");
  testing::TempDir dir;
  auto loads_codecs = [&](const std::string& arguments) {
    return LoaderRecord(arguments).find("file=libopencv_imgcodecs.so") != std::string::npos;
  };
  EXPECT_FALSE(loads_codecs("depth " + photo + " -o " + dir.File("a") + " -q"));
  EXPECT_FALSE(loads_codecs("convert " + photo + " -o " + dir.File("b") + " --as hsbs,anaglyph -q"));
  EXPECT_TRUE(loads_codecs("depth " + ppm + " -o " + dir.File("c") + " -q"));
}

// FFmpeg's libraries (~60 ms to load with their trees) only for commands
// that read or write a video: a photo's depth and stereo pair do not, its
// orbit video and a video conversion do.
TEST(Cli, LoadsFfmpegOnlyForVideos) {
  DEPTHFORGE_REQUIRE_MIRROR_FILE(photo, "data/photos/home.jpg");
  DEPTHFORGE_REQUIRE_MIRROR_FILE(clip, "data/video/tree.avi");
  testing::TempDir dir;
  auto loads_ffmpeg = [&](const std::string& arguments) {
    const std::string record = LoaderRecord(arguments);
    return record.find("file=libavcodec.so") != std::string::npos && record.find("libdepthforge_ffmpeg.so") != std::string::npos;
  };
  EXPECT_FALSE(loads_ffmpeg("models list"));
  EXPECT_FALSE(loads_ffmpeg("depth " + photo + " -o " + dir.File("a") + " -q"));
  EXPECT_FALSE(loads_ffmpeg("convert " + photo + " -o " + dir.File("b") + " --as hsbs -q"));
  EXPECT_TRUE(loads_ffmpeg("convert " + photo + " -o " + dir.File("c") + " --as orbit --seconds 1 -q"));
  EXPECT_TRUE(loads_ffmpeg("video " + clip + " -o " + dir.File("d") + " --end 0.5 -q"));
  EXPECT_TRUE(fs::exists(dir.File("c/home.orbit.mp4")));
}

// Without libdepthforge_torch.so beside libdepthforge.so (a partial
// install), a command that needs LibTorch says what is missing and which
// commands need it; the others still work.
TEST(Cli, MissingLibTorchPartIsNamed) {
  DEPTHFORGE_REQUIRE_MIRROR_FILE(photo, "data/photos/home.jpg");
  testing::TempDir dir;
  fs::path library = fs::path(DEPTHFORGE_CLI_PATH).parent_path() / "lib" / "libdepthforge.so";
  ASSERT_TRUE(fs::exists(library)) << library;
  fs::copy_file(library, dir.File("libdepthforge.so"));
  const std::string run = "LD_LIBRARY_PATH=" + dir.path() + " " + std::string(DEPTHFORGE_CLI_PATH) + " depth " + photo + " -q -o ";
  auto torch = testing::RunCommand(run + dir.File("a") + " --backend torch");
  EXPECT_EQ(torch.exit_code, 1);
  EXPECT_THAT(torch.output, HasSubstr("cannot load the LibTorch part of depthforge (needed for training, .pt and .onnx models and --backend torch)"));
  EXPECT_THAT(torch.output, HasSubstr(dir.File("libdepthforge_torch.so")));
  auto int8 = testing::RunCommand(run + dir.File("b"));
  EXPECT_EQ(int8.exit_code, 0) << int8.output;
  EXPECT_TRUE(fs::exists(dir.File("b/home.npy")));
}


// --version is answered by the launcher alone: none of depthforge's
// libraries (OpenCV, FFmpeg, ...) is loaded. Any other command opens them.
TEST(Cli, VersionLoadsNoLibraryAndAMissingOneIsNamed) {
  auto version = testing::RunCommand("LD_DEBUG=files " + std::string(DEPTHFORGE_CLI_PATH) + " --version");
  EXPECT_EQ(version.exit_code, 0);
  EXPECT_THAT(version.output, HasSubstr("depthforge "));
  EXPECT_EQ(version.output.find("libdepthforge"), std::string::npos);
  EXPECT_EQ(version.output.find("libopencv"), std::string::npos);
  auto help = testing::RunCommand("LD_DEBUG=files " + std::string(DEPTHFORGE_CLI_PATH) + " --help");
  EXPECT_EQ(help.exit_code, 0);
  EXPECT_THAT(help.output, HasSubstr("libdepthforge_cli.so"));
  auto missing = testing::RunCommand("DEPTHFORGE_CLI_LIBRARY=/nonexistent/libdepthforge_cli.so " +
                                     std::string(DEPTHFORGE_CLI_PATH) + " models list");
  EXPECT_EQ(missing.exit_code, 2);
  EXPECT_THAT(missing.output, HasSubstr("cannot load /nonexistent/libdepthforge_cli.so"));
}

}  // namespace
}  // namespace depthforge
