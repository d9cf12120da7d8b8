// What a file is, from its first bytes rather than its name: an upload named
// "cat.jpg" may be anything. Only the signatures of the formats depthforge
// decodes are known; everything else is kUnknown.
#pragma once

#include <string>
#include <string_view>

namespace depthforge {

enum class MediaKind { kUnknown, kImage, kVideo };

struct MediaType {
  MediaKind kind = MediaKind::kUnknown;
  std::string mime;       // "image/jpeg", "video/mp4", ...; "" when unknown
  std::string extension;  // ".jpg", ".mp4", ... (what a file of this type is called)
};

// Looks at the first bytes only (64 are enough; fewer give kUnknown unless
// a signature fits). Images: JPEG, PNG, BMP, WebP, TIFF, PNM. Videos: MP4 /
// QuickTime (ftyp), Matroska / WebM, AVI, MPEG transport stream, FLV.
MediaType SniffMediaType(std::string_view head);

// The content type a web browser needs for a file depthforge writes, from
// its extension ("application/octet-stream" when unknown).
std::string ContentTypeForExtension(const std::string& extension);

}  // namespace depthforge
