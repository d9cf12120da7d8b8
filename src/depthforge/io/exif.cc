#include "depthforge/io/exif.h"

#include <cstdint>

namespace depthforge {
namespace {

// A bounds-checked view of a TIFF structure in either byte order.
struct Tiff {
  const std::string& bytes;
  size_t base;  // offset of the TIFF header in 'bytes'
  bool little;

  bool Has(size_t offset, size_t size) const { return base + offset + size <= bytes.size(); }
  uint32_t U16(size_t offset) const {
    const auto* p = reinterpret_cast<const uint8_t*>(bytes.data() + base + offset);
    return little ? uint32_t(p[0] | (p[1] << 8)) : uint32_t((p[0] << 8) | p[1]);
  }
  uint32_t U32(size_t offset) const {
    return little ? U16(offset) | (U16(offset + 2) << 16) : (U16(offset) << 16) | U16(offset + 2);
  }
};

void ReadIfd(const Tiff& tiff, size_t ifd, ExifFocal& out, int depth) {
  if (depth > 2 || !tiff.Has(ifd, 2)) return;
  uint32_t count = tiff.U16(ifd);
  for (uint32_t i = 0; i < count && i < 512; ++i) {
    size_t entry = ifd + 2 + 12 * size_t(i);
    if (!tiff.Has(entry, 12)) return;
    uint32_t tag = tiff.U16(entry), type = tiff.U16(entry + 2), value = tiff.U32(entry + 8);
    if (tag == 0x8769) ReadIfd(tiff, value, out, depth + 1);  // Exif sub-IFD
    if (tag == 0x0112 && type == 3 && depth == 0) {
      const uint32_t orientation = tiff.U16(entry + 8);
      if (orientation >= 1 && orientation <= 8) out.orientation = int(orientation);
    }
    if (tag == 0xA405 && type == 3) {
      uint32_t mm = tiff.U16(entry + 8);
      if (mm > 0) out.focal_length_35mm = double(mm);
    }
    if (tag == 0x920A && type == 5 && tiff.Has(value, 8)) {
      uint32_t numerator = tiff.U32(value), denominator = tiff.U32(value + 4);
      if (numerator > 0 && denominator > 0) out.focal_length_mm = double(numerator) / denominator;
    }
  }
}

}  // namespace

ExifFocal ReadExifFocal(const std::string& b) {
  ExifFocal out;
  if (b.size() < 4 || uint8_t(b[0]) != 0xFF || uint8_t(b[1]) != 0xD8) return out;
  size_t at = 2;
  while (at + 4 <= b.size() && uint8_t(b[at]) == 0xFF) {
    uint8_t marker = uint8_t(b[at + 1]);
    size_t length = (size_t(uint8_t(b[at + 2])) << 8) | uint8_t(b[at + 3]);
    if (marker == 0xDA || length < 2) break;
    if (marker == 0xE1 && at + 4 + 6 <= b.size() && b.compare(at + 4, 6, std::string("Exif\0\0", 6)) == 0) {
      size_t base = at + 10;
      if (base + 8 > b.size()) break;
      bool little = b[base] == 'I';
      Tiff tiff{b, base, little};
      ReadIfd(tiff, tiff.U32(4), out, 0);
      break;
    }
    at += 2 + length;
  }
  return out;
}

}  // namespace depthforge
