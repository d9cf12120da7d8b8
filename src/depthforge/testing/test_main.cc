#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>

int main(int argc, char** argv) {
  ::testing::InitGoogleTest(&argc, argv);
  // Tests never touch the user's model cache unless told to.
  if (std::getenv("DEPTHFORGE_HOME") == nullptr) {
    std::string home = (std::filesystem::temp_directory_path() / "depthforge-test-home").string();
    setenv("DEPTHFORGE_HOME", home.c_str(), 1);
  }
  return RUN_ALL_TESTS();
}
