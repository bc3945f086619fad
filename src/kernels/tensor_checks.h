// Checks that the pooling, MEAN, SOFTMAX, LOGISTIC, QUANTIZE and DEQUANTIZE
// kernels run in `plan`, so that a malformed or unsupported node fails before
// any memory is placed, with a message that says what to change.
#ifndef PICOML_KERNELS_TENSOR_CHECKS_H_
#define PICOML_KERNELS_TENSOR_CHECKS_H_

#include <math.h>
#include <stdint.h>

#include "picoml/kernel.h"
#include "picoml/schema.h"
#include "picoml/status.h"
#include "picoml/types.h"

namespace picoml {
namespace checks {

// `inputs` required inputs (none omitted) and `outputs` outputs.
inline Status CheckArity(const NodeContext& node, int inputs, int outputs) {
  if (node.input_count() != inputs || node.output_count() != outputs)
    return Status::Error(StatusCode::kInvalidModel,
                         "needs %d input(s) and %d output(s); it has %d and %d", inputs, outputs,
                         node.input_count(), node.output_count());
  for (int i = 0; i < inputs; ++i)
    if (!node.has_input(i))
      return Status::Error(StatusCode::kInvalidModel, "input %d is omitted but required", i);
  return Status::Ok();
}

// The options table, when `required` or present, must be of union type
// `expected`.
inline Status CheckOptions(const NodeContext& node, schema::BuiltinOptionsType expected,
                           const char* expected_name, bool required) {
  if (!node.options().present()) {
    if (!required) return Status::Ok();
    return Status::Error(StatusCode::kInvalidModel, "its %s table is missing; re-export the model",
                         expected_name);
  }
  if (node.op().options_type != static_cast<uint8_t>(expected))
    return Status::Error(StatusCode::kInvalidModel,
                         "options are of union type %u, expected %s (%u); re-export the model",
                         static_cast<unsigned>(node.op().options_type), expected_name,
                         static_cast<unsigned>(expected));
  return Status::Ok();
}

// An int8 activation: one (scale, zero point), finite scale > 0, zero point
// in [-128, 127].
inline Status CheckPerTensorInt8(const Tensor& tensor, const char* role) {
  if (tensor.type != TensorType::kInt8)
    return Status::Error(StatusCode::kUnsupported, "%s must be INT8, it is %s", role,
                         TensorTypeName(tensor.type));
  const Quantization& q = tensor.quantization;
  if (q.count() != 1)
    return Status::Error(StatusCode::kUnsupported,
                         "int8 %s must be quantized per tensor (one scale), it has %u scales; "
                         "re-quantize the model",
                         role, static_cast<unsigned>(q.count()));
  const float scale = q.scale(0);
  if (!(scale > 0.0f) || !isfinite(scale))
    return Status::Error(StatusCode::kInvalidModel,
                         "int8 %s scale must be finite and > 0; re-quantize the model", role);
  const int32_t zero_point = q.zero_point(0);
  if (zero_point < -128 || zero_point > 127)
    return Status::Error(StatusCode::kInvalidModel,
                         "int8 %s has zero point %d, outside [-128, 127]", role,
                         static_cast<int>(zero_point));
  return Status::Ok();
}

// A real requantization multiplier (e.g. input scale / output scale) that
// LiteRT's integer arithmetic can apply: finite and below 2^30. Larger ones
// (an output scale a billion times finer than the input's) would need shifts
// of 31 and more, which are undefined.
inline Status CheckRequantizationScale(double real, const char* what) {
  if (!isfinite(real) || !(real < 1073741824.0))
    return Status::Error(StatusCode::kInvalidModel,
                         "requantization scale (%s) is not finite or is 2^30 or more; "
                         "check the output tensor's scale",
                         what);
  return Status::Ok();
}

inline Status CheckSameShape(const Tensor& input, const Tensor& output) {
  if (!input.shape.Equals(output.shape))
    return Status::Error(StatusCode::kInvalidModel,
                         "output shape (rank %d, %ld elements) must equal the input shape "
                         "(rank %d, %ld elements)",
                         output.shape.rank, static_cast<long>(output.ElementCount()),
                         input.shape.rank, static_cast<long>(input.ElementCount()));
  return Status::Ok();
}

// Element counts kept in int32 arithmetic (the arena limits them anyway).
inline Status CheckElementCount(const Tensor& tensor, const char* role) {
  if (tensor.ElementCount() > 0x7fffffff)
    return Status::Error(StatusCode::kUnsupported, "%s has more than 2^31 - 1 elements", role);
  return Status::Ok();
}

// The fused activation of an element-wise operator (ADD, MUL), read from
// field 0 of its options table, whose union type must be `options_type` (or
// absent). NONE, RELU, RELU_N1_TO_1 and RELU6 are supported.
inline Status ReadElementwiseActivation(const NodeContext& node,
                                        schema::BuiltinOptionsType options_type,
                                        const char* options_name, Activation* activation) {
  const uint8_t type = node.op().options_type;
  if (type != static_cast<uint8_t>(schema::BuiltinOptionsType::kNone) &&
      type != static_cast<uint8_t>(options_type))
    return Status::Error(StatusCode::kInvalidModel, "options are of union type %u, expected %s",
                         type, options_name);
  const int8_t value = node.options().Scalar<int8_t>(0, 0);  // fused_activation_function
  *activation = static_cast<Activation>(value);
  if (*activation != Activation::kNone && *activation != Activation::kRelu &&
      *activation != Activation::kReluN1To1 && *activation != Activation::kRelu6)
    return Status::Error(StatusCode::kUnsupported,
                         "fused activation %d is not supported; use NONE, RELU, RELU_N1_TO_1 "
                         "or RELU6",
                         value);
  return Status::Ok();
}

}  // namespace checks
}  // namespace picoml

#endif  // PICOML_KERNELS_TENSOR_CHECKS_H_
