#include "depthforge/stereo/structured_light.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "depthforge/core/error.h"
#include "depthforge/io/npy.h"

#include <filesystem>
#include "depthforge/testing/test_util.h"
#include "depthforge/util/atomic_file.h"

namespace depthforge {
namespace {
using ::testing::HasSubstr;

// A simulated rig: a 400x300 camera at the origin with twice the
// projector's angular resolution (so it resolves the finest stripes), a
// 1024x768 projector 0.2 m to its left turned slightly inwards, and a scene
// of two planes (2.0 m and 1.3 m) and a sphere.
struct Rig {
  ProjectorCameraCalibration calibration;
  Rig() {
    calibration.camera_size = {400, 300};
    calibration.projector_size = {1024, 768};
    calibration.camera_matrix = cv::Matx33d(2200, 0, 200, 0, 2200, 150, 0, 0, 1);
    calibration.projector_matrix = cv::Matx33d(1100, 0, 512, 0, 1100, 384, 0, 0, 1);
    double angle = 5 * CV_PI / 180;  // turned towards the scene
    calibration.R = cv::Matx33d(std::cos(angle), 0, std::sin(angle), 0, 1, 0, -std::sin(angle), 0, std::cos(angle));
    calibration.T = calibration.R * cv::Vec3d(0.2, 0, 0);  // projector centre at x = -0.2 m
  }
  // Distance along the ray (z) to the scene, -1 for none.
  static double Hit(const cv::Vec3d& origin, const cv::Vec3d& direction) {
    double best = 1e9;
    auto plane = [&](double z, double x_max) {
      if (std::abs(direction[2]) < 1e-12) return;
      double t = (z - origin[2]) / direction[2];
      cv::Vec3d p = origin + t * direction;
      if (t > 1e-6 && p[0] < x_max) best = std::min(best, t);
    };
    plane(2.0, 1e9);
    plane(1.3, -0.06);  // a nearer panel on the left
    cv::Vec3d centre(0.06, 0.01, 1.6);
    double radius = 0.07;
    cv::Vec3d oc = origin - centre;
    double a = direction.dot(direction), b = 2 * oc.dot(direction), c = oc.dot(oc) - radius * radius;
    double disc = b * b - 4 * a * c;
    if (disc >= 0) {
      double t = (-b - std::sqrt(disc)) / (2 * a);
      if (t > 1e-6) best = std::min(best, t);
    }
    return best < 1e8 ? best : -1;
  }
  // The camera's view of one pattern, with shadows, blur and noise; and the true depth.
  cv::Mat1b Capture(const cv::Mat1b& pattern, std::mt19937& rng, cv::Mat1f* depth) const {
    const auto& c = calibration;
    cv::Mat1f image(c.camera_size, 0.f);
    if (depth) *depth = cv::Mat1f(c.camera_size, std::nanf(""));
    cv::Vec3d projector_centre = -(c.R.t() * c.T);
    for (int y = 0; y < image.rows; ++y) {
      for (int x = 0; x < image.cols; ++x) {
        cv::Vec3d ray = c.camera_matrix.inv() * cv::Vec3d(x, y, 1);
        double t = Hit({0, 0, 0}, ray);
        if (t < 0) continue;
        cv::Vec3d p = t * ray;
        if (depth) (*depth)(y, x) = float(p[2]);
        // Shadow: the projector's ray to p hits something nearer first.
        cv::Vec3d to_point = p - projector_centre;
        double s = Hit(projector_centre, to_point);
        if (s < 0.999) continue;
        cv::Vec3d q = c.projector_matrix * (c.R * p + c.T);
        int u = int(std::floor(q[0] / q[2] + 0.5)), v = int(std::floor(q[1] / q[2] + 0.5));
        if (u < 0 || v < 0 || u >= c.projector_size.width || v >= c.projector_size.height) continue;
        double albedo = 0.55 + 0.35 * ((int(p[0] * 40 + 100) + int(p[1] * 40 + 100)) % 2);
        image(y, x) = float(15 + albedo * pattern(v, u) * 0.9);
      }
    }
    cv::GaussianBlur(image, image, {0, 0}, 0.7);
    std::normal_distribution<float> noise(0.f, 2.f);
    for (auto& value : image) value += noise(rng);
    cv::Mat1b out;
    image.convertTo(out, CV_8U);
    return out;
  }
};

TEST(StructuredLight, GrayCodesAdjacentColumnsDifferInOneBit) {
  GrayCodePatterns p = MakeGrayCodePatterns({1024, 768});
  EXPECT_EQ(GrayBits(1024), 10);
  EXPECT_EQ(p.names.size(), 2u + 2 * (10 + 10));
  EXPECT_EQ(p.names[2], "col_bit09");
  for (int x = 0; x + 1 < 1024; ++x) {
    int changes = 0;
    for (size_t k = 2; k < 22; k += 2) changes += p.images[k](0, x) != p.images[k](0, x + 1);
    EXPECT_EQ(changes, 1) << x;
  }
}

TEST(StructuredLight, RecoversASimulatedSceneWithinOnePercent) {
  Rig rig;
  GrayCodePatterns patterns = MakeGrayCodePatterns(rig.calibration.projector_size);
  std::mt19937 rng(3);
  std::vector<cv::Mat> captures;
  cv::Mat1f truth;
  for (size_t i = 0; i < patterns.images.size(); ++i) captures.push_back(rig.Capture(patterns.images[i], rng, i == 0 ? &truth : nullptr));
  StructuredLightResult result = DecodeStructuredLight(captures, rig.calibration);
  int valid = 0, within = 0, seen = 0;
  for (int y = 0; y < truth.rows; ++y) {
    for (int x = 0; x < truth.cols; ++x) {
      if (std::isfinite(truth(y, x))) ++seen;
      if (!result.valid(y, x)) continue;
      ++valid;
      within += std::abs(result.depth(y, x) - truth(y, x)) < 0.01 * truth(y, x);
    }
  }
  std::printf("valid %d of %d pixels with a surface; %.2f%% of them within 1%%\n", valid, seen, 100.0 * within / valid);
  EXPECT_GT(valid, seen / 2);
  EXPECT_EQ(within, valid);  // every valid pixel within 1 %
  // Pixels in the projector's shadow (behind the sphere and the panel) are
  // marked invalid rather than guessed.
  EXPECT_LT(valid, seen);
}

TEST(StructuredLight, CommandLineDecodesCapturesToDepthFiles) {
  Rig rig;
  testing::TempDir dir;
  GrayCodePatterns patterns = MakeGrayCodePatterns(rig.calibration.projector_size);
  std::mt19937 rng(5);
  cv::Mat1f truth;
  for (size_t i = 0; i < patterns.images.size(); ++i) {
    cv::imwrite(dir.File(patterns.names[i] + ".png"), rig.Capture(patterns.images[i], rng, i == 0 ? &truth : nullptr));
  }
  WriteProjectorCameraCalibration(dir.File("rig.yml"), rig.calibration);
  auto decode = testing::RunCli("sl decode " + dir.path() + " --calib " + dir.File("rig.yml") + " -o " + dir.File("out"));
  ASSERT_EQ(decode.exit_code, 0) << decode.output;
  cv::Mat depth = ReadNpy(dir.File("out/scene.depth.npy")).ToFloatMat("depth");
  int valid = 0, within = 0;
  for (int y = 0; y < depth.rows; ++y)
    for (int x = 0; x < depth.cols; ++x) {
      float d = depth.at<float>(y, x);
      if (!std::isfinite(d)) continue;
      ++valid;
      within += std::abs(d - truth(y, x)) < 0.01 * truth(y, x);
    }
  EXPECT_GT(valid, 50000);
  EXPECT_EQ(within, valid);
  EXPECT_TRUE(std::filesystem::exists(dir.File("out/scene.valid.png")));
  EXPECT_TRUE(std::filesystem::exists(dir.File("out/scene.ply")));
  std::filesystem::remove(dir.File("row_bit03_inv.png"));
  auto missing = testing::RunCli("sl decode " + dir.path() + " --calib " + dir.File("rig.yml") + " -o " + dir.File("out2"));
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_THAT(missing.output, HasSubstr("the capture of pattern 'row_bit03_inv' is missing"));
}

TEST(StructuredLight, MissingCapturesAndBadCalibrationAreExplained) {
  testing::TempDir dir;
  GrayCodePatterns patterns = MakeGrayCodePatterns({64, 32});
  for (size_t i = 0; i + 1 < patterns.names.size(); ++i) cv::imwrite(dir.File(patterns.names[i] + ".png"), patterns.images[i]);
  EXPECT_THAT([&] { ReadCaptures(dir.path(), patterns.names); },
              ::testing::ThrowsMessage<FileError>(HasSubstr("the capture of pattern '" + patterns.names.back() + "' is missing")));
  Rig rig;
  EXPECT_THROW(DecodeStructuredLight(std::vector<cv::Mat>(3, cv::Mat1b(4, 4)), rig.calibration), Error);
  WriteProjectorCameraCalibration(dir.File("rig.yml"), rig.calibration);
  ProjectorCameraCalibration back = ReadProjectorCameraCalibration(dir.File("rig.yml"));
  EXPECT_NEAR(back.T[0], rig.calibration.T[0], 1e-12);
  WriteFileBytes(dir.File("bad.yml"), "%YAML:1.0\ncamera_width: 320\ncamera_height: 240\nprojector_width: 64\nprojector_height: 32\n");
  EXPECT_THAT([&] { ReadProjectorCameraCalibration(dir.File("bad.yml")); },
              ::testing::ThrowsMessage<FileError>(HasSubstr("missing matrix camera_matrix")));
}

}  // namespace
}  // namespace depthforge
