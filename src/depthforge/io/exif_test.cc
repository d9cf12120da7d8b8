#include "depthforge/io/exif.h"

#include <gtest/gtest.h>

#include <opencv2/imgcodecs.hpp>

#include "depthforge/render/camera.h"

namespace depthforge {
namespace {

// A JPEG with an EXIF block: IFD0 points to an Exif IFD holding
// FocalLengthIn35mmFilm = 26 and FocalLength = 4.2 mm (little-endian TIFF).
std::string JpegWithExif() {
  std::vector<uchar> encoded;
  cv::imencode(".jpg", cv::Mat3b(30, 40, cv::Vec3b(1, 2, 3)), encoded);
  std::string tiff;
  auto u16 = [&](uint32_t v) { tiff += char(v & 0xff); tiff += char(v >> 8); };
  auto u32 = [&](uint32_t v) { u16(v & 0xffff); u16(v >> 16); };
  tiff += "II";
  u16(42);
  u32(8);                                    // IFD0 at 8
  u16(1);                                    // one entry
  u16(0x8769); u16(4); u32(1); u32(26);      // Exif IFD at 26
  u32(0);                                    // no next IFD
  u16(2);                                    // Exif IFD: two entries
  u16(0xA405); u16(3); u32(1); u16(26); u16(0);
  u16(0x920A); u16(5); u32(1); u32(56);      // rational at 56
  u32(0);
  u32(42); u32(10);                          // 4.2
  std::string app1 = std::string("Exif\0\0", 6) + tiff;
  std::string segment = "\xFF\xE1";
  segment += char((app1.size() + 2) >> 8);
  segment += char((app1.size() + 2) & 0xff);
  segment += app1;
  std::string jpeg(encoded.begin(), encoded.end());
  return jpeg.substr(0, 2) + segment + jpeg.substr(2);
}

TEST(Exif, ReadsFocalLengths) {
  ExifFocal focal = ReadExifFocal(JpegWithExif());
  ASSERT_TRUE(focal.focal_length_35mm.has_value());
  EXPECT_EQ(*focal.focal_length_35mm, 26.0);
  ASSERT_TRUE(focal.focal_length_mm.has_value());
  EXPECT_NEAR(*focal.focal_length_mm, 4.2, 1e-9);
  EXPECT_FALSE(ReadExifFocal("not a jpeg").focal_length_35mm.has_value());
  std::string cut = JpegWithExif().substr(0, 40);  // truncated inside the EXIF block
  EXPECT_FALSE(ReadExifFocal(cut).focal_length_mm.has_value());
}

TEST(Exif, IntrinsicsFollowThe35mmEquivalentFocalLength) {
  // 26 mm equivalent on a 4000x3000 photo: f = 26 / 43.27 * 5000 px.
  Intrinsics k = IntrinsicsForPhoto(JpegWithExif(), {4000, 3000}, 60);
  EXPECT_NEAR(k.fx, 26.0 / std::hypot(36.0, 24.0) * 5000.0, 1e-6);
  EXPECT_NE(k.source.find("EXIF"), std::string::npos);
  Intrinsics fallback = IntrinsicsForPhoto("", {640, 480}, 60);
  EXPECT_NEAR(fallback.fx, 320.0 / std::tan(CV_PI / 6), 1e-6);
}

}  // namespace
}  // namespace depthforge
