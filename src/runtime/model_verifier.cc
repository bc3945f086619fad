// Structural verification of a .tflite flatbuffer, over picoml's schema subset
// (schema/picoml_tflite.fbs). It gives the same verdict as the flatbuffers
// library's Verifier (v2.0.8, default options: alignment checked, at most 64
// nested tables and 1,000,000 tables in all) on the same subset, and a test
// holds it to that on every corpus file and on mutated ones. Field ids follow
// include/picoml/schema.h.
//
// The rules mirrored, from the FlatBuffers format and its verifier:
//  - a scalar field must lie inside the buffer and be aligned to its size
//    (relative to the buffer start);
//  - an offset field must be aligned to 4, non-zero, below 2^31 and point
//    inside the buffer;
//  - a table needs an aligned soffset to its vtable, an aligned vtable whose
//    size is even and which fits in the buffer;
//  - a vector needs an aligned length, and length * element size + 4 bytes
//    inside the buffer; a string also a NUL byte after its last character;
//  - vectors of tables follow each element's offset unchecked and verify the
//    table found there; unions verify the table only for member types the
//    schema names.
//
// tests/schema/mutation_test.cc holds it to that: about 46,000 mutants of the
// corpus models (truncations, structural words set to 0, -1, 2^31-1 and
// nudged, random byte flips) got the same verdict from both verifiers.
#include <stdarg.h>

#include "picoml/model.h"
#include "picoml/schema.h"

namespace picoml {
namespace {

constexpr size_t kMaxBufferSize = 0x7fffffff;  // FLATBUFFERS_MAX_BUFFER_SIZE
constexpr int kMaxDepth = 64;
constexpr uint32_t kMaxTables = 1000000;

class StructureVerifier {
 public:
  StructureVerifier(const uint8_t* data, size_t size) : data_(data), size_(size) {}

  Status Run() {
    if (data_ == nullptr) return Status::Error(StatusCode::kInvalidModel, "model pointer is null");
    if (size_ >= kMaxBufferSize)
      return Status::Error(StatusCode::kInvalidModel,
                           "model is %zu bytes; flatbuffers are limited to 2 GiB", size_);
    // FLATBUFFERS_MIN_BUFFER_SIZE: root offset, soffset, vtable size, table size.
    if (size_ < 12)
      return Status::Error(StatusCode::kInvalidModel,
                           "model is only %zu bytes: too short for a .tflite file (truncated?)",
                           size_);
    if (data_[4] != 'T' || data_[5] != 'F' || data_[6] != 'L' || data_[7] != '3')
      return Status::Error(
          StatusCode::kInvalidModel,
          "not a .tflite file: bytes 4..7 are '%c%c%c%c', expected 'TFL3' (wrong file, or "
          "not a LiteRT flatbuffer)",
          Printable(data_[4]), Printable(data_[5]), Printable(data_[6]), Printable(data_[7]));
    size_t root = 0;
    if (!Offset(0, &root))
      return Status::Error(StatusCode::kInvalidModel,
                           "the root offset at byte 0 points outside the file");
    if (!ModelTable(root)) return error_;
    return Status::Ok();
  }

 private:
  static char Printable(uint8_t c) { return (c >= 32 && c < 127) ? static_cast<char>(c) : '?'; }

  // --- primitive checks (each sets error_ on failure) ---
  bool InBounds(size_t position, size_t length) {
    if (length < size_ && position <= size_ - length) return true;
    return Bad("%zu bytes at byte %zu run past the end of the %zu-byte file", length, position,
               size_);
  }
  bool Aligned(size_t position, size_t alignment) {
    if ((position & (alignment - 1)) == 0) return true;
    return Bad("value at byte %zu is not aligned to %zu bytes", position, alignment);
  }
  template <typename T>
  bool ScalarAt(size_t position) {
    return Aligned(position, sizeof(T)) && InBounds(position, sizeof(T));
  }
  // Reads the uoffset at `position` and gives the absolute position it
  // points to, with the library's checks.
  bool Offset(size_t position, size_t* target) {
    if (!ScalarAt<uint32_t>(position)) return false;
    const uint32_t offset = ReadLittleEndian<uint32_t>(data_ + position);
    if (offset == 0) return Bad("offset at byte %zu is zero", position);
    if (offset > 0x7fffffffu) return Bad("offset at byte %zu is negative or huge", position);
    if (!(1 < size_ && position + offset <= size_ - 1))  // InBounds(position + offset, 1)
      return Bad("offset at byte %zu points to byte %zu, past the end of the %zu-byte file",
                 position, static_cast<size_t>(position + offset), size_);
    *target = position + offset;
    return true;
  }

