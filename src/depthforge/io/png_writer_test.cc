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

// libpng expands a palette image to the colours its indices name.
TEST(PngWriter, PaletteImagesRoundTripThroughLibpng) {
  cv::RNG rng(11);
  std::vector<cv::Vec3b> palette(200);
  for (auto& colour : palette) colour = cv::Vec3b(uchar(rng.uniform(0, 256)), uchar(rng.uniform(0, 256)), uchar(rng.uniform(0, 256)));
  cv::Mat1b indices(23, 41);
  rng.fill(indices, cv::RNG::UNIFORM, 0, 200);
  const std::string png = EncodePalettePng(indices, palette);
  EXPECT_EQ(png[8 + 8 + 9], 3) << "colour type: palette";
  cv::Mat back = Decode(png);
  ASSERT_EQ(back.type(), CV_8UC3);
  ASSERT_EQ(back.size(), indices.size());
  int wrong = 0;
  for (int y = 0; y < indices.rows; ++y) {
    for (int x = 0; x < indices.cols; ++x) wrong += back.at<cv::Vec3b>(y, x) != palette[indices(y, x)];
  }
  EXPECT_EQ(wrong, 0);
}

TEST(PngWriter, RejectsIndicesPastThePaletteAndOversizedPalettes) {
  cv::Mat1b indices(4, 4, uchar(2));
  indices(3, 3) = 7;
  try {
    EncodePalettePng(indices, std::vector<cv::Vec3b>(5));
    ADD_FAILURE() << "an index past the palette was written";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("index 7 is past the palette's 5 colours"), std::string::npos) << e.what();
  }
  EXPECT_THROW(EncodePalettePng(indices, std::vector<cv::Vec3b>(257)), Error);
  EXPECT_THROW(EncodePalettePng(indices, {}), Error);
  EXPECT_THROW(EncodePalettePng(cv::Mat1b(), std::vector<cv::Vec3b>(5)), Error);
}

// Rows of every width, including those narrower than a pixel's bytes and
// those that leave a remainder after the vectorised part of the filter.
TEST(PngWriter, FilterHandlesEveryRowWidth) {
  cv::RNG rng(3);
  for (int width = 1; width <= 70; ++width) {
    cv::Mat1w depth(3, width);
    rng.fill(depth, cv::RNG::UNIFORM, 0, 65535);
    cv::Mat3b color(3, width);
    rng.fill(color, cv::RNG::UNIFORM, 0, 255);
    EXPECT_EQ(cv::norm(Decode(EncodePng(depth)), depth, cv::NORM_INF), 0) << width;
    EXPECT_EQ(cv::norm(Decode(EncodePng(color)), color, cv::NORM_INF), 0) << width;
  }
}

TEST(PngWriter, RejectsUnsupportedTypes) {
  EXPECT_THROW(EncodePng(cv::Mat1f(4, 4, 1.f)), Error);
  EXPECT_THROW(EncodePng(cv::Mat()), Error);
}

}  // namespace
}  // namespace depthforge
