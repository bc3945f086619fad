// MUL: output = input1 * input2, elementwise with broadcasting, then the
// fused activation of MulOptions.
//
// int8 follows LiteRT's quantized MUL (TFLM mul_common.cc, reference
// integer_ops/mul.h): the product of the zero-point-corrected inputs is
// requantized once with the real multiplier
//   input1_scale * input2_scale / output_scale
// (any size: QuantizeMultiplier, not the smaller-than-one variant), then the
// output zero point is added and the result clamped to the activation range.
#include "kernels/broadcast.h"
#include "kernels/fixed_point.h"
#include "kernels/tensor_checks.h"
#include "picoml/kernel.h"
#include "picoml/kernels.h"
#include "picoml/schema.h"

namespace picoml {
namespace kernels {
namespace {

struct MulData {
  broadcast::BroadcastPlan broadcast;
  int32_t requires_broadcast;
  int32_t input1_offset;  // -zero_point
  int32_t input2_offset;
  int32_t output_offset;  // +zero_point
  int32_t output_multiplier;
  int32_t output_shift;
  int32_t activation_min;
  int32_t activation_max;
  float float_activation_min;
  float float_activation_max;
};

Status ReadActivation(const NodeContext& node, Activation* activation) {
  return checks::ReadElementwiseActivation(node, schema::BuiltinOptionsType::kMulOptions,
                                           "MulOptions", activation);
}

Status Plan(const NodeContext& node, KernelMemory* memory) {
  if (node.input_count() != 2 || node.output_count() != 1 || !node.has_input(0) ||
      !node.has_input(1))
    return Status::Error(StatusCode::kInvalidModel,
                         "MUL takes 2 inputs and 1 output, has %d and %d", node.input_count(),
                         node.output_count());
  const Tensor input1 = node.input(0);
  const Tensor input2 = node.input(1);
  const Tensor output = node.output(0);
  if (input1.type != output.type || input2.type != output.type)
    return Status::Error(StatusCode::kInvalidModel,
                         "inputs are %s and %s, output is %s; all three must have one type",
                         TensorTypeName(input1.type), TensorTypeName(input2.type),
                         TensorTypeName(output.type));
  if (output.type != TensorType::kInt8 && output.type != TensorType::kFloat32)
    return Status::Error(StatusCode::kUnsupported, "type %s is not supported; use INT8 or FLOAT32",
                         TensorTypeName(output.type));
  Activation activation = Activation::kNone;
  PICOML_RETURN_IF_ERROR(ReadActivation(node, &activation));
  PICOML_RETURN_IF_ERROR(broadcast::CheckBroadcastOutput(input1.shape, input2.shape, output.shape));
  if (output.type == TensorType::kInt8) {
    PICOML_RETURN_IF_ERROR(checks::CheckPerTensorInt8(input1, "input 0"));
    PICOML_RETURN_IF_ERROR(checks::CheckPerTensorInt8(input2, "input 1"));
    PICOML_RETURN_IF_ERROR(checks::CheckPerTensorInt8(output, "output"));
    PICOML_RETURN_IF_ERROR(
        checks::CheckRequantizationScale(static_cast<double>(input1.quantization.scale(0)) *
                                             static_cast<double>(input2.quantization.scale(0)) /
                                             static_cast<double>(output.quantization.scale(0)),
                                         "input 0 scale x input 1 scale / output scale"));
  }
  memory->node_data_bytes = sizeof(MulData);
  return Status::Ok();
}

Status Prepare(const NodeContext& node, void* node_data) {
  MulData* data = static_cast<MulData*>(node_data);
  *data = MulData();
  const Tensor input1 = node.input(0);
  const Tensor input2 = node.input(1);
  const Tensor output = node.output(0);
  Activation activation = Activation::kNone;
  PICOML_RETURN_IF_ERROR(ReadActivation(node, &activation));
  data->requires_broadcast = input1.shape.Equals(input2.shape) ? 0 : 1;
  broadcast::MakeBroadcastPlan(input1.shape, input2.shape, output.shape, &data->broadcast);
  if (output.type == TensorType::kFloat32) {
    fixed_point::FiniteActivationRangeFloat(activation, &data->float_activation_min,
                                            &data->float_activation_max);
    return Status::Ok();
  }
  const QuantizationParams q1 = input1.quantization.PerTensor();
  const QuantizationParams q2 = input2.quantization.PerTensor();
  const QuantizationParams qo = output.quantization.PerTensor();
  data->input1_offset = -q1.zero_point;
  data->input2_offset = -q2.zero_point;
  data->output_offset = qo.zero_point;
  const double real_multiplier =
      static_cast<double>(q1.scale) * static_cast<double>(q2.scale) / static_cast<double>(qo.scale);
  int shift;
  fixed_point::QuantizeMultiplier(real_multiplier, &data->output_multiplier, &shift,
                                  node.rounding());
  data->output_shift = shift;
  fixed_point::ActivationRangeInt8(activation, qo.scale, qo.zero_point, &data->activation_min,
                                   &data->activation_max);
  return Status::Ok();
}

inline int8_t MulInt8(int8_t x1, int8_t x2, const MulData& d, Rounding rounding) {
  const int32_t product = (d.input1_offset + x1) * (d.input2_offset + x2);
  const int32_t result =
      d.output_offset + fixed_point::MultiplyByQuantizedMultiplier(product, d.output_multiplier,
                                                                   d.output_shift, rounding);
  return static_cast<int8_t>(fixed_point::Clamp(result, d.activation_min, d.activation_max));
}

Status Eval(const NodeContext& node, const void* node_data, void*) {
  const MulData& d = *static_cast<const MulData*>(node_data);
  const Tensor input1 = node.input(0);
  const Tensor input2 = node.input(1);
  const Tensor output = node.output(0);
  const int32_t count = static_cast<int32_t>(output.ElementCount());
  if (output.type == TensorType::kFloat32) {
    const float* a = input1.data_as<const float>();
    const float* b = input2.data_as<const float>();
    float* out = output.data_as<float>();
    const float lo = d.float_activation_min, hi = d.float_activation_max;
    if (!d.requires_broadcast) {
      for (int32_t i = 0; i < count; ++i) out[i] = fixed_point::ClampFloat(a[i] * b[i], lo, hi);
    } else {
      broadcast::ForEachIndex(d.broadcast, [&](int32_t o, int32_t i1, int32_t i2) {
        out[o] = fixed_point::ClampFloat(a[i1] * b[i2], lo, hi);
      });
    }
    return Status::Ok();
  }
  const int8_t* a = input1.data_as<const int8_t>();
  const int8_t* b = input2.data_as<const int8_t>();
  int8_t* out = output.data_as<int8_t>();
  const Rounding rounding = node.rounding();
  if (!d.requires_broadcast) {
    for (int32_t i = 0; i < count; ++i) out[i] = MulInt8(a[i], b[i], d, rounding);
  } else {
    broadcast::ForEachIndex(d.broadcast, [&](int32_t o, int32_t i1, int32_t i2) {
      out[o] = MulInt8(a[i1], b[i2], d, rounding);
    });
  }
  return Status::Ok();
}

const KernelRegistration kMul = {BuiltinOperator::kMul, Plan, Prepare, Eval, false};

}  // namespace

const KernelRegistration& Mul() { return kMul; }

}  // namespace kernels
}  // namespace picoml
