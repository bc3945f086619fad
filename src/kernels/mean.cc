// MEAN: the average over the axes listed in the constant int32 input 1, for
// int8 and float32 tensors of any rank up to 6, with ReducerOptions.keep_dims
// (absent options: keep_dims false).
//
// Axes: negative values count from the end, repeats are ignored, an empty
// list copies (float) or requantizes (int8) the input.
//
// Which LiteRT for Microcontrollers path this reproduces (tflite-micro's
// kernels/reduce_common.cc, EvalMeanHelper, and the reference reduce.h):
//  - float32: sums in the input's row-major order into the output, then
//    divides by the element count in float. (TFLM's special 4-D {1,2}
//    keep_dims routine adds in the same order and divides by the same count,
//    so one routine gives both bit for bit.)
//  - int8, input and output with the same scale and zero point: the int32 sum
//    of the raw values divided by the count with C++'s truncating division
//    (reference_ops::Mean<int8_t, int32_t>). No requantization, so the
//    rounding mode does not matter.
//  - int8 otherwise (e.g. global average pooling exported as MEAN over {1,2}
//    with new quantization): reference_ops::QuantizedMeanOrSum. Prepare takes
//    (multiplier, shift) = QuantizeMultiplier(input_scale / output_scale);
//    the 1/count factor is folded in: s = floor(log2(count)) limited to 32 and
//    to 31 + shift, multiplier = (multiplier << s) / count (int64, truncating),
//    shift -= s. Each output is then
//      clamp(MultiplyByQuantizedMultiplier(sum - input_zero_point * count,
//            multiplier, shift) + output_zero_point, -128, 127).
//    node.rounding() picks the multiply: kDouble is TFLM's default (rounding
//    doubling high multiply, then rounding right shift); kSingle is
//    TFLITE_SINGLE_ROUNDING (one rounding, and QuantizeMultiplier saturates
//    shifts above 30).
// Older TFLM releases computed this last path in float and had a separate
// integer routine for 4-D {1,2}; the integer recipe above is the current one.
#include <stdint.h>
#include <string.h>

#include "kernels/fixed_point.h"
#include "kernels/tensor_checks.h"
#include "picoml/kernels.h"

