// Field ids and union values of the part of the LiteRT schema (schema.fbs,
// file identifier "TFL3") that picoml reads. Ids are the upstream ones; a
// union of id N stores its type in field N and its table in field N + 1.
// schema/picoml_tflite.fbs holds the same subset for flatc; tests check that
// both readers agree.
#ifndef PICOML_SCHEMA_H_
#define PICOML_SCHEMA_H_

#include <stdint.h>

namespace picoml {
namespace schema {

constexpr uint32_t kSchemaVersion = 3;
constexpr char kFileIdentifier[5] = "TFL3";

namespace model {
constexpr int kVersion = 0;
constexpr int kOperatorCodes = 1;
constexpr int kSubgraphs = 2;
constexpr int kDescription = 3;
constexpr int kBuffers = 4;
constexpr int kMetadataBuffer = 5;
constexpr int kMetadata = 6;
}  // namespace model

namespace metadata {
constexpr int kName = 0;
constexpr int kBuffer = 1;
}  // namespace metadata

namespace operator_code {
constexpr int kDeprecatedBuiltinCode = 0;
constexpr int kCustomCode = 1;
constexpr int kVersion = 2;
constexpr int kBuiltinCode = 3;
// deprecated_builtin_code is a byte; codes at or above this value are only in
// builtin_code (schema: PLACEHOLDER_FOR_GREATER_OP_CODES).
constexpr int32_t kPlaceholderForGreaterOpCodes = 127;
}  // namespace operator_code

namespace subgraph {
constexpr int kTensors = 0;
constexpr int kInputs = 1;
constexpr int kOutputs = 2;
constexpr int kOperators = 3;
constexpr int kName = 4;
}  // namespace subgraph

namespace tensor {
constexpr int kShape = 0;
constexpr int kType = 1;
constexpr int kBuffer = 2;
constexpr int kName = 3;
constexpr int kQuantization = 4;
constexpr int kIsVariable = 5;
constexpr int kSparsity = 6;  // only its presence is read: sparse tensors are refused
constexpr int kShapeSignature = 7;
constexpr int kHasRank = 8;
}  // namespace tensor

namespace quantization {
constexpr int kMin = 0;
constexpr int kMax = 1;
constexpr int kScale = 2;
constexpr int kZeroPoint = 3;
constexpr int kDetailsType = 4;
constexpr int kDetails = 5;
constexpr int kQuantizedDimension = 6;
constexpr uint8_t kCustomQuantization = 1;  // QuantizationDetails union value
}  // namespace quantization

namespace custom_quantization {
constexpr int kCustom = 0;
}

namespace buffer {
constexpr int kData = 0;
constexpr int kOffset = 1;
constexpr int kSize = 2;
}  // namespace buffer

namespace op {
constexpr int kOpcodeIndex = 0;
constexpr int kInputs = 1;
constexpr int kOutputs = 2;
constexpr int kBuiltinOptionsType = 3;
constexpr int kBuiltinOptions = 4;
constexpr int kCustomOptions = 5;
constexpr int kCustomOptionsFormat = 6;
constexpr int kMutatingVariableInputs = 7;
constexpr int kIntermediates = 8;
constexpr int kLargeCustomOptionsOffset = 9;
constexpr int kLargeCustomOptionsSize = 10;
}  // namespace op

// BuiltinOptions union values (1-based position in schema.fbs).
enum class BuiltinOptionsType : uint8_t {
  kNone = 0,
  kConv2DOptions = 1,
  kDepthwiseConv2DOptions = 2,
  kPool2DOptions = 5,
  kFullyConnectedOptions = 8,
  kSoftmaxOptions = 9,
  kConcatenationOptions = 10,
  kAddOptions = 11,
  kReshapeOptions = 17,
  kMulOptions = 21,
  kPadOptions = 22,
  kTransposeOptions = 26,
  kReducerOptions = 27,
  kSqueezeOptions = 30,
  kDequantizeOptions = 38,
  kQuantizeOptions = 89,
};

namespace conv2d_options {
constexpr int kPadding = 0;
constexpr int kStrideW = 1;
constexpr int kStrideH = 2;
constexpr int kFusedActivation = 3;
constexpr int kDilationW = 4;  // default 1
constexpr int kDilationH = 5;  // default 1
constexpr int kQuantizedBiasType = 6;
}  // namespace conv2d_options

namespace depthwise_conv2d_options {
constexpr int kPadding = 0;
constexpr int kStrideW = 1;
constexpr int kStrideH = 2;
constexpr int kDepthMultiplier = 3;
constexpr int kFusedActivation = 4;
constexpr int kDilationW = 5;  // default 1
constexpr int kDilationH = 6;  // default 1
}  // namespace depthwise_conv2d_options

namespace pool2d_options {
constexpr int kPadding = 0;
constexpr int kStrideW = 1;
constexpr int kStrideH = 2;
constexpr int kFilterWidth = 3;
constexpr int kFilterHeight = 4;
constexpr int kFusedActivation = 5;
}  // namespace pool2d_options

namespace fully_connected_options {
constexpr int kFusedActivation = 0;
constexpr int kWeightsFormat = 1;
constexpr int kKeepNumDims = 2;
constexpr int kAsymmetricQuantizeInputs = 3;
constexpr int kQuantizedBiasType = 4;
}  // namespace fully_connected_options

namespace softmax_options {
constexpr int kBeta = 0;
}

namespace concatenation_options {
constexpr int kAxis = 0;
constexpr int kFusedActivation = 1;
}  // namespace concatenation_options

namespace add_options {
constexpr int kFusedActivation = 0;
constexpr int kPotScaleInt16 = 1;
}  // namespace add_options

namespace mul_options {
constexpr int kFusedActivation = 0;
}

namespace reshape_options {
constexpr int kNewShape = 0;
}

namespace reducer_options {
constexpr int kKeepDims = 0;
}

namespace squeeze_options {
constexpr int kSqueezeDims = 0;
}

}  // namespace schema
}  // namespace picoml

#endif  // PICOML_SCHEMA_H_
