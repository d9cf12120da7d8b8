// SHA-256 (FIPS 180-4), used to verify downloaded and mirrored model files.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace depthforge {

class Sha256 {
 public:
  Sha256();
  void Update(const void* data, size_t size);
  void Update(std::string_view text) { Update(text.data(), text.size()); }
  // Lowercase hex digest. The object must not be updated afterwards.
  std::string HexDigest();

 private:
  void Compress(const uint8_t* block);

  std::array<uint32_t, 8> state_;
  std::array<uint8_t, 64> block_;
  size_t block_used_ = 0;
  uint64_t total_bytes_ = 0;
};

// Hex SHA-256 of a whole file; throws FileError when it cannot be read.
std::string Sha256OfFile(const std::string& path);

}  // namespace depthforge
