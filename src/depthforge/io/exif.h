// The few EXIF fields depthforge uses, read from a JPEG's APP1 segment.
#pragma once

#include <optional>
#include <string>

namespace depthforge {

struct ExifFocal {
  std::optional<double> focal_length_35mm;  // FocalLengthIn35mmFilm (0xA405), mm
  std::optional<double> focal_length_mm;    // FocalLength (0x920A), mm
  // Orientation (0x0112): 1 upright, 2-8 the stored picture's flips and
  // turns (TIFF 6.0); phone photos are stored sideways with 6 or 8.
  int orientation = 1;
};

// Parses the JPEG bytes' EXIF, if any; malformed EXIF yields empty fields.
ExifFocal ReadExifFocal(const std::string& jpeg_bytes);

}  // namespace depthforge
