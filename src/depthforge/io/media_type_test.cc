#include "depthforge/io/media_type.h"

#include <gtest/gtest.h>

#include "depthforge/testing/test_util.h"
#include "depthforge/util/atomic_file.h"

namespace depthforge {
namespace {

TEST(MediaType, KnowsFilesByTheirFirstBytes) {
  EXPECT_EQ(SniffMediaType(std::string("\xFF\xD8\xFF\xE0", 4) + "JFIF").mime, "image/jpeg");
  EXPECT_EQ(SniffMediaType("\x89PNG\r\n\x1A\n....").kind, MediaKind::kImage);
  EXPECT_EQ(SniffMediaType(std::string("RIFF\x10\0\0\0WEBPVP8 ", 16)).mime, "image/webp");
  EXPECT_EQ(SniffMediaType(std::string("\0\0\0\x20" "ftypisom\0\0\2\0", 16)).mime, "video/mp4");
  EXPECT_EQ(SniffMediaType(std::string("\0\0\0\x14" "ftypqt  \0\0\0\0", 16)).extension, ".mov");
  EXPECT_EQ(SniffMediaType(std::string("\0\0\0\x18" "ftypheic\0\0\0\0", 16)).kind, MediaKind::kUnknown);  // a HEIF photo
  EXPECT_EQ(SniffMediaType("\x1A\x45\xDF\xA3\x9F\x42\x86\x81\x01\x42\x82\x84webm").mime, "video/webm");
  EXPECT_EQ(SniffMediaType(std::string("RIFF\x10\0\0\0AVI LIST", 16)).kind, MediaKind::kVideo);
  EXPECT_EQ(SniffMediaType("P6\n640 480\n255\n").kind, MediaKind::kImage);
  // Text, scripts and archives are not media, whatever they are called.
  EXPECT_EQ(SniffMediaType("<html><script>alert(1)</script>").kind, MediaKind::kUnknown);
  EXPECT_EQ(SniffMediaType("PK\3\4 a zip").kind, MediaKind::kUnknown);
  EXPECT_EQ(SniffMediaType("").kind, MediaKind::kUnknown);
  EXPECT_EQ(SniffMediaType("P6").kind, MediaKind::kUnknown);
}

TEST(MediaType, RealPhotosAndVideos) {
  const std::string photo = testing::MirrorFile("data/photos/home.jpg");
  const std::string video = testing::MirrorFile("data/video/tree.avi");
  if (photo.empty() || video.empty()) GTEST_SKIP() << "needs the data mirror";
  EXPECT_EQ(SniffMediaType(ReadFileBytes(photo).substr(0, 64)).mime, "image/jpeg");
  EXPECT_EQ(SniffMediaType(ReadFileBytes(video).substr(0, 64)).mime, "video/x-msvideo");
}

TEST(MediaType, ContentTypesForWhatDepthforgeWrites) {
  EXPECT_EQ(ContentTypeForExtension(".glb"), "model/gltf-binary");
  EXPECT_EQ(ContentTypeForExtension(".MP4"), "video/mp4");
  EXPECT_EQ(ContentTypeForExtension(".png"), "image/png");
  EXPECT_EQ(ContentTypeForExtension(".xyz"), "application/octet-stream");
}

}  // namespace
}  // namespace depthforge
