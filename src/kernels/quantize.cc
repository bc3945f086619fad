// QUANTIZE: float32 -> int8, and int8 -> int8 (requantize), any shape.
//
// float32 -> int8 (LiteRT's reference AffineQuantize): q = clamp(int(round(x /
// scale)) + zero_point, -128, 127) where x / scale is a float division and
// round is roundf (TfLiteRound: half away from zero). Values whose rounded
// quotient does not fit int32 (LiteRT's conversion is undefined there)
// saturate to -128 / 127 here; NaN gives the zero point.
//
// int8 -> int8 (LiteRT's Requantize): (multiplier, shift) =
// QuantizeMultiplier(input_scale / output_scale) in double; q =
// clamp(MultiplyByQuantizedMultiplier(x - input_zero_point, multiplier, shift)
// + output_zero_point, -128, 127), rounded as node.rounding() says.
#include <math.h>
#include <stdint.h>

#include "kernels/fixed_point.h"
#include "kernels/tensor_checks.h"
#include "picoml/kernels.h"

namespace picoml {
namespace kernels {
namespace {

struct QuantizeData {
  int32_t count;
  int32_t from_float;
  float output_scale;
  int32_t output_zero_point;
  int32_t input_zero_point;
  int32_t multiplier;
  int32_t shift;
};

Status Check(const NodeContext& node, QuantizeData* data) {
  PICOML_RETURN_IF_ERROR(checks::CheckArity(node, 1, 1));
  const Tensor input = node.input(0);
  const Tensor output = node.output(0);
  if ((input.type != TensorType::kFloat32 && input.type != TensorType::kInt8) ||
      output.type != TensorType::kInt8)
    return Status::Error(StatusCode::kUnsupported,
                         "%s -> %s is not supported (FLOAT32 -> INT8 and INT8 -> INT8 are)",
                         TensorTypeName(input.type), TensorTypeName(output.type));
  PICOML_RETURN_IF_ERROR(checks::CheckSameShape(input, output));
  PICOML_RETURN_IF_ERROR(checks::CheckElementCount(input, "input"));
  PICOML_RETURN_IF_ERROR(checks::CheckPerTensorInt8(output, "output"));
  const QuantizationParams out_q = output.quantization.PerTensor();
  data->count = static_cast<int32_t>(input.ElementCount());
  data->from_float = input.type == TensorType::kFloat32 ? 1 : 0;
  data->output_scale = out_q.scale;
  data->output_zero_point = out_q.zero_point;
  data->input_zero_point = 0;
  data->multiplier = 0;
  data->shift = 0;
  if (data->from_float) return Status::Ok();

  PICOML_RETURN_IF_ERROR(checks::CheckPerTensorInt8(input, "input"));
  const QuantizationParams in_q = input.quantization.PerTensor();
  PICOML_RETURN_IF_ERROR(checks::CheckRequantizationScale(
      static_cast<double>(in_q.scale) / static_cast<double>(out_q.scale),
      "input scale / output scale"));
  data->input_zero_point = in_q.zero_point;
  int shift = 0;
  fixed_point::QuantizeMultiplier(
      static_cast<double>(in_q.scale) / static_cast<double>(out_q.scale), &data->multiplier, &shift,
      node.rounding());
  data->shift = shift;
  return Status::Ok();
}

Status Plan(const NodeContext& node, KernelMemory* memory) {
  QuantizeData data;
  PICOML_RETURN_IF_ERROR(Check(node, &data));
  memory->node_data_bytes = sizeof(QuantizeData);
  return Status::Ok();
}

Status Prepare(const NodeContext& node, void* node_data) {
  return Check(node, static_cast<QuantizeData*>(node_data));
}

Status Eval(const NodeContext& node, const void* node_data, void*) {
  const QuantizeData& d = *static_cast<const QuantizeData*>(node_data);
  int8_t* output = node.output(0).data_as<int8_t>();
  if (d.from_float) {
    const float* input = node.input(0).data_as<const float>();
    for (int32_t i = 0; i < d.count; ++i)
      output[i] = fixed_point::QuantizeFloatToInt8(input[i], d.output_scale, d.output_zero_point);
    return Status::Ok();
  }
  const int8_t* input = node.input(0).data_as<const int8_t>();
  const Rounding rounding = node.rounding();
  for (int32_t i = 0; i < d.count; ++i) {
    const int32_t value = fixed_point::MultiplyByQuantizedMultiplier(
                              input[i] - d.input_zero_point, d.multiplier, d.shift, rounding) +
                          d.output_zero_point;
    output[i] = static_cast<int8_t>(fixed_point::Clamp(value, -128, 127));
  }
  return Status::Ok();
}

}  // namespace

const KernelRegistration& Quantize() {
  static const KernelRegistration registration = {BuiltinOperator::kQuantize, Plan, Prepare, Eval,
                                                  false};
  return registration;
}

}  // namespace kernels
}  // namespace picoml
