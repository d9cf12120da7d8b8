#include "depthforge/io/image_codec.h"

#include <gtest/gtest.h>

#include <opencv2/imgcodecs.hpp>

#include "depthforge/testing/test_util.h"
#include "depthforge/util/atomic_file.h"

namespace depthforge {
namespace {

// OpenCV's own decoder is the reference: depthforge's JPEG and PNG paths
// must give the very same pixels.
cv::Mat OpenCvDecode(const std::string& bytes, int flags) {
  return cv::imdecode(cv::Mat(1, int(bytes.size()), CV_8U, const_cast<char*>(bytes.data())), flags);
}

void ExpectSamePixels(const cv::Mat& got, const cv::Mat& expected, const std::string& what) {
  ASSERT_FALSE(got.empty()) << what;
  ASSERT_EQ(got.size(), expected.size()) << what;
  ASSERT_EQ(got.type(), expected.type()) << what;
  EXPECT_EQ(cv::norm(got, expected, cv::NORM_INF), 0) << what;
}

cv::Mat TestPicture(int type) {
  cv::Mat picture(37, 53, type);
  cv::randu(picture, 0, CV_MAT_DEPTH(type) == CV_16U ? 65535 : 255);
  return picture;
}

std::string Encode(const std::string& extension, const cv::Mat& image, const std::vector<int>& params = {}) {
  std::vector<uchar> bytes;
  EXPECT_TRUE(cv::imencode(extension, image, bytes, params));
  return std::string(bytes.begin(), bytes.end());
}

// A JPEG with an APP1 EXIF block whose IFD0 holds only an orientation.
std::string WithOrientation(const std::string& jpeg, int orientation) {
  std::string tiff = std::string("II*\0", 4) + std::string("\x08\0\0\0", 4);
  auto u16 = [&](int v) { tiff += char(v & 0xff), tiff += char((v >> 8) & 0xff); };
  auto u32 = [&](int v) { u16(v & 0xffff), u16((v >> 16) & 0xffff); };
  u16(1);                                  // one entry
  u16(0x0112); u16(3); u32(1); u16(orientation); u16(0);
  u32(0);                                  // no next IFD
  std::string app1 = std::string("Exif\0\0", 6) + tiff;
  const size_t length = app1.size() + 2;
  return jpeg.substr(0, 2) + "\xFF\xE1" + char(length >> 8) + char(length & 0xff) + app1 + jpeg.substr(2);
}

TEST(ImageCodec, RealPhotosDecodeAsOpenCvDecodesThem) {
  DEPTHFORGE_REQUIRE_MIRROR_FILE(home, "data/photos/home.jpg");
  for (const char* name : {"data/photos/home.jpg", "data/photos/fruits.jpg", "data/rgbd/color/00000.jpg"}) {
    const std::string path = testing::MirrorFile(name);
    if (path.empty()) continue;
    const std::string bytes = ReadFileBytes(path);
    ExpectSamePixels(DecodeImageBytes(bytes, DecodeMode::kColor), OpenCvDecode(bytes, cv::IMREAD_COLOR | cv::IMREAD_ANYDEPTH), name);
    ExpectSamePixels(DecodeImageBytes(bytes, DecodeMode::kGrey), OpenCvDecode(bytes, cv::IMREAD_GRAYSCALE), name);
  }
}

TEST(ImageCodec, EveryExifOrientationTurnsThePictureAsOpenCvDoes) {
  const std::string jpeg = Encode(".jpg", TestPicture(CV_8UC3), {cv::IMWRITE_JPEG_QUALITY, 95});
  for (int orientation = 1; orientation <= 8; ++orientation) {
    const std::string bytes = WithOrientation(jpeg, orientation);
    cv::Mat expected = OpenCvDecode(bytes, cv::IMREAD_COLOR);
    ExpectSamePixels(DecodeImageBytes(bytes, DecodeMode::kColor), expected, "orientation " + std::to_string(orientation));
    if (orientation >= 5) EXPECT_EQ(expected.size(), cv::Size(37, 53)) << "turned a quarter";
    // Unchanged: as stored, no turn.
    EXPECT_EQ(DecodeImageBytes(bytes, DecodeMode::kUnchanged).size(), cv::Size(53, 37));
  }
}

TEST(ImageCodec, EveryKindOfPngDecodesAsOpenCvDecodesIt) {
  for (int type : {CV_8UC1, CV_8UC3, CV_8UC4, CV_16UC1, CV_16UC3, CV_16UC4}) {
    const std::string bytes = Encode(".png", TestPicture(type));
    const std::string what = "type " + std::to_string(type);
    ExpectSamePixels(DecodeImageBytes(bytes, DecodeMode::kColor), OpenCvDecode(bytes, cv::IMREAD_COLOR | cv::IMREAD_ANYDEPTH), what);
    ExpectSamePixels(DecodeImageBytes(bytes, DecodeMode::kUnchanged), OpenCvDecode(bytes, cv::IMREAD_UNCHANGED), what);
  }
  // A palette PNG and a 1-bit one (OpenCV writes them when asked for bilevel).
  const std::string bilevel = Encode(".png", TestPicture(CV_8UC1) > 128, {cv::IMWRITE_PNG_BILEVEL, 1});
  ExpectSamePixels(DecodeImageBytes(bilevel, DecodeMode::kColor), OpenCvDecode(bilevel, cv::IMREAD_COLOR), "bilevel");
  ExpectSamePixels(DecodeImageBytes(bilevel, DecodeMode::kUnchanged), OpenCvDecode(bilevel, cv::IMREAD_UNCHANGED), "bilevel");
}

TEST(ImageCodec, OtherFormatsGoThroughOpenCvAndDamageIsAnEmptyImage) {
  cv::Mat picture = TestPicture(CV_8UC3);
  for (const char* extension : {".bmp", ".ppm", ".tiff", ".webp"}) {
    const std::string bytes = Encode(extension, picture, std::string(extension) == ".webp" ? std::vector<int>{cv::IMWRITE_WEBP_QUALITY, 101} : std::vector<int>{});
    ExpectSamePixels(DecodeImageBytes(bytes, DecodeMode::kColor), OpenCvDecode(bytes, cv::IMREAD_COLOR), extension);
  }
  EXPECT_TRUE(DecodeImageBytes("not an image at all", DecodeMode::kColor).empty());
  const std::string jpeg = Encode(".jpg", picture);
  EXPECT_TRUE(DecodeImageBytes(jpeg.substr(0, 200) + std::string(200, '\x13'), DecodeMode::kColor).empty() ||
              DecodeImageBytes(jpeg.substr(0, 200) + std::string(200, '\x13'), DecodeMode::kColor).size() == picture.size());
  const std::string png = Encode(".png", picture);
  EXPECT_TRUE(DecodeImageBytes(png.substr(0, png.size() / 2), DecodeMode::kColor).empty());
}

TEST(ImageCodec, WritesJpegAndPngThatOpenCvReadsBack) {
  testing::TempDir dir;
  // A smooth picture, written by depthforge and by OpenCV at quality 90:
  // the same encoder settings (4:2:0, accurate DCT) give pixels within one
  // level of each other.
  cv::Mat3b smooth(120, 160);
  for (int y = 0; y < smooth.rows; ++y) {
    for (int x = 0; x < smooth.cols; ++x) smooth(y, x) = cv::Vec3b(uchar(x), uchar(y * 2), uchar((x + y) / 2));
  }
  ASSERT_TRUE(EncodeImageFile(dir.File("a.jpg"), smooth, {cv::IMWRITE_JPEG_QUALITY, 90}));
  cv::Mat ours = cv::imread(dir.File("a.jpg"));
  cv::Mat theirs = OpenCvDecode(Encode(".jpg", smooth, {cv::IMWRITE_JPEG_QUALITY, 90}), cv::IMREAD_COLOR);
  ASSERT_EQ(ours.size(), theirs.size());
  EXPECT_LE(cv::norm(ours, theirs, cv::NORM_INF), 1);
  EXPECT_LT(cv::norm(ours, cv::Mat(smooth), cv::NORM_L1) / double(smooth.total() * 3), 2.0);
  for (int type : {CV_8UC1, CV_8UC3, CV_8UC4, CV_16UC1}) {
    cv::Mat image = TestPicture(type);
    ASSERT_TRUE(EncodeImageFile(dir.File("b.png"), image));
    ExpectSamePixels(cv::imread(dir.File("b.png"), cv::IMREAD_UNCHANGED), image, "png type " + std::to_string(type));
  }
  cv::Mat picture = TestPicture(CV_8UC3);
  ASSERT_TRUE(EncodeImageFile(dir.File("c.bmp"), picture));  // through OpenCV
  ExpectSamePixels(cv::imread(dir.File("c.bmp")), picture, "bmp");
  EXPECT_TRUE(HaveImageWriter("x.JPG"));
  EXPECT_FALSE(HaveImageWriter("x.gif"));
}

}  // namespace
}  // namespace depthforge
