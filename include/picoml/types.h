// Vocabulary shared by the model view, the kernels and the interpreter: the
// LiteRT schema's enumerations (values fixed by schema.fbs, so they can be
// compared with the bytes of a .tflite file) and a few size limits.
#ifndef PICOML_TYPES_H_
#define PICOML_TYPES_H_

#include <stddef.h>
#include <stdint.h>

namespace picoml {

// Largest tensor rank the runtime accepts (LiteRT's own kernels stop at 6).
constexpr int kMaxRank = 6;

// schema.fbs: enum TensorType : byte.
enum class TensorType : int8_t {
  kFloat32 = 0,
  kFloat16 = 1,
  kInt32 = 2,
  kUInt8 = 3,
  kInt64 = 4,
  kString = 5,
  kBool = 6,
  kInt16 = 7,
  kComplex64 = 8,
  kInt8 = 9,
  kFloat64 = 10,
  kComplex128 = 11,
  kUInt64 = 12,
  kResource = 13,  // no fixed size: refused at load
  kVariant = 14,   // no fixed size: refused at load
  kUInt32 = 15,
  kUInt16 = 16,
  kInt4 = 17,  // packed two per byte: refused at load
};
// The largest type code in the schema picoml knows.
constexpr int8_t kLastTensorTypeCode = 17;

// "FLOAT32", "INT8", ... or "UNKNOWN".
const char* TensorTypeName(TensorType type);
// Bytes of one element; 0 for types without a fixed size (STRING, unknown).
size_t TensorTypeSize(TensorType type);

// schema.fbs: enum BuiltinOperator : int32. Only the codes picoml names in
// code are listed; any code can still be carried in the enum and printed.
enum class BuiltinOperator : int32_t {
  kAdd = 0,
  kAveragePool2D = 1,
  kConcatenation = 2,
  kConv2D = 3,
  kDepthwiseConv2D = 4,
  kDequantize = 6,
  kFullyConnected = 9,
  kLogistic = 14,
  kMaxPool2D = 17,
  kMul = 18,
  kRelu = 19,
  kRelu6 = 21,
  kReshape = 22,
  kSoftmax = 25,
  kCustom = 32,
  kPad = 34,
  kTranspose = 39,
  kMean = 40,
  kSqueeze = 43,
  kQuantize = 114,
};

// "CONV_2D" etc. for every code in the schema; "UNKNOWN" past the end.
const char* BuiltinOperatorName(BuiltinOperator op);

// schema.fbs: enum Padding : byte.
enum class Padding : int8_t { kSame = 0, kValid = 1 };

// schema.fbs: enum ActivationFunctionType : byte.
enum class Activation : int8_t {
  kNone = 0,
  kRelu = 1,
  kReluN1To1 = 2,
  kRelu6 = 3,
  kTanh = 4,
  kSignBit = 5,
};
const char* ActivationName(Activation activation);

// How requantization rounds. LiteRT for Microcontrollers by default rounds
// twice (a rounding doubling high multiply, then a rounding right shift);
// desktop LiteRT (and TFLM built with TFLITE_SINGLE_ROUNDING=1) rounds once.
// Both are exact integer recipes; pick the one the results must match.
enum class Rounding : uint8_t { kDouble = 0, kSingle = 1 };

}  // namespace picoml

#endif  // PICOML_TYPES_H_
