// SOFTMAX over the last dimension, any rank >= 1: int8 -> int8 and float32.
//
// float32 (LiteRT's reference Softmax): per row, max; then exp((x - max) *
// beta) with expf, summed in order; then each exp / sum.
//
// int8 (LiteRT's reference_ops::Softmax, which TFLM runs for int8 -> int8):
// the output must have scale 1/256 and zero point -128 (LiteRT's rule).
// Prepare: (input_multiplier, input_left_shift) = PreprocessSoftmaxScaling(
// beta, input_scale) so that a difference (x - max) becomes Q5.26 (5 integer
// bits); diff_min = -CalculateInputRadius(5, input_left_shift): differences
// below it contribute nothing and give -128. Per row:
//   sum = sum over kept x of Rescale to Q12 (RoundingDivideByPOT(.., 12)) of
//         exp_on_negative_values(MultiplyByQuantizedMultiplierGreaterThanOne(
//         x - max, input_multiplier, input_left_shift));
//   (scale, n) = reciprocal of sum (Q0 value, exponent n: GetReciprocal);
//   out = clamp(RoundingDivideByPOT(SRDHM(scale, exp), n + 31 - 8) - 128).
// node.rounding() changes two things, as TFLITE_SINGLE_ROUNDING does: the
// multiplier cap (2^31 - 1 double, 2^30 - 1 single) and the input rescale
// (double: SRDHM(diff * 2^shift, multiplier); single: one rounding of
// diff * multiplier / 2^(31 - shift)). The rest is gemmlowp fixed point.
#include <math.h>
#include <stdint.h>

#include "kernels/fixed_point_exp.h"
#include "kernels/tensor_checks.h"
#include "picoml/kernels.h"

