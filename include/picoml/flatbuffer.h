// A small, bounds-checked reader for FlatBuffers, enough for the LiteRT schema.
//
// Why not the flatbuffers library: its headers need the C++ standard library,
// which some microcontroller toolchains do not ship. The reader here needs only
// <stdint.h>/<string.h>.
//
// Format facts it relies on (flatbuffers.dev, "FlatBuffers internals"): all
// scalars little-endian; a table starts with a signed 32-bit offset back to its
// vtable (vtable = table - soffset); a vtable is uint16 entries: its own size in
// bytes, the table's size, then one offset per field id (0 = absent); fields
// holding tables, vectors or strings store an unsigned 32-bit offset relative
// to the field's own position; vectors and strings start with a uint32 length;
// a union is two fields: a ubyte type (id N) and a table offset (id N+1).
//
// Every read is checked against the buffer, so reading a malformed buffer gives
// defaults or empty results, never an out-of-bounds access. Structural
// verification (with verdicts that match the flatbuffers library's Verifier)
// lives in the model loader; these accessors are the safe way to read after it.
#ifndef PICOML_FLATBUFFER_H_
#define PICOML_FLATBUFFER_H_

#include <stddef.h>
#include <stdint.h>
#include <string.h>

namespace picoml {

// Reads a little-endian scalar at `p` (no alignment needed). The targets
// picoml supports are little-endian, as the .tflite format assumes.
template <typename T>
inline T ReadLittleEndian(const uint8_t* p) {
  T value;
  memcpy(&value, p, sizeof(T));
  return value;
}

class FlatTable;
class FlatString;

// A vector of scalars, tables or strings inside a buffer.
class FlatVector {
 public:
  FlatVector() = default;
  FlatVector(const uint8_t* base, size_t size, size_t position, uint32_t length)
      : base_(base), size_(size), position_(position), length_(length) {}

  bool present() const { return base_ != nullptr; }
  uint32_t size() const { return length_; }
  // First element's address (the bytes after the length).
  const uint8_t* data() const { return base_ ? base_ + position_ + 4 : nullptr; }

  template <typename T>
  T Scalar(uint32_t index, T fallback = T()) const {
    const size_t at = position_ + 4 + static_cast<size_t>(index) * sizeof(T);
    if (base_ == nullptr || index >= length_ || at + sizeof(T) > size_) return fallback;
    return ReadLittleEndian<T>(base_ + at);
  }
  FlatTable Table(uint32_t index) const;
  FlatString String(uint32_t index) const;

 private:
  const uint8_t* base_ = nullptr;
  size_t size_ = 0;
  size_t position_ = 0;
  uint32_t length_ = 0;
};

class FlatString {
 public:
  FlatString() = default;
  FlatString(const char* text, uint32_t length) : text_(text), length_(length) {}
  bool present() const { return text_ != nullptr; }
  // Not NUL-terminated unless verified; use length().
  const char* data() const { return text_ ? text_ : ""; }
  uint32_t length() const { return length_; }
  bool Equals(const char* other) const {
    const size_t n = strlen(other);
    return n == length_ && (n == 0 || memcmp(data(), other, n) == 0);
  }

 private:
  const char* text_ = nullptr;
  uint32_t length_ = 0;
};

class FlatTable {
 public:
  FlatTable() = default;
  FlatTable(const uint8_t* base, size_t size, size_t position)
      : base_(base), size_(size), position_(position) {}

  // The root table of a buffer (uoffset at byte 0), or an absent table.
  static FlatTable Root(const uint8_t* base, size_t size) {
    if (base == nullptr || size < 4) return FlatTable();
    const uint32_t offset = ReadLittleEndian<uint32_t>(base);
    if (offset > size) return FlatTable();
    return FlatTable(base, size, offset);
  }

  bool present() const { return base_ != nullptr; }
  // Byte position of the table in its buffer (for diagnostics and tests).
  size_t position() const { return position_; }

  // Position of field `id`'s data, or 0 when the field is absent (or the
  // vtable cannot be read).
  size_t FieldPosition(int id) const {
    if (base_ == nullptr || position_ + 4 > size_) return 0;
    const int32_t back = ReadLittleEndian<int32_t>(base_ + position_);
    const int64_t vtable = static_cast<int64_t>(position_) - back;
    if (vtable < 0 || static_cast<uint64_t>(vtable) + 4 > size_) return 0;
    const uint16_t vtable_size = ReadLittleEndian<uint16_t>(base_ + vtable);
    const size_t entry = 4 + 2 * static_cast<size_t>(id);
    if (entry + 2 > vtable_size || static_cast<size_t>(vtable) + entry + 2 > size_) return 0;
    const uint16_t field = ReadLittleEndian<uint16_t>(base_ + vtable + entry);
    return field == 0 ? 0 : position_ + field;
  }
  bool Has(int id) const { return FieldPosition(id) != 0; }

  template <typename T>
  T Scalar(int id, T fallback = T()) const {
    const size_t at = FieldPosition(id);
    if (at == 0 || at + sizeof(T) > size_) return fallback;
    return ReadLittleEndian<T>(base_ + at);
  }

  FlatTable Table(int id) const {
    size_t target;
    return Follow(id, &target) ? FlatTable(base_, size_, target) : FlatTable();
  }

  FlatVector Vector(int id) const {
    size_t target;
    if (!Follow(id, &target) || target + 4 > size_) return FlatVector();
    const uint32_t length = ReadLittleEndian<uint32_t>(base_ + target);
    return FlatVector(base_, size_, target, length);
  }

  FlatString String(int id) const {
    const FlatVector bytes = Vector(id);
    if (!bytes.present()) return FlatString();
    const size_t end = static_cast<size_t>(bytes.data() - base_) + bytes.size();
    if (end > size_) return FlatString();
    return FlatString(reinterpret_cast<const char*>(bytes.data()), bytes.size());
  }

 private:
  // Follows the uoffset stored in field `id`.
  bool Follow(int id, size_t* target) const {
    const size_t at = FieldPosition(id);
    if (at == 0 || at + 4 > size_) return false;
    const uint64_t to = static_cast<uint64_t>(at) + ReadLittleEndian<uint32_t>(base_ + at);
    if (to >= size_) return false;
    *target = static_cast<size_t>(to);
    return true;
  }

  const uint8_t* base_ = nullptr;
  size_t size_ = 0;
  size_t position_ = 0;
};

inline FlatTable FlatVector::Table(uint32_t index) const {
  const size_t at = position_ + 4 + static_cast<size_t>(index) * 4;
  if (base_ == nullptr || index >= length_ || at + 4 > size_) return FlatTable();
  const uint64_t to = static_cast<uint64_t>(at) + ReadLittleEndian<uint32_t>(base_ + at);
  if (to >= size_) return FlatTable();
  return FlatTable(base_, size_, static_cast<size_t>(to));
}

inline FlatString FlatVector::String(uint32_t index) const {
  const size_t at = position_ + 4 + static_cast<size_t>(index) * 4;
  if (base_ == nullptr || index >= length_ || at + 4 > size_) return FlatString();
  const uint64_t to = static_cast<uint64_t>(at) + ReadLittleEndian<uint32_t>(base_ + at);
  if (to + 4 > size_) return FlatString();
  const uint32_t length = ReadLittleEndian<uint32_t>(base_ + to);
  if (to + 4 + length > size_) return FlatString();
  return FlatString(reinterpret_cast<const char*>(base_ + to + 4), length);
}

}  // namespace picoml

#endif  // PICOML_FLATBUFFER_H_
