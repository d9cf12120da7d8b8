#include "depthforge/models/flatbuffer.h"

#include "depthforge/core/error.h"

namespace depthforge {

FlatBufferReader::FlatBufferReader(std::string_view bytes, std::string name)
    : bytes_(bytes), name_(std::move(name)) {}

void FlatBufferReader::Fail(const std::string& what) const {
  throw FileError(name_, "malformed flatbuffer: " + what);
}

void FlatBufferReader::Require(size_t position, size_t size) const {
  if (position > bytes_.size() || size > bytes_.size() - position) {
    Fail("offset " + std::to_string(position) + " (+" + std::to_string(size) + " bytes) is past the end of the " +
         std::to_string(bytes_.size()) + "-byte file");
  }
}

size_t FlatBufferReader::FollowOffset(size_t position) const {
  uint32_t offset = Read<uint32_t>(position);
  size_t target = position + offset;
  Require(target, 4);
  return target;
}

FlatTable FlatBufferReader::Root() const {
  if (bytes_.size() < 8) Fail("file is too small (" + std::to_string(bytes_.size()) + " bytes)");
  return FlatTable(this, FollowOffset(0));
}

std::string FlatBufferReader::Identifier() const {
  Require(4, 4);
  return std::string(bytes_.substr(4, 4));
}

size_t FlatTable::FieldPosition(int index) const {
  // A table starts with a signed offset back to its vtable; the vtable holds
  // its own size, the table size, then one uint16 offset per field.
  int32_t to_vtable = reader_->Read<int32_t>(position_);
  int64_t vtable = int64_t(position_) - int64_t(to_vtable);
  if (vtable < 0) reader_->Fail("vtable offset out of range");
  uint16_t vtable_size = reader_->Read<uint16_t>(size_t(vtable));
  size_t slot = 4 + 2 * size_t(index);
  if (slot + 2 > vtable_size) return 0;
  uint16_t field_offset = reader_->Read<uint16_t>(size_t(vtable) + slot);
  if (field_offset == 0) return 0;
  size_t at = position_ + field_offset;
  reader_->Require(at, 1);
  return at;
}

std::optional<FlatTable> FlatTable::Table(int index) const {
  size_t at = FieldPosition(index);
  if (at == 0) return std::nullopt;
  return FlatTable(reader_, reader_->FollowOffset(at));
}

std::optional<FlatVector> FlatTable::Vector(int index) const {
  size_t at = FieldPosition(index);
  if (at == 0) return std::nullopt;
  size_t start = reader_->FollowOffset(at);
  FlatVector vector;
  vector.reader = reader_;
  vector.length = reader_->Read<uint32_t>(start);
  vector.data = start + 4;
  reader_->Require(vector.data, 0);
  return vector;
}

std::string FlatTable::String(int index) const {
  auto vector = Vector(index);
  if (!vector) return "";
  reader_->Require(vector->data, vector->length);
  return std::string(reader_->bytes().substr(vector->data, vector->length));
}

FlatTable FlatVector::Table(uint32_t i) const {
  if (i >= length) reader->Fail("vector index out of range");
  return FlatTable(reader, reader->FollowOffset(data + size_t(i) * 4));
}

std::string_view FlatVector::Bytes() const {
  reader->Require(data, length);
  return reader->bytes().substr(data, length);
}

}  // namespace depthforge
