#include "depthforge/util/sha256.h"

#include <gtest/gtest.h>

#include <fstream>

#include "depthforge/core/error.h"
#include "depthforge/testing/test_util.h"

namespace depthforge {
namespace {

std::string Digest(const std::string& text) {
  Sha256 hash;
  hash.Update(text);
  return hash.HexDigest();
}

TEST(Sha256, MatchesFipsVectors) {
  EXPECT_EQ(Digest(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(Digest("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(Digest("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"),
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
}

TEST(Sha256, SplitUpdatesEqualOneUpdate) {
  std::string text(1000, 'a');
  Sha256 split;
  for (size_t i = 0; i < text.size(); i += 37) split.Update(text.substr(i, 37));
  EXPECT_EQ(split.HexDigest(), Digest(text));
  // One million 'a' is the long FIPS vector.
  Sha256 million;
  for (int i = 0; i < 1000; ++i) million.Update(text);
  EXPECT_EQ(million.HexDigest(), "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

TEST(Sha256, FileDigestAndMissingFile) {
  testing::TempDir dir;
  std::string path = dir.File("abc.txt");
  std::ofstream(path) << "abc";
  EXPECT_EQ(Sha256OfFile(path), Digest("abc"));
  EXPECT_THROW(Sha256OfFile(dir.File("missing")), FileError);
}

}  // namespace
}  // namespace depthforge
