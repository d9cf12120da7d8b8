// ONNX models from the command line, as a user runs them: a model file
// with its sidecar, the registry's ONNX entries, and --align-to.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>

#include "depthforge/io/npy.h"
#include "depthforge/testing/test_util.h"
#include "depthforge/util/atomic_file.h"

namespace depthforge {
namespace {
namespace fs = std::filesystem;
using ::testing::HasSubstr;
using testing::RunCli;

// metric_net (testing/onnx_fixtures.py): a small conv net exported by
// PyTorch, its sidecar (ImageNet mean/std, metric output ×8), a 64×48 PNG
// and the depth PyTorch computes for it from the PNG's pixels.
struct MetricNet {
  std::string onnx, sidecar, photo, expected;
};

MetricNet CopyMetricNet(const testing::TempDir& dir, const std::string& name) {
  const std::string from = testing::OnnxFixtureDir() + "/metric_net";
  MetricNet net{dir.File(name + ".onnx"), dir.File(name + ".json"), dir.File("photo.png"), from + ".expected.npy"};
  fs::copy_file(from + ".onnx", net.onnx, fs::copy_options::overwrite_existing);
  fs::copy_file(from + ".json", net.sidecar, fs::copy_options::overwrite_existing);
  fs::copy_file(from + ".png", net.photo, fs::copy_options::overwrite_existing);
  return net;
}

TEST(OnnxCli, DepthOfAnOnnxModelReproducesAnIndependentComputation) {
  testing::TempDir dir;
  MetricNet net = CopyMetricNet(dir, "metric_net");
  auto result = RunCli("depth " + net.photo + " -o " + dir.File("out") + " --model " + net.onnx +
                       " --framing full --size 64x48 --no-refine --format npy -q");
  ASSERT_EQ(result.exit_code, 0) << result.output;
  cv::Mat got = ReadNpy(dir.File("out/photo.npy")).ToFloatMat("got");
  cv::Mat expected = ReadNpy(net.expected).ToFloatMat("expected");
  ASSERT_EQ(got.size(), expected.size());
  EXPECT_LE(cv::norm(got, expected, cv::NORM_INF), 1e-3) << "metres";
  double low = 0, high = 0;
  cv::minMaxLoc(expected, &low, &high);
  EXPECT_GT(high - low, 0.5) << "the reference varies over the photo";
}

TEST(OnnxCli, SidecarProblemsAreClearErrors) {
  testing::TempDir dir;
  MetricNet net = CopyMetricNet(dir, "net");
  const std::string depth = "depth " + net.photo + " -o " + dir.File("out") + " --model " + net.onnx + " -q";
  auto expect_error = [&](const std::string& sidecar_text, const std::string& message) {
    if (sidecar_text.empty()) fs::remove(net.sidecar);
    else WriteFileBytes(net.sidecar, sidecar_text);
    auto result = RunCli(depth);
    EXPECT_EQ(result.exit_code, 1) << result.output;
    EXPECT_THAT(result.output, HasSubstr(net.sidecar)) << "names the sidecar";
    EXPECT_THAT(result.output, HasSubstr(message));
    EXPECT_FALSE(fs::exists(dir.File("out/photo.npy")));
  };
  expect_error("", "missing: an ONNX model needs a sidecar");
  expect_error("{\"input_size\": [64, 48], ", "not valid JSON");
  expect_error("{\"input_size\": [64, 48], \"output\": \"metres\"}", "\"output\" must be \"metric\" or \"inverse-relative\"");
  expect_error("{\"input_size\": [64, 48], \"output\": \"metric\", \"mean\": [0.5, 0.5]}", "\"mean\" must be 3 numbers");
  expect_error("{\"output\": \"metric\"}", "\"input_size\" is missing");
  expect_error("{\"input_size\": [64, 48], \"output\": \"metric\", \"colour\": \"RGB\"}", "\"colour\" is not a sidecar key");
  // Not an ONNX file at all, with a good sidecar.
  CopyMetricNet(dir, "net");
  WriteFileBytes(net.onnx, "GIF89a not a network");
  auto broken = RunCli(depth);
  EXPECT_EQ(broken.exit_code, 1);
  EXPECT_THAT(broken.output, HasSubstr(net.onnx + ": not an ONNX model"));
}

TEST(OnnxCli, RelativeModelsSaySoAndAlignToGivesMetres) {
  DEPTHFORGE_REQUIRE_MIRROR_FILE(photo, "data/photos/home.jpg");
  testing::TempDir dir;
  MetricNet net = CopyMetricNet(dir, "relative_net");
  // The same network declared as giving relative inverse depth.
  WriteFileBytes(net.sidecar, "{\"input_size\": [64, 48], \"multiple_of\": 4, \"mean\": [0.485, 0.456, 0.406], "
                              "\"std\": [0.229, 0.224, 0.225], \"output\": \"inverse-relative\"}");
  auto relative = RunCli("depth " + photo + " -o " + dir.File("relative") + " --model " + net.onnx + " --format npy");
  ASSERT_EQ(relative.exit_code, 0) << relative.output;
  EXPECT_THAT(relative.output, HasSubstr("relative inverse depth, not metres"));
  cv::Mat r = ReadNpy(dir.File("relative/home.npy")).ToFloatMat("r");
  double low = 0, high = 0;
  cv::minMaxLoc(r, &low, &high);
  // Normalised at the network's resolution (nearest 1, farthest 0.001);
  // upsampling to the photo's size stays inside that range.
  EXPECT_LE(high, 1.0 + 1e-6);
  EXPECT_GT(high, 0.9);
  EXPECT_GE(low, 1e-3 - 1e-6);
  EXPECT_LT(low, 0.1);
  auto aligned = RunCli("depth " + photo + " -o " + dir.File("aligned") + " --model " + net.onnx + " --align-to --format npy -q");
  ASSERT_EQ(aligned.exit_code, 0) << aligned.output;
  EXPECT_THAT(aligned.output, ::testing::Not(HasSubstr("not metres")));
  cv::Mat m = ReadNpy(dir.File("aligned/home.npy")).ToFloatMat("m");
  EXPECT_EQ(m.size(), r.size());
  // Metres at FastDepth's scale; nearer where the relative map says nearer.
  EXPECT_GT(cv::mean(m)[0], 0.3);
  EXPECT_LT(cv::mean(m)[0], 50.0);
  cv::Point nearest, farthest;
  cv::minMaxLoc(r, nullptr, nullptr, &farthest, &nearest);
  EXPECT_LT(m.at<float>(nearest), m.at<float>(farthest));
  // An aligned metric model is refused with a reason.
  auto twice = RunCli("depth " + photo + " -o " + dir.File("twice") + " --align-to -q");
  EXPECT_EQ(twice.exit_code, 1);
  EXPECT_THAT(twice.output, HasSubstr("already gives metric_depth"));
}

TEST(OnnxCli, RegistryListsTheOnnxModelsAndSaysWhereToGetThem) {
  testing::TempDir home;
  const std::string cli = DEPTHFORGE_CLI_PATH;
  auto list = testing::RunCommand("DEPTHFORGE_HOME=" + home.path() + " " + cli + " models list");
  ASSERT_EQ(list.exit_code, 0) << list.output;
  EXPECT_THAT(list.output, HasSubstr("midas-small"));
  EXPECT_THAT(list.output, HasSubstr("licence MIT (isl-org/MiDaS)"));
  EXPECT_THAT(list.output, HasSubstr("depth-anything-v2-small"));
  EXPECT_THAT(list.output, HasSubstr("licence Apache-2.0"));
  EXPECT_THAT(list.output, HasSubstr("Relative inverse depth"));
  // Offline and not mirrored: the error names the URL and the cache path.
  auto offline = testing::RunCommand("DEPTHFORGE_HOME=" + home.path() + " DEPTHFORGE_MIRROR=" + home.path() +
                                     " http_proxy=http://127.0.0.1:1 https_proxy=http://127.0.0.1:1 " + cli +
                                     " depth " + testing::OnnxFixtureDir() + "/metric_net.png -o " + home.File("out") +
                                     " --model depth-anything-v2-small");
  EXPECT_EQ(offline.exit_code, 1);
  EXPECT_THAT(offline.output, HasSubstr("https://huggingface.co/onnx-community/depth-anything-v2-small/resolve/"
                                        "4472b7362082ad9968fee890ca0f1e5aca36b93d/onnx/model.onnx"));
}

}  // namespace
}  // namespace depthforge
