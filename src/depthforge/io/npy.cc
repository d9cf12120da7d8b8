#include "depthforge/io/npy.h"

#include <cstring>
#include <regex>

#include <zlib.h>

#include "depthforge/core/error.h"
#include "depthforge/util/atomic_file.h"

namespace depthforge {
namespace {

size_t DtypeSize(const std::string& dtype) {
  if (dtype.size() < 3) return 0;
  return size_t(std::stoi(dtype.substr(2)));
}

std::string DtypeOf(int depth) {
  switch (depth) {
    case CV_8U: return "|u1";
    case CV_8S: return "|i1";
    case CV_16U: return "<u2";
    case CV_16S: return "<i2";
    case CV_32S: return "<i4";
    case CV_32F: return "<f4";
    case CV_64F: return "<f8";
  }
  throw Error("npy: unsupported matrix depth " + std::to_string(depth));
}

}  // namespace

int64_t NpyArray::element_count() const {
  int64_t count = 1;
  for (int64_t d : shape) count *= d;
  return count;
}

NpyArray ParseNpy(const std::string& bytes, const std::string& name) {
  if (bytes.size() < 10 || bytes.compare(0, 6, "\x93NUMPY") != 0) throw FileError(name, "not a .npy file (bad magic)");
  int major = uint8_t(bytes[6]);
  size_t header_length, header_start;
  if (major == 1) {
    header_length = uint8_t(bytes[8]) | (size_t(uint8_t(bytes[9])) << 8);
    header_start = 10;
  } else if (major == 2 || major == 3) {
    if (bytes.size() < 12) throw FileError(name, "truncated .npy header");
    header_length = 0;
    for (int i = 0; i < 4; ++i) header_length |= size_t(uint8_t(bytes[8 + i])) << (8 * i);
    header_start = 12;
  } else {
    throw FileError(name, "unsupported .npy version " + std::to_string(major));
  }
  if (header_start + header_length > bytes.size()) throw FileError(name, "truncated .npy header");
  std::string header = bytes.substr(header_start, header_length);

  NpyArray array;
  std::smatch match;
  if (!std::regex_search(header, match, std::regex("'descr'\\s*:\\s*'([^']+)'"))) throw FileError(name, "npy header has no descr");
  array.dtype = match[1];
  if (std::regex_search(header, match, std::regex("'fortran_order'\\s*:\\s*True"))) {
    throw FileError(name, "Fortran-ordered .npy arrays are not supported; save with C order");
  }
  if (!std::regex_search(header, match, std::regex("'shape'\\s*:\\s*\\(([^)]*)\\)"))) throw FileError(name, "npy header has no shape");
  std::string dims = match[1];
  std::regex number("\\d+");
  for (auto it = std::sregex_iterator(dims.begin(), dims.end(), number); it != std::sregex_iterator(); ++it) {
    array.shape.push_back(std::stoll(it->str()));
  }
  if (array.dtype[0] == '>' && DtypeSize(array.dtype) > 1) throw FileError(name, "big-endian .npy arrays are not supported");
  size_t element_size = DtypeSize(array.dtype);
  if (element_size == 0) throw FileError(name, "unsupported npy dtype " + array.dtype);
  size_t data_start = header_start + header_length;
  size_t expected = size_t(array.element_count()) * element_size;
  if (bytes.size() - data_start < expected) {
    throw FileError(name, "truncated .npy data: expected " + std::to_string(expected) + " bytes, found " +
                              std::to_string(bytes.size() - data_start));
  }
  array.data = bytes.substr(data_start, expected);
  return array;
}

NpyArray ReadNpy(const std::string& path) { return ParseNpy(ReadFileBytes(path), path); }

cv::Mat NpyArray::ToFloatMat(const std::string& name) const {
  std::vector<int64_t> dims;
  size_t first = 0;
  // Drop leading singleton dimensions beyond (rows, cols, channels).
  while (shape.size() - first > 2 && shape[first] == 1) ++first;
  dims.assign(shape.begin() + long(first), shape.end());
  int channels = 1;
  if (dims.size() == 3 && dims[2] <= 4) channels = int(dims[2]);
  else if (dims.size() != 2) throw FileError(name, "expected a 2-D array (H×W) or H×W×C, got " + std::to_string(shape.size()) + " dimensions");
  int rows = int(dims[0]), cols = int(dims[1]);
  int source_type;
  char kind = dtype[1];
  size_t size = DtypeSize(dtype);
  if (kind == 'f' && size == 4) source_type = CV_32F;
  else if (kind == 'f' && size == 8) source_type = CV_64F;
  else if (kind == 'u' && size == 1) source_type = CV_8U;
  else if (kind == 'u' && size == 2) source_type = CV_16U;
  else if (kind == 'i' && size == 2) source_type = CV_16S;
  else if (kind == 'i' && size == 4) source_type = CV_32S;
  else throw FileError(name, "unsupported npy dtype " + dtype);
  cv::Mat view(rows, cols, CV_MAKETYPE(source_type, channels), const_cast<char*>(data.data()));
  cv::Mat result;
  view.convertTo(result, CV_MAKETYPE(CV_32F, channels));
  return result;
}

namespace {

uint32_t Little32(const std::string& b, size_t at) {
  return uint32_t(uint8_t(b[at])) | (uint32_t(uint8_t(b[at + 1])) << 8) | (uint32_t(uint8_t(b[at + 2])) << 16) |
         (uint32_t(uint8_t(b[at + 3])) << 24);
}
uint16_t Little16(const std::string& b, size_t at) { return uint16_t(uint8_t(b[at]) | (uint8_t(b[at + 1]) << 8)); }

std::string Inflate(const std::string& compressed, size_t expected, const std::string& name) {
  std::string out(expected, '\0');
  z_stream stream{};
  if (inflateInit2(&stream, -MAX_WBITS) != Z_OK) throw FileError(name, "cannot start decompression");
  stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(compressed.data()));
  stream.avail_in = uInt(compressed.size());
  stream.next_out = reinterpret_cast<Bytef*>(out.data());
  stream.avail_out = uInt(out.size());
  int status = inflate(&stream, Z_FINISH);
  inflateEnd(&stream);
  if (status != Z_STREAM_END || stream.total_out != expected) throw FileError(name, "corrupt deflate data");
  return out;
}

}  // namespace

