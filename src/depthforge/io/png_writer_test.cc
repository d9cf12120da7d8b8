#include "depthforge/io/png_writer.h"

#include <gtest/gtest.h>

#include <opencv2/imgcodecs.hpp>

#include "depthforge/core/error.h"
#include "depthforge/io/image_io.h"

namespace depthforge {
namespace {

cv::Mat Decode(const std::string& png) {
  return cv::imdecode(cv::Mat(1, int(png.size()), CV_8U, const_cast<char*>(png.data())), cv::IMREAD_UNCHANGED);
}

// libpng (through OpenCV) must read back exactly what we wrote.
TEST(PngWriter, RoundTripsThroughLibpng) {
  cv::RNG rng(7);
  cv::Mat1w depth(37, 53);
  rng.fill(depth, cv::RNG::UNIFORM, 0, 65535);
  cv::Mat3b color(20, 31);
  rng.fill(color, cv::RNG::UNIFORM, 0, 255);
  cv::Mat1b grey(9, 8);
  rng.fill(grey, cv::RNG::UNIFORM, 0, 255);
  cv::Mat4b rgba(5, 6);
  rng.fill(rgba, cv::RNG::UNIFORM, 0, 255);
  for (const cv::Mat& image : std::vector<cv::Mat>{depth, color, grey, rgba}) {
    cv::Mat back = Decode(EncodePng(image));
    ASSERT_EQ(back.type(), image.type());
    EXPECT_EQ(cv::norm(back, image, cv::NORM_INF), 0);
  }
}

TEST(PngWriter, RejectsUnsupportedTypes) {
  EXPECT_THROW(EncodePng(cv::Mat1f(4, 4, 1.f)), Error);
  EXPECT_THROW(EncodePng(cv::Mat()), Error);
}

}  // namespace
}  // namespace depthforge
