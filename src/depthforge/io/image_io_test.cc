#include "depthforge/io/image_io.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>

#include <opencv2/imgcodecs.hpp>

#include "depthforge/core/error.h"
#include "depthforge/testing/test_util.h"
#include "depthforge/util/atomic_file.h"

namespace depthforge {
namespace {

using ::testing::HasSubstr;

std::string Encode(const cv::Mat& image, const std::string& extension) {
  std::vector<uchar> bytes;
  cv::imencode(extension, image, bytes);
  return std::string(bytes.begin(), bytes.end());
}

cv::Mat3b Gradient(int rows = 48, int cols = 64) {
  cv::Mat3b image(rows, cols);
  for (int y = 0; y < rows; ++y)
    for (int x = 0; x < cols; ++x) image(y, x) = cv::Vec3b(uchar(x * 4), uchar(y * 5), uchar((x + y) * 2));
  return image;
}

std::string ErrorOf(const std::function<void()>& action) {
  try {
    action();
  } catch (const FileError& e) {
    return e.what();
  }
  return "no error";
}

TEST(ImageIo, ReadsJpegAndPngAndProbesHeaders) {
  testing::TempDir dir;
  for (const std::string ext : {".png", ".jpg", ".bmp", ".ppm"}) {
    std::string bytes = Encode(Gradient(), ext);
    auto header = ProbeImageHeader(bytes);
    ASSERT_TRUE(header.has_value()) << ext;
    EXPECT_EQ(header->width, 64) << ext;
    EXPECT_EQ(header->height, 48) << ext;
    WriteFileBytes(dir.File("a" + ext), bytes);
    cv::Mat3b image = ReadImage(dir.File("a" + ext));
    EXPECT_EQ(image.size(), cv::Size(64, 48)) << ext;
  }
}

TEST(ImageIo, MissingFileNamesThePath) {
  EXPECT_THAT(ErrorOf([] { ReadImage("/nonexistent/photo.jpg"); }), HasSubstr("/nonexistent/photo.jpg: no such file"));
}

TEST(ImageIo, ZeroSizeFile) {
  testing::TempDir dir;
  std::ofstream(dir.File("empty.jpg")).close();
  EXPECT_THAT(ErrorOf([&] { ReadImage(dir.File("empty.jpg")); }), HasSubstr("empty file (0 bytes)"));
}

TEST(ImageIo, NotAnImage) {
  testing::TempDir dir;
  std::ofstream(dir.File("notes.jpg")) << "this is a text file, not a photo\n";
  EXPECT_THAT(ErrorOf([&] { ReadImage(dir.File("notes.jpg")); }), HasSubstr("not an image"));
}

TEST(ImageIo, DirectoryIsNotAFile) {
  testing::TempDir dir;
  EXPECT_THAT(ErrorOf([&] { ReadImage(dir.path()); }), HasSubstr("is a directory"));
}

TEST(ImageIo, TruncatedJpegIsRefusedNotDecodedToGrey) {
  std::string bytes = Encode(Gradient(240, 320), ".jpg");
  std::string truncated = bytes.substr(0, bytes.size() / 2);
  EXPECT_THAT(ErrorOf([&] { DecodeImage(truncated, "cut.jpg"); }), HasSubstr("cut.jpg: truncated jpeg"));
  // Only the end-of-image marker missing is still truncated.
  EXPECT_THAT(ErrorOf([&] { DecodeImage(bytes.substr(0, bytes.size() - 2), "cut.jpg"); }), HasSubstr("truncated"));
  // Trailing bytes after the end marker (camera trailers) are fine.
  EXPECT_NO_THROW(DecodeImage(bytes + std::string(100, 'x'), "trailer.jpg"));
}

TEST(ImageIo, TruncatedPngIsRefused) {
  std::string bytes = Encode(Gradient(240, 320), ".png");
  EXPECT_THAT(ErrorOf([&] { DecodeImage(bytes.substr(0, bytes.size() - 100), "cut.png"); }),
              HasSubstr("cut.png: truncated png"));
}

TEST(ImageIo, HugePngHeaderIsRefusedBeforeDecoding) {
  // A valid PNG signature and IHDR claiming 50000x50000, and nothing else:
  // the check must come from the header, before any allocation.
  std::string bytes = Encode(Gradient(2, 2), ".png");
  auto put32 = [&](size_t at, uint32_t v) {
    for (int i = 0; i < 4; ++i) bytes[at + size_t(i)] = char(v >> (24 - 8 * i));
  };
  put32(16, 50000);
  put32(20, 50000);
  std::string error = ErrorOf([&] { DecodeImage(bytes, "huge.png"); });
  EXPECT_THAT(error, HasSubstr("huge.png: 50000x50000 pixels is larger than the limit of 120 megapixels"));
}

TEST(ImageIo, HugeJpegHeaderIsRefused) {
  std::string bytes = Encode(Gradient(8, 8), ".jpg");
  // Patch the SOF0 frame size.
  size_t sof = bytes.find("\xFF\xC0");
  ASSERT_NE(sof, std::string::npos);
  bytes[sof + 5] = char(0xC3); bytes[sof + 6] = char(0x50);  // height 50000
  bytes[sof + 7] = char(0xC3); bytes[sof + 8] = char(0x50);  // width 50000
  EXPECT_THAT(ErrorOf([&] { DecodeImage(bytes, "huge.jpg"); }), HasSubstr("50000x50000"));
}

TEST(ImageIo, GreyRgbaAnd16BitAreConvertedToBgr) {
  cv::Mat1b grey(10, 12, uchar(100));
  cv::Mat3b from_grey = DecodeImage(Encode(grey, ".png"), "grey.png");
  EXPECT_EQ(from_grey(5, 5), cv::Vec3b(100, 100, 100));

  cv::Mat4b rgba(10, 12, cv::Vec4b(10, 20, 30, 0));
  cv::Mat3b from_rgba = DecodeImage(Encode(rgba, ".png"), "rgba.png");
  EXPECT_EQ(from_rgba(5, 5), cv::Vec3b(10, 20, 30));

  cv::Mat3w deep(10, 12, cv::Vec3w(65535, 32896, 0));
  cv::Mat3b from_deep = DecodeImage(Encode(deep, ".png"), "deep.png");
  EXPECT_EQ(from_deep(5, 5), cv::Vec3b(255, 128, 0));

  cv::Mat1w deep_grey(10, 12, uint16_t(257 * 40));
  EXPECT_EQ(DecodeImage(Encode(deep_grey, ".png"), "g16.png")(0, 0), cv::Vec3b(40, 40, 40));
}

TEST(ImageIo, OptionsCheckExplainsBadLimit) {
  ImageReadOptions options;
  options.max_pixels = 0;
  EXPECT_THROW(options.Check(), OptionError);
}

TEST(ImageIo, WriteImageIsAtomicAndReportsBadDirectory) {
  testing::TempDir dir;
  WriteImage(dir.File("ok.png"), Gradient());
  EXPECT_EQ(testing::CountFiles(dir.path()), 1);
  EXPECT_THROW(WriteImage(dir.File("missing/dir/x.png"), Gradient()), FileError);
  EXPECT_EQ(testing::CountFiles(dir.path()), 1);
}

}  // namespace
}  // namespace depthforge
