// RELU and RELU6, float32 and int8, as LiteRT for Microcontrollers computes
// them (TFLM activations.cc / activations_common.cc):
//  - RELU int8 requantizes: output = clamp(output_zero_point +
//    MultiplyByQuantizedMultiplier(x - input_zero_point, input_scale /
//    output_scale), max(-128, output_zero_point), 127).
//  - RELU6 int8 does not requantize: it clamps the input bytes to
//    [input_zero_point, quantize(6.0)] in the input's own quantization and
//    copies them, so the output is meaningful only when the converter gave
//    input and output the same quantization (it does).
//  - float: max(x, 0) and min(max(x, 0), 6); NaN passes through.
#include <math.h>

#include "kernels/fixed_point.h"
#include "kernels/tensor_checks.h"
#include "picoml/kernel.h"
#include "picoml/kernels.h"

namespace picoml {
namespace kernels {
namespace {

struct ReluData {
  int32_t input_zero_point;
  int32_t output_zero_point;
  int32_t multiplier;
  int32_t shift;
  int32_t activation_min;
  int32_t activation_max;
};

struct Relu6Data {
  int32_t zero;  // 0.0 in the input's quantization
  int32_t six;   // 6.0 in the input's quantization, clamped to int8
};

Status CheckPerTensorInt8(const Tensor& t, const char* which) {
  if (t.quantization.count() != 1)
    return Status::Error(StatusCode::kUnsupported,
                         "int8 %s needs per-tensor quantization (one scale), it has %u", which,
                         static_cast<unsigned>(t.quantization.count()));
  if (!(t.quantization.scale(0) > 0.0f))
    return Status::Error(StatusCode::kInvalidModel, "%s has a scale that is not positive", which);
  const int32_t zero_point = t.quantization.zero_point(0);
  if (zero_point < -128 || zero_point > 127)
    return Status::Error(StatusCode::kInvalidModel,
                         "int8 %s has zero point %d, outside [-128, 127]", which,
                         static_cast<int>(zero_point));
  return Status::Ok();
}

// Checks shared by both operators; `node_data_bytes` is what int8 needs.
Status PlanActivation(const NodeContext& node, uint32_t node_data_bytes, KernelMemory* memory) {
  if (node.input_count() != 1 || node.output_count() != 1 || !node.has_input(0))
    return Status::Error(StatusCode::kInvalidModel, "takes 1 input and 1 output, has %d and %d",
                         node.input_count(), node.output_count());
  const Tensor input = node.input(0);
  const Tensor output = node.output(0);
  if (input.type != output.type)
    return Status::Error(StatusCode::kInvalidModel,
                         "input is %s, output is %s; both must have one type",
                         TensorTypeName(input.type), TensorTypeName(output.type));
  if (input.type != TensorType::kInt8 && input.type != TensorType::kFloat32)
    return Status::Error(StatusCode::kUnsupported, "type %s is not supported; use INT8 or FLOAT32",
                         TensorTypeName(input.type));
  if (!input.shape.Equals(output.shape))
    return Status::Error(StatusCode::kInvalidModel,
                         "output shape differs from the input's (%ld and %ld elements); an "
                         "activation keeps the shape",
                         static_cast<long>(output.ElementCount()),
                         static_cast<long>(input.ElementCount()));
  if (input.type == TensorType::kInt8) {
    PICOML_RETURN_IF_ERROR(CheckPerTensorInt8(input, "input"));
    PICOML_RETURN_IF_ERROR(CheckPerTensorInt8(output, "output"));
    memory->node_data_bytes = node_data_bytes;
  }
  return Status::Ok();
}

Status PlanRelu(const NodeContext& node, KernelMemory* memory) {
  PICOML_RETURN_IF_ERROR(PlanActivation(node, sizeof(ReluData), memory));
  const Tensor input = node.input(0);
  if (input.type != TensorType::kInt8) return Status::Ok();
  return checks::CheckRequantizationScale(
      static_cast<double>(input.quantization.scale(0)) /
          static_cast<double>(node.output(0).quantization.scale(0)),
      "input scale / output scale");
}

Status PlanRelu6(const NodeContext& node, KernelMemory* memory) {
  return PlanActivation(node, sizeof(Relu6Data), memory);
}

Status PrepareRelu(const NodeContext& node, void* node_data) {
  const Tensor input = node.input(0);
  if (input.type != TensorType::kInt8) return Status::Ok();
  const QuantizationParams in = input.quantization.PerTensor();
  const QuantizationParams out = node.output(0).quantization.PerTensor();
  ReluData* data = static_cast<ReluData*>(node_data);
  data->input_zero_point = in.zero_point;
  data->output_zero_point = out.zero_point;
  int shift;
  fixed_point::QuantizeMultiplier(static_cast<double>(in.scale) / static_cast<double>(out.scale),
                                  &data->multiplier, &shift, node.rounding());
  data->shift = shift;
  // Quantized 0.0 is the output zero point itself (round(0 / scale) == 0).
  data->activation_min = fixed_point::Max(-128, out.zero_point);
  data->activation_max = 127;
  return Status::Ok();
}

Status PrepareRelu6(const NodeContext& node, void* node_data) {
  const Tensor input = node.input(0);
  if (input.type != TensorType::kInt8) return Status::Ok();
  const QuantizationParams in = input.quantization.PerTensor();
  Relu6Data* data = static_cast<Relu6Data*>(node_data);
  data->zero = in.zero_point;
  // TFLM's FloatToQuantizedType: round(6.0f / scale) + zero_point, clamped.
  double six = round(static_cast<double>(6.0f / in.scale)) + in.zero_point;
  if (six > 127.0) six = 127.0;
  if (six < -128.0) six = -128.0;
  data->six = static_cast<int32_t>(six);
  return Status::Ok();
}

Status EvalRelu(const NodeContext& node, const void* node_data, void*) {
  const Tensor input = node.input(0);
  const Tensor output = node.output(0);
  const int32_t count = static_cast<int32_t>(input.ElementCount());
  if (input.type == TensorType::kFloat32) {
    const float* in = input.data_as<const float>();
    float* out = output.data_as<float>();
    for (int32_t i = 0; i < count; ++i) out[i] = in[i] < 0.0f ? 0.0f : in[i];
    return Status::Ok();
  }
  const ReluData& d = *static_cast<const ReluData*>(node_data);
  const int8_t* in = input.data_as<const int8_t>();
  int8_t* out = output.data_as<int8_t>();
  const Rounding rounding = node.rounding();
  for (int32_t i = 0; i < count; ++i) {
    const int32_t value =
        d.output_zero_point + fixed_point::MultiplyByQuantizedMultiplier(
                                  in[i] - d.input_zero_point, d.multiplier, d.shift, rounding);
    out[i] = static_cast<int8_t>(fixed_point::Clamp(value, d.activation_min, d.activation_max));
  }
  return Status::Ok();
}

Status EvalRelu6(const NodeContext& node, const void* node_data, void*) {
  const Tensor input = node.input(0);
  const Tensor output = node.output(0);
  const int32_t count = static_cast<int32_t>(input.ElementCount());
  if (input.type == TensorType::kFloat32) {
    const float* in = input.data_as<const float>();
    float* out = output.data_as<float>();
    for (int32_t i = 0; i < count; ++i) {
      const float x = in[i];
      out[i] = x > 6.0f ? 6.0f : (x < 0.0f ? 0.0f : x);
    }
    return Status::Ok();
  }
  const Relu6Data& d = *static_cast<const Relu6Data*>(node_data);
  const int8_t* in = input.data_as<const int8_t>();
  int8_t* out = output.data_as<int8_t>();
  for (int32_t i = 0; i < count; ++i) {
    const int32_t x = in[i];
    out[i] = static_cast<int8_t>(x > d.six ? d.six : (x < d.zero ? d.zero : x));
  }
  return Status::Ok();
}

const KernelRegistration kRelu = {BuiltinOperator::kRelu, PlanRelu, PrepareRelu, EvalRelu, false};
const KernelRegistration kRelu6 = {BuiltinOperator::kRelu6, PlanRelu6, PrepareRelu6, EvalRelu6,
                                   false};

}  // namespace

const KernelRegistration& Relu() { return kRelu; }
const KernelRegistration& Relu6() { return kRelu6; }

}  // namespace kernels
}  // namespace picoml
