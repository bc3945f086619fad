// ADD: output = input1 + input2, elementwise with broadcasting, then the
// fused activation of AddOptions.
//
// int8 follows LiteRT's quantized ADD (TFLM add_common.cc and the reference
// integer_ops/add.h): both inputs are brought to a common scale of twice the
// larger input scale, with 20 bits of headroom:
//   scaled_i = MultiplyByQuantizedMultiplier((x_i - zero_point_i) << 20,
//                                            scale_i / (2 * max_scale))
//   output   = MultiplyByQuantizedMultiplier(scaled_1 + scaled_2,
//                                            2 * max_scale / (2^20 * output_scale))
//              + output_zero_point, clamped to the activation range.
// Every multiplier is below one (LiteRT's ...SmallerThanOneExp variants),
// which round exactly as the general function does for shifts <= 0 in both
// the double- and the single-rounding build.
#include "kernels/broadcast.h"
#include "kernels/fixed_point.h"
#include "kernels/tensor_checks.h"
#include "picoml/kernel.h"
#include "picoml/kernels.h"
#include "picoml/schema.h"

namespace picoml {
namespace kernels {
namespace {

constexpr int kLeftShift = 20;

struct AddData {
  broadcast::BroadcastPlan broadcast;
  int32_t requires_broadcast;
  int32_t input1_offset;  // -zero_point
  int32_t input2_offset;
  int32_t output_offset;  // +zero_point
  int32_t input1_multiplier;
  int32_t input1_shift;
  int32_t input2_multiplier;
  int32_t input2_shift;
  int32_t output_multiplier;
  int32_t output_shift;
  int32_t activation_min;
  int32_t activation_max;
  float float_activation_min;
  float float_activation_max;
};

Status ReadActivation(const NodeContext& node, Activation* activation) {
  return checks::ReadElementwiseActivation(node, schema::BuiltinOptionsType::kAddOptions,
                                           "AddOptions", activation);
}

double TwiceMaxInputScale(const Tensor& input1, const Tensor& input2) {
  const float s1 = input1.quantization.scale(0);
  const float s2 = input2.quantization.scale(0);
  return 2.0 * static_cast<double>(s1 > s2 ? s1 : s2);
}

double RealOutputMultiplier(const Tensor& input1, const Tensor& input2, const Tensor& output) {
  return TwiceMaxInputScale(input1, input2) /
         (static_cast<double>(1 << kLeftShift) * static_cast<double>(output.quantization.scale(0)));
}

Status Plan(const NodeContext& node, KernelMemory* memory) {
  if (node.input_count() != 2 || node.output_count() != 1 || !node.has_input(0) ||
      !node.has_input(1))
    return Status::Error(StatusCode::kInvalidModel,
                         "ADD takes 2 inputs and 1 output, has %d and %d", node.input_count(),
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
    // LiteRT requires this multiplier below one (QuantizeMultiplierSmallerThanOneExp).
    if (!(RealOutputMultiplier(input1, input2, output) < 1.0))
      return Status::Error(StatusCode::kUnsupported,
                           "output scale is too small for int8 ADD: it must exceed "
                           "2 * max(input scales) / 2^20");
  }
  memory->node_data_bytes = sizeof(AddData);
  return Status::Ok();
}

Status Prepare(const NodeContext& node, void* node_data) {
  AddData* data = static_cast<AddData*>(node_data);
  *data = AddData();
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
  const double twice_max = TwiceMaxInputScale(input1, input2);
  const Rounding rounding = node.rounding();
  int shift;
  fixed_point::QuantizeMultiplier(static_cast<double>(q1.scale) / twice_max,
                                  &data->input1_multiplier, &shift, rounding);
  data->input1_shift = shift;
  fixed_point::QuantizeMultiplier(static_cast<double>(q2.scale) / twice_max,
                                  &data->input2_multiplier, &shift, rounding);
  data->input2_shift = shift;
  fixed_point::QuantizeMultiplier(RealOutputMultiplier(input1, input2, output),
                                  &data->output_multiplier, &shift, rounding);
  data->output_shift = shift;
  fixed_point::ActivationRangeInt8(activation, qo.scale, qo.zero_point, &data->activation_min,
                                   &data->activation_max);
  return Status::Ok();
}

inline int8_t AddInt8(int8_t x1, int8_t x2, const AddData& d, Rounding rounding) {
  using fixed_point::MultiplyByQuantizedMultiplier;
  const int32_t shifted1 = (d.input1_offset + x1) * (1 << kLeftShift);
  const int32_t shifted2 = (d.input2_offset + x2) * (1 << kLeftShift);
  const int32_t scaled1 =
      MultiplyByQuantizedMultiplier(shifted1, d.input1_multiplier, d.input1_shift, rounding);
  const int32_t scaled2 =
      MultiplyByQuantizedMultiplier(shifted2, d.input2_multiplier, d.input2_shift, rounding);
  const int32_t sum = scaled1 + scaled2;
  const int32_t result =
      MultiplyByQuantizedMultiplier(sum, d.output_multiplier, d.output_shift, rounding) +
      d.output_offset;
  return static_cast<int8_t>(fixed_point::Clamp(result, d.activation_min, d.activation_max));
}

Status Eval(const NodeContext& node, const void* node_data, void*) {
  const AddData& d = *static_cast<const AddData*>(node_data);
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
      for (int32_t i = 0; i < count; ++i) out[i] = fixed_point::ClampFloat(a[i] + b[i], lo, hi);
    } else {
      broadcast::ForEachIndex(d.broadcast, [&](int32_t o, int32_t i1, int32_t i2) {
        out[o] = fixed_point::ClampFloat(a[i1] + b[i2], lo, hi);
      });
    }
    return Status::Ok();
  }
  const int8_t* a = input1.data_as<const int8_t>();
  const int8_t* b = input2.data_as<const int8_t>();
  int8_t* out = output.data_as<int8_t>();
  const Rounding rounding = node.rounding();
  if (!d.requires_broadcast) {
    for (int32_t i = 0; i < count; ++i) out[i] = AddInt8(a[i], b[i], d, rounding);
  } else {
    broadcast::ForEachIndex(d.broadcast, [&](int32_t o, int32_t i1, int32_t i2) {
      out[o] = AddInt8(a[i1], b[i2], d, rounding);
    });
  }
  return Status::Ok();
}

const KernelRegistration kAdd = {BuiltinOperator::kAdd, Plan, Prepare, Eval, false};

}  // namespace

const KernelRegistration& Add() { return kAdd; }

}  // namespace kernels
}  // namespace picoml
