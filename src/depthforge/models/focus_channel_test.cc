#include "depthforge/models/focus_channel.h"

#include <gtest/gtest.h>

#include <opencv2/imgproc.hpp>

namespace depthforge {
namespace {

TEST(FocusChannel, DifferenceOfGaussiansInTheUnitRange) {
  cv::Mat3b image(120, 120);
  cv::randu(image, 0, 255);
  cv::Mat3b blurred;
  cv::GaussianBlur(image, blurred, {0, 0}, 4);
  blurred(cv::Rect(0, 0, 60, 120)).copyTo(image(cv::Rect(0, 0, 60, 120)));  // left half out of focus
  cv::Mat3f focus = FocusChannel(image);
  ASSERT_EQ(focus.size(), image.size());
  double lo, hi;
  cv::minMaxLoc(focus.reshape(1), &lo, &hi);
  EXPECT_GE(lo, 0.0);
  EXPECT_LE(hi, 1.0);
  EXPECT_NEAR(std::max(0.5 - lo, hi - 0.5), 0.5, 1e-5);  // scaled so the strongest response reaches the range's end
  cv::Scalar mean, deviation;
  cv::meanStdDev(focus.reshape(1), mean, deviation);
  EXPECT_GT(deviation[0], 0.01);  // texture gives a response
  EXPECT_EQ(cv::norm(focus, FocusChannel(image), cv::NORM_INF), 0);  // deterministic
  cv::Mat3f flat = FocusChannel(cv::Mat3b(60, 60, cv::Vec3b(7, 7, 7)));
  EXPECT_NEAR(cv::mean(flat)[0], 0.5, 1e-6);  // a flat photo: the neutral value
}

}  // namespace
}  // namespace depthforge