namespace picoml {
namespace kernels {
namespace {

constexpr int kScaledDiffIntegerBits = 5;
constexpr int kAccumulationIntegerBits = 12;

struct SoftmaxData {
  int32_t rows;
  int32_t depth;
  int32_t is_float;
  float beta;
  int32_t input_multiplier;
  int32_t input_left_shift;
  int32_t diff_min;
};

Status Check(const NodeContext& node, SoftmaxData* data) {
  PICOML_RETURN_IF_ERROR(checks::CheckArity(node, 1, 1));
  PICOML_RETURN_IF_ERROR(checks::CheckOptions(node, schema::BuiltinOptionsType::kSoftmaxOptions,
                                              "SoftmaxOptions", /*required=*/true));
  const Tensor input = node.input(0);
  const Tensor output = node.output(0);
  if (input.type != output.type)
    return Status::Error(StatusCode::kUnsupported,
                         "input is %s but output is %s (INT8 -> INT8 and FLOAT32 -> FLOAT32 are "
                         "supported)",
                         TensorTypeName(input.type), TensorTypeName(output.type));
  if (input.type != TensorType::kInt8 && input.type != TensorType::kFloat32)
    return Status::Error(StatusCode::kUnsupported,
                         "input type %s is not supported (INT8 and FLOAT32 are)",
                         TensorTypeName(input.type));
  if (input.shape.rank < 1)
    return Status::Error(StatusCode::kInvalidModel,
                         "input must have rank >= 1 (softmax runs over the last dimension)");
  PICOML_RETURN_IF_ERROR(checks::CheckSameShape(input, output));
  PICOML_RETURN_IF_ERROR(checks::CheckElementCount(input, "input"));
  data->depth = input.shape.Dim(-1);
  data->rows = data->depth == 0 ? 0 : static_cast<int32_t>(input.ElementCount() / data->depth);
  data->beta = node.options().Scalar<float>(schema::softmax_options::kBeta, 0.0f);
  data->is_float = input.type == TensorType::kFloat32 ? 1 : 0;
  data->input_multiplier = 0;
  data->input_left_shift = 0;
  data->diff_min = 0;
  if (data->is_float) return Status::Ok();

  PICOML_RETURN_IF_ERROR(checks::CheckPerTensorInt8(input, "input"));
  PICOML_RETURN_IF_ERROR(checks::CheckPerTensorInt8(output, "output"));
  // The Q12 sum of up to 4095 exps (each <= 1) stays below 2^31; more would wrap.
  if (data->depth > 4095)
    return Status::Error(StatusCode::kUnsupported,
                         "int8 softmax over %d values per row; at most 4095 are supported "
                         "(LiteRT's sum of exps would overflow), use float32 or a smaller "
                         "last dimension",
                         static_cast<int>(data->depth));
  const QuantizationParams out_q = output.quantization.PerTensor();
  if (out_q.zero_point != -128 || out_q.scale != 1.0f / 256.0f)
    return Status::Error(StatusCode::kUnsupported,
                         "int8 output must have scale 1/256 and zero point -128 (LiteRT's rule "
                         "for int8 softmax); it has zero point %d; re-quantize the model",
                         static_cast<int>(out_q.zero_point));
  int shift = 0;
  if (!fixed_point::PreprocessSoftmaxScaling(
          static_cast<double>(data->beta),
          static_cast<double>(input.quantization.PerTensor().scale), kScaledDiffIntegerBits,
          node.rounding(), &data->input_multiplier, &shift))
    return Status::Error(StatusCode::kUnsupported,
                         "beta * input scale must be above 2^-26 for int8 softmax (LiteRT's "
                         "limit); check the beta option and the input quantization");
  data->input_left_shift = shift;
  data->diff_min = -fixed_point::CalculateInputRadius(kScaledDiffIntegerBits, shift);
  return Status::Ok();
}

Status Plan(const NodeContext& node, KernelMemory* memory) {
  SoftmaxData data;
  PICOML_RETURN_IF_ERROR(Check(node, &data));
  memory->node_data_bytes = sizeof(SoftmaxData);
  return Status::Ok();
}

Status Prepare(const NodeContext& node, void* node_data) {
  return Check(node, static_cast<SoftmaxData*>(node_data));
}

void SoftmaxFloat(const SoftmaxData& d, const float* input, float* output) {
  for (int32_t row = 0; row < d.rows; ++row) {
    const float* in = input + static_cast<int64_t>(row) * d.depth;
    float* out = output + static_cast<int64_t>(row) * d.depth;
    float max = -3.40282346638528859812e+38f;  // numeric_limits<float>::lowest()
    for (int32_t c = 0; c < d.depth; ++c) max = max < in[c] ? in[c] : max;
    float sum = 0.0f;
    for (int32_t c = 0; c < d.depth; ++c) {
      const float e = expf((in[c] - max) * d.beta);
      out[c] = e;
      sum += e;
    }
    for (int32_t c = 0; c < d.depth; ++c) out[c] = out[c] / sum;
  }
}

// exp(x - max) in Q0 for a kept difference.
inline int32_t ExpOfDifference(const SoftmaxData& d, int32_t difference, Rounding rounding) {
  // With a shift >= 0 this is LiteRT's MultiplyByQuantizedMultiplierGreaterThanOne
  // in both rounding modes.
  const int32_t scaled = fixed_point::MultiplyByQuantizedMultiplier(difference, d.input_multiplier,
                                                                    d.input_left_shift, rounding);
  return fixed_point::ExpOnNegativeValues<kScaledDiffIntegerBits>(scaled);
}

void SoftmaxInt8(const SoftmaxData& d, const int8_t* input, int8_t* output, Rounding rounding) {
  for (int32_t row = 0; row < d.rows; ++row) {
    const int8_t* in = input + static_cast<int64_t>(row) * d.depth;
    int8_t* out = output + static_cast<int64_t>(row) * d.depth;
    int32_t max = -128;
    for (int32_t c = 0; c < d.depth; ++c) max = fixed_point::Max(max, in[c]);

    int32_t sum_of_exps = 0;  // Q12
    for (int32_t c = 0; c < d.depth; ++c) {
      const int32_t difference = in[c] - max;
      if (difference < d.diff_min) continue;
      sum_of_exps = fixed_point::WrappingAdd(
          sum_of_exps, fixed_point::Rescale(ExpOfDifference(d, difference, rounding), 0,
                                            kAccumulationIntegerBits));
    }
    int num_bits_over_unit = 0;
    const int32_t reciprocal =
        fixed_point::Reciprocal(sum_of_exps, kAccumulationIntegerBits, &num_bits_over_unit);
    const int exponent = num_bits_over_unit + 31 - 8;

    for (int32_t c = 0; c < d.depth; ++c) {
      const int32_t difference = in[c] - max;
      if (difference < d.diff_min) {
        out[c] = -128;
        continue;
      }
      const int32_t exp = ExpOfDifference(d, difference, rounding);
      const int32_t unsaturated = fixed_point::RoundingDivideByPOTAnyExponent(
          fixed_point::SaturatingRoundingDoublingHighMul(reciprocal, exp), exponent);
      out[c] = static_cast<int8_t>(fixed_point::Clamp(unsaturated - 128, -128, 127));
    }
  }
}

Status Eval(const NodeContext& node, const void* node_data, void*) {
  const SoftmaxData& d = *static_cast<const SoftmaxData*>(node_data);
  if (d.is_float)
    SoftmaxFloat(d, node.input(0).data_as<const float>(), node.output(0).data_as<float>());
  else
    SoftmaxInt8(d, node.input(0).data_as<const int8_t>(), node.output(0).data_as<int8_t>(),
                node.rounding());
  return Status::Ok();
}

}  // namespace

const KernelRegistration& Softmax() {
  static const KernelRegistration registration = {BuiltinOperator::kSoftmax, Plan, Prepare, Eval,
                                                  false};
  return registration;
}

}  // namespace kernels
}  // namespace picoml
