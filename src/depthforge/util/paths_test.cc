#include "depthforge/util/paths.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>

#include "depthforge/core/error.h"
#include "depthforge/testing/test_util.h"
#include "depthforge/util/atomic_file.h"

namespace depthforge {
namespace {
namespace fs = std::filesystem;
using ::testing::HasSubstr;

TEST(Paths, InputsAreRecognisedThroughLinksAndOtherSpellings) {
  testing::TempDir dir;
  WriteFileBytes(dir.File("photo.png"), "pixels");
  fs::create_symlink(dir.File("photo.png"), dir.File("link.png"));
  ProtectInput(dir.File("link.png"));
  EXPECT_THROW(CheckNotAnInput(dir.File("photo.png")), FileError);
  EXPECT_THROW(CheckNotAnInput(dir.path() + "/sub/../photo.png"), FileError);
  EXPECT_NO_THROW(CheckNotAnInput(dir.File("photo.depth.png")));
  ClearProtectedInputs();
  EXPECT_NO_THROW(CheckNotAnInput(dir.File("photo.png")));
}

TEST(Paths, OutputFilesGetTheirFolderBeforeTheWork) {
  testing::TempDir dir;
  PrepareOutputFile(dir.File("a/b/report.json"));
  EXPECT_TRUE(fs::is_directory(dir.File("a/b")));
  fs::create_directories(dir.File("folder"));
  EXPECT_THAT([&] { PrepareOutputFile(dir.File("folder")); }, ::testing::ThrowsMessage<FileError>(HasSubstr("is a folder")));
  WriteFileBytes(dir.File("file"), "x");
  EXPECT_THAT([&] { EnsureWritableDirectory(dir.File("file")); },
              ::testing::ThrowsMessage<FileError>(HasSubstr("exists and is not a directory")));
  EXPECT_EQ(FileStem("a/b/photo.jpg"), "photo");
}

}  // namespace
}  // namespace depthforge