std::map<std::string, NpyArray> ReadNpz(const std::string& path) {
  std::string b = ReadFileBytes(path);
  // The end-of-central-directory record is in the last 64 kB + 22 bytes.
  size_t end = std::string::npos;
  if (b.size() >= 22) {
    size_t lowest = b.size() > 65557 ? b.size() - 65557 : 0;
    for (size_t at = b.size() - 21; at-- > lowest;) {
      if (Little32(b, at) == 0x06054b50) { end = at; break; }
    }
  }
  if (end == std::string::npos) throw FileError(path, "not a .npz file (no zip directory)");
  size_t entries = Little16(b, end + 10);
  size_t at = Little32(b, end + 16);
  std::map<std::string, NpyArray> arrays;
  for (size_t i = 0; i < entries; ++i) {
    if (at + 46 > b.size() || Little32(b, at) != 0x02014b50) throw FileError(path, "corrupt zip directory");
    uint16_t method = Little16(b, at + 10);
    size_t compressed_size = Little32(b, at + 20), size = Little32(b, at + 24);
    size_t name_length = Little16(b, at + 28), extra = Little16(b, at + 30), comment = Little16(b, at + 32);
    size_t local = Little32(b, at + 42);
    std::string name = b.substr(at + 46, name_length);
    at += 46 + name_length + extra + comment;
    if (local + 30 > b.size() || Little32(b, local) != 0x04034b50) throw FileError(path, "corrupt zip entry " + name);
    size_t data = local + 30 + Little16(b, local + 26) + Little16(b, local + 28);
    if (data + compressed_size > b.size()) throw FileError(path, "truncated zip entry " + name);
    std::string raw = b.substr(data, compressed_size);
    if (method == 8) raw = Inflate(raw, size, path + ":" + name);
    else if (method != 0) throw FileError(path, "zip entry " + name + " uses unsupported compression " + std::to_string(method));
    std::string key = name.size() > 4 && name.compare(name.size() - 4, 4, ".npy") == 0 ? name.substr(0, name.size() - 4) : name;
    arrays[key] = ParseNpy(raw, path + ":" + name);
  }
  return arrays;
}

std::string SerializeNpy(const cv::Mat& mat) {
  cv::Mat continuous = mat.isContinuous() ? mat : mat.clone();
  std::string shape = "(" + std::to_string(mat.rows) + ", " + std::to_string(mat.cols) +
                      (mat.channels() > 1 ? ", " + std::to_string(mat.channels()) + ")" : ")");
  std::string header = "{'descr': '" + DtypeOf(mat.depth()) + "', 'fortran_order': False, 'shape': " + shape + ", }";
  // Pad so that the data starts at a multiple of 64 bytes, ending in '\n'.
  size_t total = 10 + header.size() + 1;
  header += std::string((64 - total % 64) % 64, ' ') + "\n";
  std::string bytes = "\x93NUMPY";
  bytes += char(1);
  bytes += char(0);
  bytes += char(header.size() & 0xff);
  bytes += char(header.size() >> 8);
  bytes += header;
  bytes.append(reinterpret_cast<const char*>(continuous.data), continuous.total() * continuous.elemSize());
  return bytes;
}

void WriteNpy(const std::string& path, const cv::Mat& mat) { WriteFileBytes(path, SerializeNpy(mat)); }

}  // namespace depthforge
