// A bounds-checked reader for FlatBuffers binary data (the container format
// of .tflite models), written from the FlatBuffers format documentation.
// Every read is checked against the buffer size; a bad offset throws
// FileError("<name>: malformed flatbuffer: ...").
#pragma once

#include <cstdint>
#include <cstring>
#include <optional>
#include <string>
#include <string_view>

namespace depthforge {

class FlatBufferReader;

// A vector inside the buffer: 'length' elements starting at byte 'data'.
struct FlatVector {
  const FlatBufferReader* reader = nullptr;
  size_t data = 0;
  uint32_t length = 0;

  template <typename T>
  T Scalar(uint32_t i) const;
  class FlatTable Table(uint32_t i) const;
  std::string_view Bytes() const;  // for vectors of ubyte
};

class FlatTable {
 public:
  FlatTable(const FlatBufferReader* reader, size_t position) : reader_(reader), position_(position) {}

  // Absolute byte position of field 'index' (0-based, schema order), or 0
  // when the field is absent (default value).
  size_t FieldPosition(int index) const;
  bool Has(int index) const { return FieldPosition(index) != 0; }

  template <typename T>
  T Scalar(int index, T default_value) const;
  std::optional<FlatTable> Table(int index) const;
  std::optional<FlatVector> Vector(int index) const;
  std::string String(int index) const;  // "" when absent
  size_t position() const { return position_; }

 private:
  const FlatBufferReader* reader_;
  size_t position_;
};

class FlatBufferReader {
 public:
  // The reader keeps a view: 'bytes' must outlive it.
  FlatBufferReader(std::string_view bytes, std::string name);

  FlatTable Root() const;
  // The 4-character file identifier after the root offset ("TFL3").
  std::string Identifier() const;

  template <typename T>
  T Read(size_t position) const {
    Require(position, sizeof(T));
    T value;
    std::memcpy(&value, bytes_.data() + position, sizeof(T));
    return value;  // FlatBuffers are little-endian, as is every target we build for
  }
  void Require(size_t position, size_t size) const;
  size_t FollowOffset(size_t position) const;  // position + uoffset stored there
  std::string_view bytes() const { return bytes_; }
  [[noreturn]] void Fail(const std::string& what) const;

 private:
  std::string_view bytes_;
  std::string name_;
};

template <typename T>
T FlatVector::Scalar(uint32_t i) const {
  if (i >= length) reader->Fail("vector index out of range");
  return reader->Read<T>(data + size_t(i) * sizeof(T));
}

template <typename T>
T FlatTable::Scalar(int index, T default_value) const {
  size_t at = FieldPosition(index);
  return at == 0 ? default_value : reader_->Read<T>(at);
}

}  // namespace depthforge
