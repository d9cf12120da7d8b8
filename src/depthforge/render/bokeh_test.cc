#include "depthforge/render/bokeh.h"

#include <gtest/gtest.h>

#include <opencv2/imgproc.hpp>

#include "depthforge/core/error.h"

namespace depthforge {
namespace {

// A white square in focus at 1 m on a textured wall at 5 m.
struct Scene {
  cv::Mat3b image = cv::Mat3b(80, 120);
  DepthMap depth;
  Scene() {
    for (int y = 0; y < 80; ++y)
      for (int x = 0; x < 120; ++x) image(y, x) = ((x / 4 + y / 4) % 2) ? cv::Vec3b(0, 0, 0) : cv::Vec3b(120, 120, 120);
    image(cv::Rect(40, 20, 40, 40)).setTo(cv::Scalar(255, 255, 255));
    depth.values = cv::Mat1f(80, 120, 5.f);
    depth.values(cv::Rect(40, 20, 40, 40)).setTo(1.f);
  }
};

TEST(Bokeh, SubjectStaysSharpBackgroundBlursWithoutHalo) {
  Scene scene;
  BokehOptions options;
  options.focus_point = cv::Point(60, 40);
  options.aperture = 6;
  cv::Mat3b out = RenderBokeh(scene.image, scene.depth, options);
  // The subject is untouched.
  EXPECT_LT(cv::norm(out(cv::Rect(42, 22, 36, 36)), scene.image(cv::Rect(42, 22, 36, 36)), cv::NORM_INF), 2);
  // The checkerboard wall is blurred towards its mean.
  cv::Mat1b grey;
  cv::cvtColor(out(cv::Rect(0, 0, 30, 80)), grey, cv::COLOR_BGR2GRAY);
  cv::Scalar mean, deviation;
  cv::meanStdDev(grey, mean, deviation);
  EXPECT_LT(deviation[0], 15);
  // No white halo of the sharp subject on the wall next to it.
  for (int x = 82; x < 90; ++x) EXPECT_LT(out(40, x)[0], 110) << x;
}

TEST(Bokeh, BadSettingsAreExplained) {
  Scene scene;
  BokehOptions options;
  options.focus_point = cv::Point(500, 10);
  EXPECT_THROW(RenderBokeh(scene.image, scene.depth, options), OptionError);
  options = {};
  options.focus_distance = -2;
  EXPECT_THROW(RenderBokeh(scene.image, scene.depth, options), OptionError);
  options = {};
  options.aperture = 1e6;
  EXPECT_THROW(RenderBokeh(scene.image, scene.depth, options), OptionError);
  DepthMap small;
  small.values = cv::Mat1f(10, 10, 1.f);
  EXPECT_THROW(RenderBokeh(scene.image, small, {}), Error);
}

}  // namespace
}  // namespace depthforge