namespace picoml {
namespace kernels {
namespace {

struct MeanData {
  int32_t rank;
  int32_t dims[kMaxRank];
  // Step in the output for one step along each input dimension (0 along a
  // reduced one): the output offset of an input index is the dot product.
  int32_t output_steps[kMaxRank];
  int32_t output_count;
  int32_t reduced_count;  // input elements averaged into each output
  int32_t is_float;
  int32_t same_quantization;
  int32_t multiplier;
  int32_t shift;
  int32_t input_zero_point;
  int32_t output_zero_point;
};

Status Check(const NodeContext& node, MeanData* data) {
  memset(data, 0, sizeof(*data));
  PICOML_RETURN_IF_ERROR(checks::CheckArity(node, 2, 1));
  PICOML_RETURN_IF_ERROR(checks::CheckOptions(node, schema::BuiltinOptionsType::kReducerOptions,
                                              "ReducerOptions", /*required=*/false));
  const bool keep_dims = node.options().Scalar<uint8_t>(schema::reducer_options::kKeepDims, 0) != 0;
  const Tensor input = node.input(0);
  const Tensor axes = node.input(1);
  const Tensor output = node.output(0);
  if (input.type != output.type)
    return Status::Error(StatusCode::kInvalidModel, "input is %s but output is %s",
                         TensorTypeName(input.type), TensorTypeName(output.type));
  if (input.type != TensorType::kInt8 && input.type != TensorType::kFloat32)
    return Status::Error(StatusCode::kUnsupported,
                         "input type %s is not supported (INT8 and FLOAT32 are)",
                         TensorTypeName(input.type));
  PICOML_RETURN_IF_ERROR(checks::CheckElementCount(input, "input"));
  if (axes.type != TensorType::kInt32 || axes.shape.rank > 1)
    return Status::Error(StatusCode::kInvalidModel,
                         "axes (input 1) must be an int32 scalar or vector, it is %s of rank %d",
                         TensorTypeName(axes.type), axes.shape.rank);
  if (!axes.is_constant || axes.data == nullptr)
    return Status::Error(StatusCode::kUnsupported,
                         "axes (input 1) must be a constant tensor; export the model with fixed "
                         "reduction axes");

  const int rank = input.shape.rank;
  bool reduced[kMaxRank] = {};
  const int64_t axis_count = axes.ElementCount();
  const int32_t* axis_values = axes.data_as<const int32_t>();
  for (int64_t i = 0; i < axis_count && rank > 0; ++i) {
    int32_t axis = 0;
    memcpy(&axis, axis_values + i, sizeof(axis));
    const int32_t resolved = axis < 0 ? axis + rank : axis;
    if (resolved < 0 || resolved >= rank)
      return Status::Error(StatusCode::kInvalidModel,
                           "axis %d is out of range for a rank-%d input (valid: [%d, %d])",
                           static_cast<int>(axis), rank, -rank, rank - 1);
    reduced[resolved] = true;
  }

  // The output shape the reduction gives, and the output steps.
  Shape expected;
  int64_t reduced_count = 1;
  int32_t step = 1;
  for (int d = rank - 1; d >= 0; --d) {
    data->dims[d] = input.shape.dims[d];
    if (reduced[d]) {
      reduced_count *= input.shape.dims[d];
      data->output_steps[d] = 0;
    } else {
      data->output_steps[d] = step;
      step *= input.shape.dims[d];
    }
  }
  for (int d = 0; d < rank; ++d) {
    if (!reduced[d])
      expected.dims[expected.rank++] = input.shape.dims[d];
    else if (keep_dims)
      expected.dims[expected.rank++] = 1;
  }
  if (!expected.Equals(output.shape)) {
    char axes_text[64];
    int length = 0;
    for (int d = 0; d < rank && length < 56; ++d)
      if (reduced[d]) {
        if (length > 0) axes_text[length++] = ',';
        axes_text[length++] = static_cast<char>('0' + d);
      }
    axes_text[length] = '\0';
    return Status::Error(
        StatusCode::kInvalidModel,
        "output has rank %d and %ld elements, but MEAN over axes {%s} of a rank-%d "
        "input with keep_dims %s gives rank %d and %ld elements",
        output.shape.rank, static_cast<long>(output.ElementCount()), axes_text, rank,
        keep_dims ? "true" : "false", expected.rank, static_cast<long>(expected.ElementCount()));
  }
  data->rank = rank;
  data->output_count = static_cast<int32_t>(output.ElementCount());
  data->reduced_count = static_cast<int32_t>(reduced_count);
  data->is_float = input.type == TensorType::kFloat32 ? 1 : 0;
  if (data->is_float) return Status::Ok();

  PICOML_RETURN_IF_ERROR(checks::CheckPerTensorInt8(input, "input"));
  PICOML_RETURN_IF_ERROR(checks::CheckPerTensorInt8(output, "output"));
  const QuantizationParams in_q = input.quantization.PerTensor();
  const QuantizationParams out_q = output.quantization.PerTensor();
  // int32 sums of int8 values less the zero point stay below 2^31 for 2^23 terms.
  if (reduced_count > (1 << 23))
    return Status::Error(StatusCode::kUnsupported,
                         "int8 MEAN reduces %ld elements into each output; at most 2^23 "
                         "(8388608) are supported, split the reduction into smaller ones",
                         static_cast<long>(reduced_count));
  PICOML_RETURN_IF_ERROR(checks::CheckRequantizationScale(
      static_cast<double>(in_q.scale) / static_cast<double>(out_q.scale),
      "input scale / output scale"));
  data->input_zero_point = in_q.zero_point;
  data->output_zero_point = out_q.zero_point;
  data->same_quantization = in_q.zero_point == out_q.zero_point && in_q.scale == out_q.scale;
  int32_t multiplier = 0;
  int shift = 0;
  fixed_point::QuantizeMultiplier(
      static_cast<double>(in_q.scale) / static_cast<double>(out_q.scale), &multiplier, &shift,
      node.rounding());
  if (reduced_count > 0) {
    int count_shift = 0;  // floor(log2(count))
    while ((reduced_count >> (count_shift + 1)) != 0) ++count_shift;
    if (count_shift > 32) count_shift = 32;
    if (count_shift > 31 + shift) count_shift = 31 + shift;
    multiplier =
        static_cast<int32_t>((static_cast<int64_t>(multiplier) << count_shift) / reduced_count);
    shift -= count_shift;
  }
  data->multiplier = multiplier;
  data->shift = shift;
  return Status::Ok();
}

Status Plan(const NodeContext& node, KernelMemory* memory) {
  MeanData data;
  PICOML_RETURN_IF_ERROR(Check(node, &data));
  memory->node_data_bytes = sizeof(MeanData);
  // int8 sums one int32 per output; float sums in the output itself.
  memory->scratch_bytes = data.is_float ? 0 : static_cast<uint32_t>(data.output_count) * 4u;
  return Status::Ok();
}

Status Prepare(const NodeContext& node, void* node_data) {
  return Check(node, static_cast<MeanData*>(node_data));
}

// Adds every input element into its output accumulator, visiting the input in
// row-major order.
template <typename In, typename Acc>
void SumInto(const MeanData& d, const In* input, Acc* sums) {
  int32_t index[kMaxRank] = {};
  int64_t input_count = 1;
  for (int i = 0; i < d.rank; ++i) input_count *= d.dims[i];
  int32_t offset = 0;
  for (int64_t i = 0; i < input_count; ++i) {
    sums[offset] += input[i];
    for (int dim = d.rank - 1; dim >= 0; --dim) {
      offset += d.output_steps[dim];
      if (++index[dim] < d.dims[dim]) break;
      offset -= d.output_steps[dim] * d.dims[dim];
      index[dim] = 0;
    }
  }
}

Status Eval(const NodeContext& node, const void* node_data, void* scratch) {
  const MeanData& d = *static_cast<const MeanData*>(node_data);
  if (d.is_float) {
    float* output = node.output(0).data_as<float>();
    for (int32_t i = 0; i < d.output_count; ++i) output[i] = 0.0f;
    if (d.reduced_count == 0) return Status::Ok();
    SumInto(d, node.input(0).data_as<const float>(), output);
    const float count = static_cast<float>(d.reduced_count);
    for (int32_t i = 0; i < d.output_count; ++i) output[i] = output[i] / count;
    return Status::Ok();
  }
  int8_t* output = node.output(0).data_as<int8_t>();
  int32_t* sums = static_cast<int32_t*>(scratch);
  for (int32_t i = 0; i < d.output_count; ++i) {
    sums[i] = 0;
    output[i] = 0;
  }
  if (d.reduced_count == 0) return Status::Ok();
  SumInto(d, node.input(0).data_as<const int8_t>(), sums);
  for (int32_t i = 0; i < d.output_count; ++i) {
    if (d.same_quantization) {
      output[i] = static_cast<int8_t>(sums[i] / d.reduced_count);
      continue;
    }
    const int32_t shifted_sum =
        static_cast<int32_t>(sums[i] - static_cast<int64_t>(d.input_zero_point) * d.reduced_count);
    const int32_t value = fixed_point::MultiplyByQuantizedMultiplier(shifted_sum, d.multiplier,
                                                                     d.shift, node.rounding()) +
                          d.output_zero_point;
    output[i] = static_cast<int8_t>(fixed_point::Clamp(value, -128, 127));
  }
  return Status::Ok();
}

}  // namespace

const KernelRegistration& Mean() {
  static const KernelRegistration registration = {BuiltinOperator::kMean, Plan, Prepare, Eval,
                                                  false};
  return registration;
}

}  // namespace kernels
}  // namespace picoml