  // --- tables ---
  // Starts a table at `position`: checks its vtable and counts it.
  bool TableStart(size_t position, size_t* vtable) {
    if (!ScalarAt<int32_t>(position)) return false;
    const int32_t back = ReadLittleEndian<int32_t>(data_ + position);
    // Unsigned wrap-around gives the library's result for both signs.
    const size_t vt = position - static_cast<size_t>(static_cast<int64_t>(back));
    ++depth_;
    ++tables_;
    if (depth_ > kMaxDepth) return Bad("tables nested deeper than %d", kMaxDepth);
    if (tables_ > kMaxTables) return Bad("more than %u tables", static_cast<unsigned>(kMaxTables));
    if (!ScalarAt<uint16_t>(vt)) return false;
    const uint16_t vt_size = ReadLittleEndian<uint16_t>(data_ + vt);
    if (!Aligned(vt_size, 2)) return false;
    if (!InBounds(vt, vt_size)) return false;
    *vtable = vt;
    return true;
  }
  void TableEnd() { --depth_; }

  // Position of field `id` of the table at `table` with vtable `vt`, or 0.
  size_t Field(size_t table, size_t vt, int id) const {
    const uint16_t vt_size = ReadLittleEndian<uint16_t>(data_ + vt);
    const size_t entry = 4 + 2 * static_cast<size_t>(id);
    if (entry >= vt_size) return 0;
    const uint16_t field = ReadLittleEndian<uint16_t>(data_ + vt + entry);
    return field == 0 ? 0 : table + field;
  }

  template <typename T>
  bool ScalarField(size_t table, size_t vt, int id) {
    const size_t at = Field(table, vt, id);
    return at == 0 || ScalarAt<T>(at);
  }

  // A vector field of `element_size`-byte scalars; `*vector` gets its
  // position (0 when absent).
  bool VectorField(size_t table, size_t vt, int id, size_t element_size, size_t* vector) {
    *vector = 0;
    const size_t at = Field(table, vt, id);
    if (at == 0) return true;
    size_t v = 0;
    if (!Offset(at, &v)) return false;
    if (!VectorBody(v, element_size, nullptr)) return false;
    *vector = v;
    return true;
  }
  bool VectorBody(size_t v, size_t element_size, size_t* end) {
    if (!ScalarAt<uint32_t>(v)) return false;
    const uint32_t length = ReadLittleEndian<uint32_t>(data_ + v);
    if (length >= kMaxBufferSize / element_size)
      return Bad("vector at byte %zu claims %u elements", v, static_cast<unsigned>(length));
    const size_t bytes = 4 + element_size * length;
    if (end) *end = v + bytes;
    return InBounds(v, bytes);
  }
  bool StringAt(size_t s) {
    size_t end = 0;
    if (!VectorBody(s, 1, &end)) return false;
    if (!InBounds(end, 1)) return false;
    if (data_[end] != 0) return Bad("string at byte %zu is not NUL-terminated", s);
    return true;
  }
  bool StringField(size_t table, size_t vt, int id) {
    const size_t at = Field(table, vt, id);
    if (at == 0) return true;
    size_t s = 0;
    return Offset(at, &s) && StringAt(s);
  }
  // A table field: verifies the table found there with `verify`.
  bool TableField(size_t table, size_t vt, int id, bool (StructureVerifier::*verify)(size_t)) {
    const size_t at = Field(table, vt, id);
    if (at == 0) return true;
    size_t t = 0;
    return Offset(at, &t) && (this->*verify)(t);
  }
  // A vector of tables: each element's offset is followed as the library
  // does (no offset checks of its own), then the table verified.
  bool TableVectorField(size_t table, size_t vt, int id,
                        bool (StructureVerifier::*verify)(size_t)) {
    size_t v = 0;
    if (!VectorField(table, vt, id, 4, &v)) return false;
    if (v == 0) return true;
    const uint32_t length = ReadLittleEndian<uint32_t>(data_ + v);
    for (uint32_t i = 0; i < length; ++i) {
      const size_t at = v + 4 + 4 * static_cast<size_t>(i);
      const size_t t = at + ReadLittleEndian<uint32_t>(data_ + at);
      if (!(this->*verify)(t)) return false;
    }
    return true;
  }

