// LOGISTIC (sigmoid): int8 and float32, elementwise, any shape.
//
// float32 (LiteRT's reference Logistic): 1 above 16.619047164916992188, exp(x)
// below -9, else 1 / (1 + exp(-x)), with expf.
//
// int8 (LiteRT's reference_integer_ops::Logistic; output scale 1/256 and zero
// point -128 required): Prepare takes the input to Q4.27: frexp of
// input_scale * 2^27 gives (input_multiplier = round(fraction * 2^31),
// input_left_shift = exponent), and input_range_radius =
// CalculateInputRadius(4, input_left_shift). Per element, d = x - zero_point:
// d <= -radius -> -128, d >= radius -> 127, else
//   clamp(RoundingDivideByPOT(logistic_Q0(MultiplyByQuantizedMultiplier(d,
//         input_multiplier, input_left_shift)), 23) - 128, -128, 127),
// where the multiply rounds as node.rounding() says (TFLM default double
// rounding, or TFLITE_SINGLE_ROUNDING's single rounding).
#include <math.h>
#include <stdint.h>

#include "kernels/fixed_point_exp.h"
#include "kernels/tensor_checks.h"
#include "picoml/kernels.h"

namespace picoml {
namespace kernels {
namespace {

constexpr int kInputIntegerBits = 4;

struct LogisticData {
  int32_t count;
  int32_t is_float;
  int32_t input_zero_point;
  int32_t input_range_radius;
  int32_t input_multiplier;
  int32_t input_left_shift;
};

Status Check(const NodeContext& node, LogisticData* data) {
  PICOML_RETURN_IF_ERROR(checks::CheckArity(node, 1, 1));
  const Tensor input = node.input(0);
  const Tensor output = node.output(0);
  if (input.type != output.type)
    return Status::Error(StatusCode::kInvalidModel, "input is %s but output is %s",
                         TensorTypeName(input.type), TensorTypeName(output.type));
  if (input.type != TensorType::kInt8 && input.type != TensorType::kFloat32)
    return Status::Error(StatusCode::kUnsupported,
                         "input type %s is not supported (INT8 and FLOAT32 are)",
                         TensorTypeName(input.type));
  PICOML_RETURN_IF_ERROR(checks::CheckSameShape(input, output));
  PICOML_RETURN_IF_ERROR(checks::CheckElementCount(input, "input"));
  data->count = static_cast<int32_t>(input.ElementCount());
  data->is_float = input.type == TensorType::kFloat32 ? 1 : 0;
  data->input_zero_point = 0;
  data->input_range_radius = 0;
  data->input_multiplier = 0;
  data->input_left_shift = 0;
  if (data->is_float) return Status::Ok();

  PICOML_RETURN_IF_ERROR(checks::CheckPerTensorInt8(input, "input"));
  PICOML_RETURN_IF_ERROR(checks::CheckPerTensorInt8(output, "output"));
  const QuantizationParams out_q = output.quantization.PerTensor();
  if (out_q.zero_point != -128 || out_q.scale != 1.0f / 256.0f)
    return Status::Error(StatusCode::kUnsupported,
                         "int8 output must have scale 1/256 and zero point -128 (LiteRT's rule "
                         "for int8 logistic); it has zero point %d; re-quantize the model",
                         static_cast<int>(out_q.zero_point));
  const QuantizationParams in_q = input.quantization.PerTensor();
  data->input_zero_point = in_q.zero_point;
  int exponent = 0;
  const double fraction =
      frexp(static_cast<double>(in_q.scale) * static_cast<double>(1 << (31 - kInputIntegerBits)),
            &exponent);
  // A float scale has 24 significant bits, so this never rounds up to 2^31.
  data->input_multiplier = static_cast<int32_t>(round(fraction * 2147483648.0));
  data->input_left_shift = exponent;
  data->input_range_radius = fixed_point::CalculateInputRadius(kInputIntegerBits, exponent);
  // Shifts above 30 leave a radius of 0 (every input saturates, no multiply);
  // shifts below -31 (scales under 2^-59) have no integer recipe.
  if (exponent < -31)
    return Status::Error(StatusCode::kUnsupported,
                         "int8 input scale is below 2^-59, too small for integer logistic; "
                         "re-quantize the model");
  return Status::Ok();
}

Status Plan(const NodeContext& node, KernelMemory* memory) {
  LogisticData data;
  PICOML_RETURN_IF_ERROR(Check(node, &data));
  memory->node_data_bytes = sizeof(LogisticData);
  return Status::Ok();
}

Status Prepare(const NodeContext& node, void* node_data) {
  return Check(node, static_cast<LogisticData*>(node_data));
}

void LogisticFloat(int32_t count, const float* input, float* output) {
  const float cutoff_upper = 16.619047164916992188f;
  const float cutoff_lower = -9.0f;
  for (int32_t i = 0; i < count; ++i) {
    const float x = input[i];
    if (x > cutoff_upper)
      output[i] = 1.0f;
    else if (x < cutoff_lower)
      output[i] = expf(x);
    else
      output[i] = 1.0f / (1.0f + expf(-x));
  }
}

void LogisticInt8(const LogisticData& d, const int8_t* input, int8_t* output, Rounding rounding) {
  for (int32_t i = 0; i < d.count; ++i) {
    const int32_t x = static_cast<int32_t>(input[i]) - d.input_zero_point;
    if (x <= -d.input_range_radius) {
      output[i] = -128;
    } else if (x >= d.input_range_radius) {
      output[i] = 127;
    } else {
      const int32_t x_in_q4 = fixed_point::MultiplyByQuantizedMultiplier(
          x, d.input_multiplier, d.input_left_shift, rounding);
      const int32_t y_in_q0 = fixed_point::Logistic<kInputIntegerBits>(x_in_q4);
      const int32_t y = fixed_point::RoundingDivideByPOT(y_in_q0, 31 - 8) - 128;
      output[i] = static_cast<int8_t>(fixed_point::Clamp(y, -128, 127));
    }
  }
}

Status Eval(const NodeContext& node, const void* node_data, void*) {
  const LogisticData& d = *static_cast<const LogisticData*>(node_data);
  if (d.is_float)
    LogisticFloat(d.count, node.input(0).data_as<const float>(), node.output(0).data_as<float>());
  else
    LogisticInt8(d, node.input(0).data_as<const int8_t>(), node.output(0).data_as<int8_t>(),
                 node.rounding());
  return Status::Ok();
}

}  // namespace

const KernelRegistration& Logistic() {
  static const KernelRegistration registration = {BuiltinOperator::kLogistic, Plan, Prepare, Eval,
                                                  false};
  return registration;
}

}  // namespace kernels
}  // namespace picoml
