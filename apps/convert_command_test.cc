// End-to-end tests of `depthforge convert` and `depthforge view`.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <tiny_gltf.h>

#include <cmath>
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
using testing::RunCli;

TEST(ConvertCli, EveryKindOfOutputFromAnEstimatedDepth) {
  DEPTHFORGE_REQUIRE_MIRROR_FILE(photo, "data/photos/home.jpg");  // 512x384
  testing::TempDir dir;
  auto result = RunCli("convert " + photo + " -o " + dir.File("out") +
                       " --as hsbs,sbs,cross,tb,htb,lr,anaglyph,anaglyph-grey,ply,glb,obj,orbit,bokeh,depth --seconds 1 -q");
  ASSERT_EQ(result.exit_code, 0) << result.output;
  EXPECT_EQ(cv::imread(dir.File("out/home.hsbs.jpg")).size(), cv::Size(512, 384));
  EXPECT_EQ(cv::imread(dir.File("out/home.sbs.jpg")).size(), cv::Size(1024, 384));
  EXPECT_EQ(cv::imread(dir.File("out/home.tb.jpg")).size(), cv::Size(512, 768));
  EXPECT_TRUE(fs::exists(dir.File("out/home.left.jpg")) && fs::exists(dir.File("out/home.right.jpg")));
  EXPECT_TRUE(fs::exists(dir.File("out/home.mesh.obj")) && fs::exists(dir.File("out/home.mesh.mtl")));
  testing::VideoInfo video = testing::ProbeVideo(dir.File("out/home.orbit.mp4"));
  EXPECT_EQ(video.frames, 24);
  EXPECT_EQ(video.size, cv::Size(512, 384));
  tinygltf::Model model;
  tinygltf::TinyGLTF loader;
  std::string error, warning;
  EXPECT_TRUE(loader.LoadBinaryFromFile(&model, &error, &warning, dir.File("out/home.glb"))) << error;
  std::string ply = ReadFileBytes(dir.File("out/home.ply"));
  EXPECT_NE(ply.find("element vertex " + std::to_string(512 * 384) + "\n"), std::string::npos);
}

TEST(ConvertCli, GivenDepthMapsIncludingBrokenValues) {
  DEPTHFORGE_REQUIRE_MIRROR_FILE(photo, "data/photos/home.jpg");
  testing::TempDir dir;
  cv::Mat1f depth(384, 512, 2.f);
  depth(cv::Rect(100, 100, 80, 80)).setTo(1.f);
  depth(0, 0) = std::nanf("");
  depth(0, 1) = INFINITY;
  depth(0, 2) = -1.f;
  depth(0, 3) = 0.f;
  WriteNpy(dir.File("depth.npy"), depth);
  auto broken = RunCli("convert " + photo + " -o " + dir.File("a") + " --depth " + dir.File("depth.npy") + " --as hsbs,glb -q");
  EXPECT_EQ(broken.exit_code, 0) << broken.output;
  EXPECT_TRUE(fs::exists(dir.File("a/home.hsbs.jpg")));

  WriteNpy(dir.File("flat.npy"), cv::Mat1f(384, 512, 3.f));  // constant: a flat picture at the screen
  auto flat = RunCli("convert " + photo + " -o " + dir.File("b") + " --depth " + dir.File("flat.npy") + " --as sbs,ply -q");
  EXPECT_EQ(flat.exit_code, 0) << flat.output;

  WriteNpy(dir.File("small.npy"), cv::Mat1f(100, 100, 3.f));
  auto small = RunCli("convert " + photo + " -o " + dir.File("c") + " --depth " + dir.File("small.npy") + " --as hsbs -q");
  EXPECT_EQ(small.exit_code, 1);
  EXPECT_THAT(small.output, HasSubstr(dir.File("small.npy") + ": depth map is 100x100 but the photo is 512x384"));
  EXPECT_EQ(testing::CountFiles(dir.File("c")), 0);

  WriteNpy(dir.File("empty.npy"), cv::Mat1f(384, 512, std::nanf("")));
  auto empty = RunCli("convert " + photo + " -o " + dir.File("d") + " --depth " + dir.File("empty.npy") + " --as hsbs -q");
  EXPECT_EQ(empty.exit_code, 1);
  EXPECT_THAT(empty.output, HasSubstr("no usable pixel"));
  EXPECT_EQ(testing::CountFiles(dir.File("d")), 0);
}

TEST(ConvertCli, BadOptionsAreOneClearLine) {
  DEPTHFORGE_REQUIRE_MIRROR_FILE(photo, "data/photos/home.jpg");
  testing::TempDir dir;
  auto name = RunCli("convert " + photo + " -o " + dir.File("o") + " --as hsbs,hologram");
  EXPECT_EQ(name.exit_code, 1);
  EXPECT_THAT(name.output, HasSubstr("unknown output 'hologram' for --as (known: sbs, hsbs"));
  auto strength = RunCli("convert " + photo + " -o " + dir.File("o") + " --as hsbs --strength 500");
  EXPECT_EQ(strength.exit_code, 1);
  EXPECT_THAT(strength.output, HasSubstr("stereo strength must be between 0 and 20 percent"));
  auto fov = RunCli("convert " + photo + " -o " + dir.File("o") + " --as ply --fov 0");
  EXPECT_EQ(fov.exit_code, 1);
  EXPECT_THAT(fov.output, HasSubstr("field of view must be between 1 and 179 degrees"));
  WriteFileBytes(dir.File("file"), "x");
  auto unwritable = RunCli("convert " + photo + " -o " + dir.File("file") + "/sub --as hsbs");
  EXPECT_EQ(unwritable.exit_code, 1);
  EXPECT_THAT(unwritable.output, HasSubstr("depthforge: error: " + dir.File("file") + "/sub"));
}

TEST(ViewCli, RightViewFromDisparityAndErrors) {
  DEPTHFORGE_REQUIRE_MIRROR_FILE(left, "data/stereo/middlebury2001/tsukuba/im3.png");
  testing::TempDir dir;
  cv::Mat1f disparity(288, 384, 5.f);
  WriteNpy(dir.File("d.npy"), disparity);
  auto ok = RunCli("view " + left + " --disparity " + dir.File("d.npy") + " --shift 1 -o " + dir.File("right.png"));
  ASSERT_EQ(ok.exit_code, 0) << ok.output;
  cv::Mat3b right = cv::imread(dir.File("right.png")), original = cv::imread(left);
  EXPECT_EQ(cv::norm(right(cv::Rect(0, 0, 370, 288)), original(cv::Rect(5, 0, 370, 288)), cv::NORM_INF), 0);

  auto both = RunCli("view " + left + " --disparity " + dir.File("d.npy") + " --depth " + dir.File("d.npy") +
                     " --shift 1 -o " + dir.File("x.png"));
  EXPECT_NE(both.exit_code, 0);
  WriteNpy(dir.File("wrong.npy"), cv::Mat1f(10, 10, 1.f));
  auto wrong = RunCli("view " + left + " --disparity " + dir.File("wrong.npy") + " --shift 1 -o " + dir.File("y.png"));
  EXPECT_EQ(wrong.exit_code, 1);
  EXPECT_THAT(wrong.output, HasSubstr("disparity map is 10x10 but"));
  EXPECT_FALSE(fs::exists(dir.File("y.png")));
}

}  // namespace
}  // namespace depthforge
