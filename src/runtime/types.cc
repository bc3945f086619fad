#include "picoml/types.h"

namespace picoml {

#include "operator_names.inc"

const char* TensorTypeName(TensorType type) {
  switch (type) {
    case TensorType::kFloat32:
      return "FLOAT32";
    case TensorType::kFloat16:
      return "FLOAT16";
    case TensorType::kInt32:
      return "INT32";
    case TensorType::kUInt8:
      return "UINT8";
    case TensorType::kInt64:
      return "INT64";
    case TensorType::kString:
      return "STRING";
    case TensorType::kBool:
      return "BOOL";
    case TensorType::kInt16:
      return "INT16";
    case TensorType::kComplex64:
      return "COMPLEX64";
    case TensorType::kInt8:
      return "INT8";
    case TensorType::kFloat64:
      return "FLOAT64";
    case TensorType::kComplex128:
      return "COMPLEX128";
    case TensorType::kUInt64:
      return "UINT64";
    case TensorType::kResource:
      return "RESOURCE";
    case TensorType::kVariant:
      return "VARIANT";
    case TensorType::kUInt32:
      return "UINT32";
    case TensorType::kUInt16:
      return "UINT16";
    case TensorType::kInt4:
      return "INT4";
  }
  return "UNKNOWN";
}

size_t TensorTypeSize(TensorType type) {
  switch (type) {
    case TensorType::kFloat32:
    case TensorType::kInt32:
    case TensorType::kUInt32:
      return 4;
    case TensorType::kFloat16:
    case TensorType::kInt16:
    case TensorType::kUInt16:
      return 2;
    case TensorType::kUInt8:
    case TensorType::kInt8:
    case TensorType::kBool:
      return 1;
    case TensorType::kInt64:
    case TensorType::kFloat64:
    case TensorType::kComplex64:
    case TensorType::kUInt64:
      return 8;
    case TensorType::kComplex128:
      return 16;
    case TensorType::kString:
    case TensorType::kResource:
    case TensorType::kVariant:
    case TensorType::kInt4:
      return 0;
  }
  return 0;
}

const char* BuiltinOperatorName(BuiltinOperator op) {
  const int32_t code = static_cast<int32_t>(op);
  const int32_t count =
      static_cast<int32_t>(sizeof(kBuiltinOperatorNames) / sizeof(kBuiltinOperatorNames[0]));
  if (code < 0 || code >= count) return "UNKNOWN";
  return kBuiltinOperatorNames[code];
}

const char* ActivationName(Activation activation) {
  switch (activation) {
    case Activation::kNone:
      return "NONE";
    case Activation::kRelu:
      return "RELU";
    case Activation::kReluN1To1:
      return "RELU_N1_TO_1";
    case Activation::kRelu6:
      return "RELU6";
    case Activation::kTanh:
      return "TANH";
    case Activation::kSignBit:
      return "SIGN_BIT";
  }
  return "UNKNOWN";
}

}  // namespace picoml
