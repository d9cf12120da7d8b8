#include "depthforge/io/media_type.h"

#include <algorithm>
#include <cctype>
#include <map>

namespace depthforge {
namespace {

bool StartsWith(std::string_view head, std::string_view prefix) {
  return head.size() >= prefix.size() && head.substr(0, prefix.size()) == prefix;
}

bool At(std::string_view head, size_t offset, std::string_view text) {
  return head.size() >= offset + text.size() && head.substr(offset, text.size()) == text;
}

MediaType Image(const char* mime, const char* extension) { return {MediaKind::kImage, mime, extension}; }
MediaType Video(const char* mime, const char* extension) { return {MediaKind::kVideo, mime, extension}; }

}  // namespace

MediaType SniffMediaType(std::string_view head) {
  if (StartsWith(head, "\xFF\xD8\xFF")) return Image("image/jpeg", ".jpg");
  if (StartsWith(head, "\x89PNG\r\n\x1A\n")) return Image("image/png", ".png");
  if (StartsWith(head, "BM") && head.size() >= 26) return Image("image/bmp", ".bmp");
  if (StartsWith(head, "RIFF") && At(head, 8, "WEBP")) return Image("image/webp", ".webp");
  if (StartsWith(head, std::string_view("II*\0", 4)) || StartsWith(head, std::string_view("MM\0*", 4))) {
    return Image("image/tiff", ".tif");
  }
  // Binary PNM (P5 grey, P6 colour) followed by whitespace.
  if (head.size() >= 3 && head[0] == 'P' && (head[1] == '5' || head[1] == '6') && std::isspace(static_cast<unsigned char>(head[2]))) {
    return Image(head[1] == '5' ? "image/x-portable-graymap" : "image/x-portable-pixmap", head[1] == '5' ? ".pgm" : ".ppm");
  }
  // ISO base media: a box size, then "ftyp" and the brand. HEIF photos
  // use the same boxes; their brands are images, not videos.
  if (At(head, 4, "ftyp") && head.size() >= 12) {
    const std::string_view brand = head.substr(8, 4);
    for (std::string_view still : {"heic", "heix", "mif1", "msf1", "avif"}) {
      if (brand == still) return {};
    }
    if (brand == "qt  ") return Video("video/quicktime", ".mov");
    return Video("video/mp4", ".mp4");
  }
  if (StartsWith(head, "\x1A\x45\xDF\xA3")) {
    // EBML: WebM says so in its DocType; otherwise Matroska.
    if (head.find("webm") != std::string_view::npos) return Video("video/webm", ".webm");
    return Video("video/x-matroska", ".mkv");
  }
  if (StartsWith(head, "RIFF") && At(head, 8, "AVI ")) return Video("video/x-msvideo", ".avi");
  if (StartsWith(head, "FLV\x01")) return Video("video/x-flv", ".flv");
  // MPEG-TS: a sync byte every 188 bytes (two in a row are needed).
  if (head.size() > 188 && head[0] == 0x47 && head[188] == 0x47) return Video("video/mp2t", ".ts");
  return {};
}

std::string ContentTypeForExtension(const std::string& extension) {
  static const std::map<std::string, std::string> kTypes = {
      {".jpg", "image/jpeg"},      {".jpeg", "image/jpeg"},   {".png", "image/png"},
      {".webp", "image/webp"},     {".bmp", "image/bmp"},     {".tif", "image/tiff"},
      {".mp4", "video/mp4"},       {".mov", "video/quicktime"}, {".mkv", "video/x-matroska"},
      {".webm", "video/webm"},     {".avi", "video/x-msvideo"}, {".glb", "model/gltf-binary"},
      {".obj", "model/obj"},       {".mtl", "text/plain"},    {".ply", "application/octet-stream"},
      {".npy", "application/octet-stream"}, {".pfm", "application/octet-stream"},
      {".html", "text/html; charset=utf-8"}, {".js", "text/javascript; charset=utf-8"},
      {".mjs", "text/javascript; charset=utf-8"}, {".css", "text/css; charset=utf-8"},
      {".svg", "image/svg+xml"},   {".json", "application/json"}, {".ico", "image/x-icon"},
  };
  std::string lower = extension;
  std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return char(std::tolower(c)); });
  auto it = kTypes.find(lower);
  return it == kTypes.end() ? "application/octet-stream" : it->second;
}

}  // namespace depthforge
