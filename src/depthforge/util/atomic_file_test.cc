#include "depthforge/util/atomic_file.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>

#include "depthforge/core/error.h"
#include "depthforge/testing/test_util.h"
#include "depthforge/util/paths.h"

namespace depthforge {
namespace {
namespace fs = std::filesystem;
using ::testing::HasSubstr;

TEST(AtomicFile, StagedOutputsAppearTogetherOrNotAtAll) {
  testing::TempDir dir;
  {
    StagingDirectory stage(dir.path());
    WriteFileBytes(stage.PathFor("a.txt"), "a");
    WriteFileBytes(stage.PathFor("b.txt"), "b");
    EXPECT_EQ(testing::CountFiles(dir.path()), 0);  // nothing visible before the commit
    EXPECT_THAT(stage.Commit(), ::testing::ElementsAre(dir.File("a.txt"), dir.File("b.txt")));
  }
  EXPECT_EQ(ReadFileBytes(dir.File("b.txt")), "b");
  {
    StagingDirectory abandoned(dir.path());
    WriteFileBytes(abandoned.PathFor("c.txt"), "c");
  }  // an exception or an interruption: the stage goes, nothing appears
  EXPECT_FALSE(fs::exists(dir.File("c.txt")));
  EXPECT_EQ(std::distance(fs::directory_iterator(dir.path()), fs::directory_iterator()), 2);
  // A folder where an output goes fails the commit before anything moves.
  fs::create_directories(dir.File("e.txt"));
  StagingDirectory blocked(dir.path());
  WriteFileBytes(blocked.PathFor("d.txt"), "d");
  WriteFileBytes(blocked.PathFor("e.txt"), "e");
  EXPECT_THROW(blocked.Commit(), FileError);
  EXPECT_FALSE(fs::exists(dir.File("d.txt")));
}

TEST(AtomicFile, OnlyTheTemporariesOfDeadProcessesAreStale) {
  testing::TempDir dir;
  WriteFileBytes(dir.File(".tmp-999999999-0-photo.png"), "left by kill -9");  // no such process
  fs::create_directories(dir.File(".tmp-999999998-3-stage"));
  WriteFileBytes(dir.File(".tmp-999999998-3-stage/photo.npy"), "x");
  WriteFileBytes(dir.File(".tmp-1-0-photo.png"), "pid 1 runs");
  WriteFileBytes(dir.File("photo.png"), "a user's file");
  EXPECT_EQ(CleanStaleTemporaries(dir.path()), 2);
  EXPECT_TRUE(fs::exists(dir.File(".tmp-1-0-photo.png")));
  EXPECT_TRUE(fs::exists(dir.File("photo.png")));
  EXPECT_FALSE(fs::exists(dir.File(".tmp-999999998-3-stage")));
}

TEST(AtomicFile, ReadsRegularFilesOnly) {
  testing::TempDir dir;
  ASSERT_EQ(mkfifo(dir.File("pipe").c_str(), 0600), 0);
  EXPECT_THAT([&] { ReadFileBytes(dir.File("pipe")); },
              ::testing::ThrowsMessage<FileError>(HasSubstr("is not a regular file")));
  EXPECT_THAT([&] { ReadFileBytes(dir.path()); }, ::testing::ThrowsMessage<FileError>(HasSubstr("is a directory")));
  EXPECT_THAT([&] { ReadFileBytes(dir.File("missing")); }, ::testing::ThrowsMessage<FileError>(HasSubstr("no such file")));
  WriteFileBytes(dir.File("empty"), "");
  EXPECT_EQ(ReadFileBytes(dir.File("empty")), "");
}

// Whole files of any size, and files whose size the system does not tell
// (the kernel's /proc files say 0 bytes and have more).
TEST(AtomicFile, ReadsWholeFilesOfEverySize) {
  testing::TempDir dir;
  for (size_t size : {size_t(1), size_t(4095), size_t(4096), size_t(4097), size_t(3 << 20)}) {
    std::string bytes(size, '\0');
    for (size_t i = 0; i < size; ++i) bytes[i] = char((i * 131 + size) % 251);
    WriteFileBytes(dir.File("f.bin"), bytes);
    EXPECT_EQ(ReadFileBytes(dir.File("f.bin")), bytes) << size;
  }
  const std::string status = ReadFileBytes("/proc/self/status");
  EXPECT_NE(status.find("Name:"), std::string::npos);
  EXPECT_NE(status.find("VmRSS:"), std::string::npos);  // well past the first lines
}

TEST(AtomicFile, NeverReplacesAProtectedInput) {
  testing::TempDir dir;
  WriteFileBytes(dir.File("data.csv"), "image,depth\n");
  ProtectInput(dir.File("data.csv"));
  EXPECT_THAT([&] { WriteFileBytes(dir.path() + "/./data.csv", "report"); },
              ::testing::ThrowsMessage<FileError>(HasSubstr("would overwrite the input")));
  EXPECT_EQ(ReadFileBytes(dir.File("data.csv")), "image,depth\n");
  ClearProtectedInputs();
  WriteFileBytes(dir.File("data.csv"), "now allowed");
  EXPECT_EQ(ReadFileBytes(dir.File("data.csv")), "now allowed");
}

}  // namespace
}  // namespace depthforge