  // --- the schema subset ---
  bool ModelTable(size_t t) {
    using namespace schema::model;
    size_t vt = 0, v = 0;
    if (!TableStart(t, &vt)) return false;
    const bool ok =
        ScalarField<uint32_t>(t, vt, kVersion) &&
        TableVectorField(t, vt, kOperatorCodes, &StructureVerifier::OperatorCodeTable) &&
        TableVectorField(t, vt, kSubgraphs, &StructureVerifier::SubGraphTable) &&
        StringField(t, vt, kDescription) &&
        TableVectorField(t, vt, kBuffers, &StructureVerifier::BufferTable) &&
        VectorField(t, vt, kMetadataBuffer, 4, &v) &&
        TableVectorField(t, vt, kMetadata, &StructureVerifier::MetadataTable);
    TableEnd();
    return ok;
  }
  bool MetadataTable(size_t t) {
    size_t vt = 0;
    if (!TableStart(t, &vt)) return false;
    const bool ok = StringField(t, vt, schema::metadata::kName) &&
                    ScalarField<uint32_t>(t, vt, schema::metadata::kBuffer);
    TableEnd();
    return ok;
  }
  bool OperatorCodeTable(size_t t) {
    using namespace schema::operator_code;
    size_t vt = 0;
    if (!TableStart(t, &vt)) return false;
    const bool ok = ScalarField<int8_t>(t, vt, kDeprecatedBuiltinCode) &&
                    StringField(t, vt, kCustomCode) && ScalarField<int32_t>(t, vt, kVersion) &&
                    ScalarField<int32_t>(t, vt, kBuiltinCode);
    TableEnd();
    return ok;
  }
  bool SubGraphTable(size_t t) {
    using namespace schema::subgraph;
    size_t vt = 0, v = 0;
    if (!TableStart(t, &vt)) return false;
    const bool ok = TableVectorField(t, vt, kTensors, &StructureVerifier::TensorTable) &&
                    VectorField(t, vt, kInputs, 4, &v) && VectorField(t, vt, kOutputs, 4, &v) &&
                    TableVectorField(t, vt, kOperators, &StructureVerifier::OperatorTable) &&
                    StringField(t, vt, kName);
    TableEnd();
    return ok;
  }
  bool TensorTable(size_t t) {
    using namespace schema::tensor;
    size_t vt = 0, v = 0;
    if (!TableStart(t, &vt)) return false;
    const bool ok = VectorField(t, vt, kShape, 4, &v) && ScalarField<int8_t>(t, vt, kType) &&
                    ScalarField<uint32_t>(t, vt, kBuffer) && StringField(t, vt, kName) &&
                    TableField(t, vt, kQuantization, &StructureVerifier::QuantizationTable) &&
                    ScalarField<uint8_t>(t, vt, kIsVariable) &&
                    VectorField(t, vt, kShapeSignature, 4, &v) &&
                    ScalarField<uint8_t>(t, vt, kHasRank);
    TableEnd();
    return ok;
  }
  bool QuantizationTable(size_t t) {
    using namespace schema::quantization;
    size_t vt = 0, v = 0;
    if (!TableStart(t, &vt)) return false;
    bool ok = VectorField(t, vt, kMin, 4, &v) && VectorField(t, vt, kMax, 4, &v) &&
              VectorField(t, vt, kScale, 4, &v) && VectorField(t, vt, kZeroPoint, 8, &v) &&
              ScalarField<uint8_t>(t, vt, kDetailsType);
    if (ok) {
      const size_t at = Field(t, vt, kDetails);
      size_t details = 0;
      ok = at == 0 || Offset(at, &details);
      const size_t type_at = Field(t, vt, kDetailsType);
      const uint8_t type = type_at ? data_[type_at] : 0;
      if (ok && details != 0 && type == kCustomQuantization) ok = CustomQuantizationTable(details);
    }
    ok = ok && ScalarField<int32_t>(t, vt, kQuantizedDimension);
    TableEnd();
    return ok;
  }
  bool CustomQuantizationTable(size_t t) {
    size_t vt = 0, v = 0;
    if (!TableStart(t, &vt)) return false;
    const bool ok = VectorField(t, vt, schema::custom_quantization::kCustom, 1, &v);
    TableEnd();
    return ok;
  }
  bool BufferTable(size_t t) {
    using namespace schema::buffer;
    size_t vt = 0, v = 0;
    if (!TableStart(t, &vt)) return false;
    const bool ok = VectorField(t, vt, kData, 1, &v) && ScalarField<uint64_t>(t, vt, kOffset) &&
                    ScalarField<uint64_t>(t, vt, kSize);
    TableEnd();
    return ok;
  }
  bool OperatorTable(size_t t) {
    using namespace schema::op;
    size_t vt = 0, v = 0;
    if (!TableStart(t, &vt)) return false;
    bool ok = ScalarField<uint32_t>(t, vt, kOpcodeIndex) && VectorField(t, vt, kInputs, 4, &v) &&
              VectorField(t, vt, kOutputs, 4, &v) &&
              ScalarField<uint8_t>(t, vt, kBuiltinOptionsType);
    if (ok) {
      const size_t at = Field(t, vt, kBuiltinOptions);
      size_t options = 0;
      ok = at == 0 || Offset(at, &options);
      const size_t type_at = Field(t, vt, kBuiltinOptionsType);
      const uint8_t type = type_at ? data_[type_at] : 0;
      if (ok && options != 0) ok = BuiltinOptionsTable(type, options);
    }
    ok = ok && VectorField(t, vt, kCustomOptions, 1, &v) &&
         ScalarField<int8_t>(t, vt, kCustomOptionsFormat) &&
         VectorField(t, vt, kMutatingVariableInputs, 1, &v) &&
         VectorField(t, vt, kIntermediates, 4, &v) &&
         ScalarField<uint64_t>(t, vt, kLargeCustomOptionsOffset) &&
         ScalarField<uint64_t>(t, vt, kLargeCustomOptionsSize);
    TableEnd();
    return ok;
  }

  bool BuiltinOptionsTable(uint8_t type, size_t t) {
    using T = schema::BuiltinOptionsType;
    size_t vt = 0, v = 0;
    bool ok = true;
    switch (static_cast<T>(type)) {
      case T::kConv2DOptions: {
        namespace f = schema::conv2d_options;
        if (!TableStart(t, &vt)) return false;
        ok = ScalarField<int8_t>(t, vt, f::kPadding) && ScalarField<int32_t>(t, vt, f::kStrideW) &&
             ScalarField<int32_t>(t, vt, f::kStrideH) &&
             ScalarField<int8_t>(t, vt, f::kFusedActivation) &&
             ScalarField<int32_t>(t, vt, f::kDilationW) &&
             ScalarField<int32_t>(t, vt, f::kDilationH) &&
             ScalarField<int8_t>(t, vt, f::kQuantizedBiasType);
        break;
      }
      case T::kDepthwiseConv2DOptions: {
        namespace f = schema::depthwise_conv2d_options;
        if (!TableStart(t, &vt)) return false;
        ok = ScalarField<int8_t>(t, vt, f::kPadding) && ScalarField<int32_t>(t, vt, f::kStrideW) &&
             ScalarField<int32_t>(t, vt, f::kStrideH) &&
             ScalarField<int32_t>(t, vt, f::kDepthMultiplier) &&
             ScalarField<int8_t>(t, vt, f::kFusedActivation) &&
             ScalarField<int32_t>(t, vt, f::kDilationW) &&
             ScalarField<int32_t>(t, vt, f::kDilationH);
        break;
      }
      case T::kPool2DOptions: {
        namespace f = schema::pool2d_options;
        if (!TableStart(t, &vt)) return false;
        ok = ScalarField<int8_t>(t, vt, f::kPadding) && ScalarField<int32_t>(t, vt, f::kStrideW) &&
             ScalarField<int32_t>(t, vt, f::kStrideH) &&
             ScalarField<int32_t>(t, vt, f::kFilterWidth) &&
             ScalarField<int32_t>(t, vt, f::kFilterHeight) &&
             ScalarField<int8_t>(t, vt, f::kFusedActivation);
        break;
      }
      case T::kFullyConnectedOptions: {
        namespace f = schema::fully_connected_options;
        if (!TableStart(t, &vt)) return false;
        ok = ScalarField<int8_t>(t, vt, f::kFusedActivation) &&
             ScalarField<int8_t>(t, vt, f::kWeightsFormat) &&
             ScalarField<uint8_t>(t, vt, f::kKeepNumDims) &&
             ScalarField<uint8_t>(t, vt, f::kAsymmetricQuantizeInputs) &&
             ScalarField<int8_t>(t, vt, f::kQuantizedBiasType);
        break;
      }
      case T::kSoftmaxOptions:
        if (!TableStart(t, &vt)) return false;
        ok = ScalarField<float>(t, vt, schema::softmax_options::kBeta);
        break;
      case T::kConcatenationOptions:
        if (!TableStart(t, &vt)) return false;
        ok = ScalarField<int32_t>(t, vt, schema::concatenation_options::kAxis) &&
             ScalarField<int8_t>(t, vt, schema::concatenation_options::kFusedActivation);
        break;
      case T::kAddOptions:
        if (!TableStart(t, &vt)) return false;
        ok = ScalarField<int8_t>(t, vt, schema::add_options::kFusedActivation) &&
             ScalarField<uint8_t>(t, vt, schema::add_options::kPotScaleInt16);
        break;
      case T::kMulOptions:
        if (!TableStart(t, &vt)) return false;
        ok = ScalarField<int8_t>(t, vt, schema::mul_options::kFusedActivation);
        break;
      case T::kReshapeOptions:
        if (!TableStart(t, &vt)) return false;
        ok = VectorField(t, vt, schema::reshape_options::kNewShape, 4, &v);
        break;
      case T::kReducerOptions:
        if (!TableStart(t, &vt)) return false;
        ok = ScalarField<uint8_t>(t, vt, schema::reducer_options::kKeepDims);
        break;
      case T::kSqueezeOptions:
        if (!TableStart(t, &vt)) return false;
        ok = VectorField(t, vt, schema::squeeze_options::kSqueezeDims, 4, &v);
        break;
      case T::kPadOptions:
      case T::kTransposeOptions:
      case T::kDequantizeOptions:
      case T::kQuantizeOptions:
        if (!TableStart(t, &vt)) return false;
        break;
      default:
        return true;  // a member the subset does not name: not verified
    }
    TableEnd();
    return ok;
  }

  bool Bad(const char* format, ...)
#if defined(__GNUC__)
      __attribute__((format(printf, 2, 3)))
#endif
  {
    va_list args;
    va_start(args, format);
    error_ = Status::ErrorV(StatusCode::kInvalidModel, format, args);
    va_end(args);
    error_.Prefix("malformed flatbuffer (truncated or corrupted file): ");
    return false;
  }

  const uint8_t* data_;
  size_t size_;
  int depth_ = 0;
  uint32_t tables_ = 0;
  Status error_;
};

}  // namespace

Status Model::VerifyStructure(const uint8_t* data, size_t size) {
  return StructureVerifier(data, size).Run();
}

}  // namespace picoml
